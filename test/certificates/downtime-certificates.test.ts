import * as mupdf from 'mupdf';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openIncident, updateIncident } from '../../src/services/continuity/incidents.js';
import { scheduleMaintenance } from '../../src/services/continuity/maintenance.js';
import { issueDueCertificates } from '../../src/services/certificates/issue-due-certificates.js';
import { getCertificate, getCertificatePdf } from '../../src/services/certificates/get-certificate.js';
import { verifyCertificate } from '../../src/services/certificates/verify-certificate.js';
import { publishNotice } from '../../src/services/notices/publish-notice.js';
import { relayNotice } from '../../src/services/notices/relay-notice.js';
import { createCertificateSigner } from '../../src/adapters/certificates/certificate-signer.js';
import { createSelfSignedSigningKey } from '../../src/adapters/protocol/signing-key.js';
import { StatusMonitor } from '../../src/services/status/status-monitor.js';
import { createHarness, type Harness } from '../support/harness.js';
import { engineName } from '../support/test-db.js';

const pdfText = (pdf: Buffer) => {
  const doc = mupdf.Document.openDocument(pdf, 'application/pdf');
  return Array.from({ length: doc.countPages() }, (_, i) =>
    doc.loadPage(i).toStructuredText('preserve-whitespace').asText(),
  )
    .join(' ')
    .replace(/\s+/g, ' ');
};

describe(`downtime certificates (${engineName()})`, () => {
  let h: Harness;
  let staff: Awaited<ReturnType<Harness['factories']['user']>>;
  let puglia: Awaited<ReturnType<Harness['factories']['user']>>;

  beforeAll(async () => {
    h = await createHarness({ now: '2026-03-02T09:00:00Z' });
    staff = await h.factories.user('authority_staff');
    puglia = await h.factories.user('regional_staff', { regionalSectionCode: 'PUG' });
    await h.factories.rup({ section: 'PUG' });
  });
  afterAll(() => h.close());

  it('resolving an incident issues its signed certificate in the same transaction, once', async () => {
    h.clock.set('2026-03-02T10:00:00Z');
    const incident = await openIncident(
      h.deps,
      {
        title: 'Pagamenti non disponibili',
        impact: 'major_outage',
        services: ['contribution_payments', 'cig_issuance'],
        startedAt: new Date('2026-03-02T08:15:00Z'),
        message: 'I pagamenti del contributo non sono disponibili.',
      },
      staff.actor,
    );
    const notice = await publishNotice(
      h.deps,
      {
        title: 'Interruzione dei servizi di pagamento',
        noticeDate: '2026-03-02',
        body: 'I servizi di pagamento non sono disponibili.',
        kind: 'outage',
        incident: incident.code,
      },
      staff.actor,
    );
    const relay = await relayNotice(h.deps, { noticeId: notice.id }, puglia.actor);
    h.clock.set('2026-03-02T11:00:00Z');
    await updateIncident(
      h.deps,
      {
        incident: incident.code,
        state: 'resolved',
        message: 'Servizi ripristinati.',
        resolvedAt: new Date('2026-03-02T10:45:30Z'),
      },
      staff.actor,
    );
    const id = `ATT-${incident.code}`;
    const certificate = await getCertificate(h.deps, id);
    expect(certificate.incidentId).toBe(incident.id);
    expect(certificate.payload).toMatchObject({
      type: 'gara/downtime-certificate',
      id,
      subject: { kind: 'incident', code: incident.code, source: 'staff' },
      services: [
        { code: 'cig_issuance', name: 'Acquisizione CIG' },
        { code: 'contribution_payments', name: 'Pagamento dei contributi' },
      ],
      start: { utc: '2026-03-02T08:15:00Z', europeRome: '2026-03-02T09:15:00+01:00' },
      end: { utc: '2026-03-02T10:45:30Z', europeRome: '2026-03-02T11:45:30+01:00' },
      durationMinutes: 151,
      evidence: [],
      notices: [
        {
          id: notice.id,
          title: 'Interruzione dei servizi di pagamento',
          protocolNumbers: [`AOO_092/${String(relay.registration.number).padStart(7, '0')}`],
        },
      ],
      issuedAt: { utc: '2026-03-02T11:00:00Z' },
    });

    // The job finds nothing left to do for it; the certificate stays the one issued.
    const before = certificate.jws;
    await issueDueCertificates(h.deps);
    await issueDueCertificates(h.deps);
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM downtime_certificates WHERE incident_id = ${incident.id}`.execute(
      h.db.db,
    );
    expect(rows[0]?.n).toBe(1);
    expect((await getCertificate(h.deps, id)).jws).toBe(before);
    // A resolved incident cannot be resolved again (the incident's own guard), so no second certificate.
    await expect(
      updateIncident(
        h.deps,
        { incident: incident.code, state: 'resolved', message: 'Di nuovo.' },
        staff.actor,
      ),
    ).rejects.toThrow();

    // The PDF is in Italian, signed, and valid; the JWS too.
    const pdf = await getCertificatePdf(h.deps, id);
    const text = pdfText(pdf);
    expect(text).toContain('ATTESTAZIONE DI DISSERVIZIO');
    expect(text).toContain('Servizi interessati');
    expect(text).toContain('Pagamento dei contributi');
    // (mupdf drops the space between a bold label and the regular text that continues it)
    expect(text).toContain(
      'Inizio:02/03/2026 ore 09:15:00 (ora italiana, 2026-03-02T09:15:00+01:00) - UTC 2026-03-02T08:15:00Z',
    );
    expect(text).toContain('Durata:2 ore e 31 minuti');
    expect(text).toMatch(
      /Comunicati collegati - Interruzione dei servizi di pagamento \(02\/03\/2026; protocollo AOO_092\/\d{7}\)/,
    );
    expect(pdf.includes('/SubFilter /ETSI.CAdES.detached')).toBe(true);
    expect(await verifyCertificate(h.deps, pdf)).toMatchObject({
      valid: true,
      format: 'pdf',
      certificateId: id,
    });
    expect(await verifyCertificate(h.deps, Buffer.from(certificate.jws))).toMatchObject({
      valid: true,
      format: 'jws',
      certificateId: id,
    });
  });

  it('refuses UPDATE and DELETE of a certificate in the database', async () => {
    const [row] = (await sql<{ id: string }>`SELECT id FROM downtime_certificates LIMIT 1`.execute(h.db.db))
      .rows;
    expect(row).toBeDefined();
    await expect(
      sql`UPDATE downtime_certificates SET jws = 'a.b.c' WHERE id = ${row!.id}`.execute(h.db.db),
    ).rejects.toThrow(/append-only/);
    await expect(
      sql`DELETE FROM downtime_certificates WHERE id = ${row!.id}`.execute(h.db.db),
    ).rejects.toThrow(/append-only/);
    // One per incident: a second row for the same incident is refused.
    await expect(
      sql`INSERT INTO downtime_certificates (id, incident_id, payload, jws, pdf, issued_at)
          SELECT 'ATT-INC-2099-9999', incident_id, payload, jws, pdf, issued_at FROM downtime_certificates
           WHERE id = ${row!.id}`.execute(h.db.db),
    ).rejects.toThrow();
  });

  it('one changed byte anywhere in the PDF fails verification; a tampered JWS or another key fails too', async () => {
    const [row] = (await sql<{ id: string }>`SELECT id FROM downtime_certificates LIMIT 1`.execute(h.db.db))
      .rows;
    const pdf = await getCertificatePdf(h.deps, row!.id);
    // Every 97th byte, and the first and last: each flipped alone must break the signature.
    const positions = [0, pdf.length - 1];
    for (let i = 5; i < pdf.length; i += 97) positions.push(i);
    const accepted: number[] = [];
    for (const i of positions) {
      const changed = Buffer.from(pdf);
      changed[i] = changed[i]! ^ 0x01;
      const outcome = await verifyCertificate(h.deps, changed);
      if (outcome.valid) accepted.push(i);
    }
    expect(accepted).toEqual([]);
    const edited = Buffer.from(pdf);
    const at = edited.indexOf('stream\n') + 20;
    expect(at).toBeGreaterThan(20);
    edited[at] = edited[at]! ^ 0xff; // inside a (compressed) content stream: the covered bytes change
    expect(await verifyCertificate(h.deps, edited)).toMatchObject({
      valid: false,
      failure: 'content_changed',
    });

    const { jws } = await getCertificate(h.deps, row!.id);
    const [head, body, signature] = jws.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString());
    payload.end.utc = '2026-03-05T10:45:30Z';
    const forged = [head, Buffer.from(JSON.stringify(payload)).toString('base64url'), signature].join('.');
    expect(await verifyCertificate(h.deps, Buffer.from(forged))).toMatchObject({
      valid: false,
      failure: 'content_changed',
    });

    const stranger = createCertificateSigner(
      createSelfSignedSigningKey({ aoo: 'altro', name: 'Altro ente' }),
    );
    expect(await verifyCertificate({ certificates: stranger }, pdf)).toMatchObject({
      valid: false,
      failure: 'unknown_signer',
    });
    expect(await verifyCertificate({ certificates: stranger }, Buffer.from(jws))).toMatchObject({
      valid: false,
      failure: 'unknown_signer',
    });
    expect(await verifyCertificate(h.deps, Buffer.from('hello'))).toMatchObject({
      valid: false,
      failure: 'not_a_certificate',
    });
  });

  it('a maintenance gets its certificate from the job once it has ended, and only once', async () => {
    h.clock.set('2026-03-03T08:00:00Z');
    const maintenance = await scheduleMaintenance(
      h.deps,
      {
        title: 'Aggiornamento della base dati',
        description: 'Intervento programmato.',
        services: ['smart_cig'],
        startsAt: new Date('2026-03-03T20:00:00Z'),
        endsAt: new Date('2026-03-03T22:00:00Z'),
      },
      staff.actor,
    );
    const id = `ATT-MAN-${maintenance.id}`;
    h.clock.set('2026-03-03T21:00:00Z');
    expect((await issueDueCertificates(h.deps)).issued).not.toContain(id);
    h.clock.set('2026-03-03T22:01:00Z');
    const [first, second] = await Promise.all([issueDueCertificates(h.deps), issueDueCertificates(h.deps)]);
    expect([...first.issued, ...second.issued]).toContain(id);
    expect((await issueDueCertificates(h.deps)).issued).not.toContain(id);
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM downtime_certificates WHERE maintenance_id = ${maintenance.id}`.execute(
      h.db.db,
    );
    expect(rows[0]?.n).toBe(1);
    const certificate = await getCertificate(h.deps, id);
    expect(certificate.payload).toMatchObject({
      subject: { kind: 'maintenance', title: 'Aggiornamento della base dati' },
      start: { europeRome: '2026-03-03T21:00:00+01:00' },
      end: { europeRome: '2026-03-03T23:00:00+01:00' },
      durationMinutes: 120,
    });
    expect(pdfText(await getCertificatePdf(h.deps, id))).toContain('Manutenzione programmata');
  });

  it("a maintenance's certificate lists the comunicati that announce it, with their protocol numbers", async () => {
    h.clock.set('2026-03-04T08:00:00Z');
    const input = {
      description: 'Intervento programmato.',
      services: ['cig_issuance'],
      startsAt: new Date('2026-03-04T20:00:00Z'),
      endsAt: new Date('2026-03-04T21:30:00Z'),
    };
    const maintenance = await scheduleMaintenance(
      h.deps,
      { ...input, title: 'Migrazione dei server' },
      staff.actor,
    );
    const other = await scheduleMaintenance(h.deps, { ...input, title: 'Altra manutenzione' }, staff.actor);
    const notice = await publishNotice(
      h.deps,
      {
        title: 'Manutenzione programmata del 4 marzo',
        noticeDate: '2026-03-04',
        body: 'Il servizio di acquisizione CIG non sarà disponibile dalle 21:00 alle 22:30.',
        kind: 'maintenance',
        maintenance: maintenance.id,
      },
      staff.actor,
    );
    expect(notice.maintenanceId).toBe(maintenance.id);
    await publishNotice(
      h.deps,
      {
        title: 'Altro avviso',
        noticeDate: '2026-03-04',
        body: 'Altro.',
        kind: 'maintenance',
        maintenance: other.id,
      },
      staff.actor,
    );
    const relay = await relayNotice(h.deps, { noticeId: notice.id }, puglia.actor);
    // A comunicato names an existing maintenance, and not an incident as well.
    await expect(
      publishNotice(
        h.deps,
        {
          title: 'x',
          noticeDate: '2026-03-04',
          body: 'x',
          kind: 'maintenance',
          maintenance: crypto.randomUUID(),
        },
        staff.actor,
      ),
    ).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(
      publishNotice(
        h.deps,
        { title: 'x', noticeDate: '2026-03-04', body: 'x', kind: 'maintenance', maintenance: 'not-a-uuid' },
        staff.actor,
      ),
    ).rejects.toMatchObject({ code: 'validation_failed' });
    // The database refuses a comunicato about both an incident and a maintenance.
    const incident = await openIncident(
      h.deps,
      {
        title: 'Rallentamenti',
        impact: 'degraded',
        services: ['portal'],
        startedAt: new Date('2026-03-04T07:00:00Z'),
        message: 'Rallentamenti.',
      },
      staff.actor,
    );
    await updateIncident(
      h.deps,
      { incident: incident.code, state: 'resolved', message: 'Risolto.' },
      staff.actor,
    );
    await expect(
      sql`INSERT INTO notices (id, title, notice_date, body, kind, incident_id, maintenance_id, state, created_at)
          VALUES (${crypto.randomUUID()}, 'x', '2026-03-04', 'x', 'maintenance', ${incident.id}, ${maintenance.id},
                  'draft', now())`.execute(h.db.db),
    ).rejects.toThrow(/notices_one_subject/);

    h.clock.set('2026-03-04T21:31:00Z');
    const id = `ATT-MAN-${maintenance.id}`;
    expect((await issueDueCertificates(h.deps)).issued).toContain(id);
    const certificate = await getCertificate(h.deps, id);
    expect(certificate.payload.notices).toEqual([
      {
        id: notice.id,
        title: 'Manutenzione programmata del 4 marzo',
        kind: 'maintenance',
        noticeDate: '2026-03-04',
        publishedAt: '2026-03-04T08:00:00Z',
        protocolNumbers: [`AOO_092/${String(relay.registration.number).padStart(7, '0')}`],
      },
    ]);
    expect(pdfText(await getCertificatePdf(h.deps, id))).toMatch(
      /Comunicati collegati - Manutenzione programmata del 4 marzo \(04\/03\/2026; protocollo AOO_092\/\d{7}\)/,
    );
    const otherCertificate = await getCertificate(h.deps, `ATT-MAN-${other.id}`);
    expect(otherCertificate.payload.notices.map((n) => n.title)).toEqual(['Altro avviso']);
  });

  it("an automatic incident's certificate quotes the probes' evidence", async () => {
    h.clock.set('2026-03-04T09:00:00Z');
    let failing = true;
    const monitor = new StatusMonitor(h.deps, {
      ping: async () => undefined,
      failuresToOpen: 2,
      successesToClose: 2,
      probes: [
        {
          name: 'pagopa-node',
          services: ['contribution_payments'],
          title: 'Pagamenti non disponibili: il nodo pagoPA non risponde',
          check: async () => {
            if (failing) throw new Error('down');
          },
        },
      ],
    });
    const round = async (iso: string) => {
      h.clock.set(iso);
      await monitor.tick();
    };
    await round('2026-03-04T09:00:00Z');
    await round('2026-03-04T09:01:00Z'); // opens the incident (2 failures)
    await round('2026-03-04T09:02:00Z');
    await round('2026-03-04T09:03:00Z');
    failing = false;
    await round('2026-03-04T09:04:00Z');
    await round('2026-03-04T09:05:00Z'); // resolves it
    await monitor.stop();
    const { rows } = await sql<{ code: string }>`
      SELECT code FROM incidents WHERE title = 'Pagamenti non disponibili: il nodo pagoPA non risponde'`.execute(
      h.db.db,
    );
    const certificate = await getCertificate(h.deps, `ATT-${rows[0]!.code}`);
    expect(certificate.payload.subject).toMatchObject({ kind: 'incident', source: 'probe' });
    expect(certificate.payload.evidence).toEqual([
      {
        probe: 'pagopa-node',
        firstFailureAt: '2026-03-04T09:00:00Z',
        lastFailureAt: '2026-03-04T09:03:00Z',
        failures: 4,
      },
    ]);
    expect(certificate.payload.start.utc).toBe('2026-03-04T09:00:00Z');
    expect(certificate.payload.end.utc).toBe('2026-03-04T09:04:00Z');
  });
});

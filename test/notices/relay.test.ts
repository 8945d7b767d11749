import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { simpleParser } from 'mailparser';
import * as mupdf from 'mupdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileMailer } from '../../src/adapters/mail/mailer.js';
import { verifySegnatura } from '../../src/adapters/protocol/segnatura.js';
import { dispatchDue } from '../../src/services/notices/dispatch.js';
import { startSession } from '../../src/services/portal/start-session.js';
import type { WebhookSender } from '../../src/services/notices/ports.js';
import { bearer, createHarness, testSigningKey, type Harness } from '../support/harness.js';
import { engineName } from '../support/test-db.js';

type Person = Awaited<ReturnType<Harness['factories']['user']>>;

const noWebhooks: WebhookSender = {
  post: () => Promise.reject(new Error('no webhook expected in this test')),
};

const pdfText = (pdf: Buffer) => {
  const doc = mupdf.Document.openDocument(pdf, 'application/pdf');
  return Array.from({ length: doc.countPages() }, (_, i) =>
    doc.loadPage(i).toStructuredText('preserve-whitespace').asText(),
  )
    .join(' ')
    .replace(/\s+/g, ' ');
};

/**
 * The seed letter as a feature: Authority staff publish the comunicato, the Puglia section relays it
 * to its RUPs under an outgoing protocol number (letter PDF, segnatura, one e-mail per RUP, written as
 * .eml files by the embedded mailer), and on restoration the drafted notice goes to the same RUPs.
 */
describe(`relaying a comunicato (${engineName()})`, () => {
  let h: Harness;
  let staff: Person;
  let puglia: Person;
  let lazio: Person;
  let rups: Person[];
  let outsider: Person;
  let mailDir: string;
  let incidentCode: string;
  let noticeId: string;
  let relayId: string;
  const call = (method: 'GET' | 'POST' | 'PATCH', url: string, token?: string, payload?: unknown) =>
    h.app.inject({
      method,
      url,
      headers: token ? bearer(token) : {},
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  const dispatch = () =>
    dispatchDue(h.deps, {
      mailer: fileMailer({ dir: mailDir, from: 'osservatorio@pec.test.example' }),
      webhooks: noWebhooks,
    });

  beforeAll(async () => {
    h = await createHarness({ now: '2021-05-03T08:00:00Z' });
    mailDir = mkdtempSync(join(tmpdir(), 'gara-mail-'));
    staff = await h.factories.user('authority_staff');
    puglia = await h.factories.user('regional_staff', { regionalSectionCode: 'PUG' });
    lazio = await h.factories.user('regional_staff', { regionalSectionCode: 'LAZ' });
    rups = [];
    for (const place of ['016072006', '016075035', '016072006'])
      rups.push(await h.factories.rup({ place, section: 'PUG' }));
    // A second RUP of the first authority, and a RUP of another region (must not receive anything).
    rups.push(
      await h.factories.user('rup', { contractingAuthorityId: rups[0]!.user.contractingAuthorityId! }),
    );
    outsider = (await h.factories.rup({ place: '012058091', section: 'LAZ' })) as Person;
    // The administrator keeps the section's letterhead (the seed letter's offices and site).
    const admin = await h.factories.user('admin');
    const section = '/api/v1/regional-sections/PUG';
    const blank = await call('PATCH', section, admin.token, { letterheadOffices: [' '] });
    expect(blank.statusCode).toBe(400);
    expect(blank.body).toContain('letterheadOffices');
    const site = await call('PATCH', section, admin.token, { website: 'not a site' });
    expect(site.statusCode).toBe(400);
    expect(site.body).toContain('website');
    expect(
      (await call('PATCH', section, puglia.token, { website: 'www.regione.puglia.it' })).statusCode,
    ).toBe(403);
    const patched = await call('PATCH', section, admin.token, {
      letterheadOffices: ['SEGRETERIA GENERALE DELLA PRESIDENZA', 'SEZIONE GESTIONE INTEGRATA ACQUISTI'],
      website: 'www.regione.puglia.it',
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({
      letterheadOffices: ['SEGRETERIA GENERALE DELLA PRESIDENZA', 'SEZIONE GESTIONE INTEGRATA ACQUISTI'],
      website: 'www.regione.puglia.it',
    });
    const opened = await call('POST', '/api/v1/incidents', staff.token, {
      title: "Interruzione dei servizi on line dell'Autorità",
      impact: 'major_outage',
      services: ['cig_issuance', 'contribution_payments'],
      startedAt: '2021-05-03T08:00:00+02:00',
      message: 'Guasto al sistema di alimentazione elettrica.',
    });
    expect(opened.statusCode).toBe(201);
    incidentCode = opened.json<{ code: string }>().code;
  });
  afterAll(async () => {
    await h.close();
    rmSync(mailDir, { recursive: true, force: true });
  });

  it('publishes the comunicato: archive and API, staff only', async () => {
    h.clock.set('2021-05-06T16:00:00+02:00');
    const body = {
      title: "Interruzione dei servizi on line dell'Autorità",
      noticeDate: '2021-05-06',
      kind: 'outage',
      incident: incidentCode,
      services: ['cig_issuance', 'contribution_payments'],
      sourceUrl: 'https://www.anticorruzione.it/-/comunicato-del-6-maggio-2021',
      body: [
        "A seguito di un guasto tecnico al sistema di alimentazione elettrica della sede dell'Autorità, i servizi online hanno subito diverse interruzioni a partire dal 3 maggio u.s..",
        '',
        'Per gli utenti che si siano collegati nei momenti di interruzione del servizio, si forniscono le seguenti indicazioni:',
        '',
        '- la stazione appaltante indicherà negli atti di gara che il CIG è in fase di acquisizione;',
        '- gli operatori economici sono ammessi con riserva di regolarizzazione della posizione contributiva.',
        '',
        'Seguirà nuovo avviso ad avvenuto ripristino dei servizi.',
      ].join('\n'),
    };
    expect((await call('POST', '/api/v1/notices', puglia.token, body)).statusCode).toBe(403);
    const bad = await call('POST', '/api/v1/notices', staff.token, { ...body, noticeDate: '2021-02-30' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('noticeDate');
    const created = await call('POST', '/api/v1/notices', staff.token, body);
    expect(created.statusCode).toBe(201);
    noticeId = created.json<{ id: string }>().id;
    const archive = await call('GET', '/api/v1/notices');
    expect(archive.json<{ items: { id: string; state: string }[] }>().items).toEqual([
      expect.objectContaining({ id: noticeId, state: 'published' }),
    ]);
    const page = await call('GET', '/comunicati');
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('Comunicato del 6 maggio 2021');
    expect(page.body).toContain(
      '<li>la stazione appaltante indicherà negli atti di gara che il CIG è in fase di acquisizione;</li>',
    );
    const feed = await call('GET', '/comunicati/feed.atom');
    expect(XMLValidator.validate(feed.body)).toBe(true);
    const entries = new XMLParser().parse(feed.body).feed.entry as { title: string; id: string };
    expect(entries.title).toBe("Interruzione dei servizi on line dell'Autorità");
    expect(entries.id).toContain(`/comunicati/${noticeId}`);
    expect((await call('GET', `/comunicati/${noticeId}`)).statusCode).toBe(200);
  });

  it('relays it to the RUPs of the region under an outgoing protocol number', async () => {
    h.clock.set('2021-05-07T09:30:00+02:00');
    const url = `/api/v1/notices/${noticeId}/relays`;
    expect((await call('POST', url, rups[0]!.token, {})).statusCode).toBe(403);
    const foreign = await call('POST', url, puglia.token, {
      contractingAuthorityIds: [outsider.user.contractingAuthorityId],
    });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.body).toContain('contractingAuthorityIds');

    const relayed = await call('POST', url, puglia.token, {});
    expect(relayed.statusCode).toBe(201);
    const relay = relayed.json<{
      id: string;
      protocol: string;
      recipients: number;
      progress: Record<string, number>;
      letterSha256: string;
    }>();
    relayId = relay.id;
    expect(relay.protocol).toBe('AOO_092/0000001 Protocollo Uscita');
    expect(relay.recipients).toBe(4);
    expect(relay.progress.queued).toBe(4);
    const again = await call('POST', url, puglia.token, {});
    expect(again.statusCode).toBe(409);

    // The letter: every element of the seed letter's structure, in Italian.
    const letter = await call('GET', `/api/v1/relays/${relayId}/letter.pdf`, puglia.token);
    expect(letter.headers['content-type']).toBe('application/pdf');
    expect(createHash('sha256').update(letter.rawPayload).digest('hex')).toBe(relay.letterSha256);
    const text = pdfText(letter.rawPayload);
    for (const part of [
      'REGIONE PUGLIA SEGRETERIA GENERALE DELLA PRESIDENZA SEZIONE GESTIONE INTEGRATA ACQUISTI Sezione regionale Osservatorio Contratti Pubblici',
      'www.regione.puglia.it',
      'Bari, 07 maggio 2021',
      'AOO_092/0000001',
      'Protocollo Uscita',
      "Trasmissione a mezzo posta elettronica ai sensi dell'art.47 del D. Lgs n. 82/2005",
      'Gentile RUP',
      "Oggetto: interruzione dei servizi on line dell'Autorità.",
      'Comunicato del 6 maggio 2021',
      'Seguirà nuovo avviso ad avvenuto ripristino dei servizi.',
      'https://www.anticorruzione.it/-/comunicato-del-6-maggio-2021',
      'il dirigente',
    ])
      expect(text).toContain(part);
    // Another region's staff cannot see it.
    expect((await call('GET', `/api/v1/relays/${relayId}`, lazio.token)).statusCode).toBe(404);
  });

  it('registers it once, with recipients, fingerprint and a signed segnatura', async () => {
    const list = await call('GET', '/api/v1/protocol/AOO_092/registrations?date=2021-05-07', puglia.token);
    expect(list.statusCode).toBe(200);
    const [registration, ...more] = list.json<{
      items: {
        id: string;
        label: string;
        subject: string;
        correspondents: { address: string }[];
        documentSha256: string;
      }[];
    }>().items;
    expect(more).toHaveLength(0);
    expect(registration!.label).toBe('AOO_092/0000001');
    // The register's subject is the subject itself, without the letter's "Oggetto:".
    expect(registration!.subject).toBe("Interruzione dei servizi on line dell'Autorità.");
    expect(registration!.correspondents.map((c) => c.address).sort()).toEqual(
      rups.map((r) => r.user.email).sort(),
    );
    const xml = await call(
      'GET',
      `/api/v1/protocol/registrations/${registration!.id}/segnatura.xml`,
      puglia.token,
    );
    expect(xml.body).toMatch(/<(\w+:)?NumeroRegistrazione>0000001<\//);
    expect(xml.body).toContain(
      "<prot:Oggetto>Interruzione dei servizi on line dell'Autorità.</prot:Oggetto>",
    );
    expect(verifySegnatura(xml.body, testSigningKey().certificatePem)).toBe(true);
    expect(verifySegnatura(xml.body.replace('0000001', '0000002'), testSigningKey().certificatePem)).toBe(
      false,
    );
    // another section's register answers as an unknown AOO
    expect(
      (await call('GET', '/api/v1/protocol/AOO_092/registrations?date=2021-05-07', lazio.token)).statusCode,
    ).toBe(404);
  });

  it('sends one e-mail per RUP with the letter attached; without SMTP they are .eml files listed in the API', async () => {
    expect(await dispatch()).toEqual({ sent: 4, failed: 0, retried: 0 });
    expect(await dispatch()).toEqual({ sent: 0, failed: 0, retried: 0 });
    const files = readdirSync(mailDir).filter((f) => f.endsWith('.eml'));
    expect(files).toHaveLength(4);
    const received = await Promise.all(files.map((f) => simpleParser(readFileSync(join(mailDir, f)))));
    expect(received.map((m) => (m.to as { value: { address: string }[] }).value[0]!.address).sort()).toEqual(
      rups.map((r) => r.user.email).sort(),
    );
    for (const m of received) {
      expect(m.subject).toBe("Prot. AOO_092/0000001 - Interruzione dei servizi on line dell'Autorità.");
      // Sent as the section: From is the PEC address the segnatura names as Mittente.
      expect(m.from?.value).toEqual([
        { name: 'Sezione regionale - Puglia', address: 'osservatorio.pug@pec.test.example' },
      ]);
      expect(m.attachments.map((a) => a.filename)).toEqual(['AOO_092-0000001.pdf', 'segnatura.xml']);
      const segnatura = m.attachments.find((a) => a.filename === 'segnatura.xml')!.content.toString('utf8');
      expect(segnatura).toContain(
        '<prot:IndirizzoTelematico prot:tipo="smtp">osservatorio.pug@pec.test.example</prot:IndirizzoTelematico>',
      );
      expect(segnatura).toMatch(/<prot:NumeroRegistrazione>0000001<\//);
      expect(verifySegnatura(segnatura, testSigningKey().certificatePem)).toBe(true);
      // a readable prefix (relay id, recipient number) and 128 random bits: not guessable from the relay id
      expect(m.messageId).toMatch(new RegExp(`^<${relayId}\\.\\d+\\.[0-9a-f]{32}@gara>$`));
      const pdf = m.attachments.find((a) => a.filename === 'AOO_092-0000001.pdf')!;
      expect(createHash('sha256').update(pdf.content).digest('hex')).toBe(
        (await h.deps.store.notices.findRelay(relayId))!.letterSha256,
      );
    }
    expect(new Set(received.map((m) => m.messageId)).size).toBe(received.length);
    const progress = (await call('GET', `/api/v1/relays/${relayId}`, puglia.token)).json<{
      progress: Record<string, number>;
      done: boolean;
    }>();
    expect(progress.progress).toMatchObject({ queued: 0, sending: 0, accepted: 4, failed: 0 });
    expect(progress.done).toBe(true);

    const outbox = await call('GET', '/api/v1/outbox?kind=relay', puglia.token);
    const items = outbox.json<{ items: { id: string; eml: string | null; state: string }[] }>().items;
    expect(items).toHaveLength(4);
    expect(items.every((i) => i.state === 'accepted')).toBe(true);
    // The harness app has no mail folder: the listing says so rather than inventing a link.
    expect(items.every((i) => i.eml === null)).toBe(true);
    expect((await call('GET', '/api/v1/outbox', rups[0]!.token)).statusCode).toBe(403);

    const report = await call('GET', `/api/v1/relays/${relayId}/report?format=csv`, puglia.token);
    expect(report.headers['content-type']).toContain('text/csv');
    expect(report.body.split('\r\n')).toHaveLength(5);
    // Italian states and Italian times (May: UTC+2), the same file as the portal's.
    const [header, ...lines] = report.body.split('\r\n').map((l) => l.split(';'));
    expect(header).toEqual([
      'destinatario',
      'indirizzo',
      'stato',
      'tentativi',
      'accettato',
      'consegnato',
      'non consegnato',
      'errore',
    ]);
    const json = (await call('GET', `/api/v1/relays/${relayId}/report`, puglia.token)).json<{
      recipients: { address: string; acceptedAt: string }[];
    }>();
    for (const line of lines) {
      expect(line[2]).toBe('Accettato dal server di posta');
      const accepted = json.recipients.find((r) => r.address === line[1])!.acceptedAt;
      const rome = new Date(Date.parse(accepted) + 2 * 3_600_000).toISOString();
      expect(line[4]).toBe(
        `${rome.slice(8, 10)}/${rome.slice(5, 7)}/${rome.slice(0, 4)} ${rome.slice(11, 16)}`,
      );
    }
    // The portal serves the same file, and its page the same states and times, per recipient.
    const session = await startSession(h.deps, { userId: puglia.user.id, signIn: 'oidc' });
    const cookie = `gara_sessione=${session.token}`;
    const portalCsv = await h.app.inject({
      url: `/area-personale/inoltri/${relayId}/esito.csv`,
      headers: { cookie },
    });
    expect(portalCsv.body).toBe(report.body);
    const relayPage = await h.app.inject({ url: `/area-personale/inoltri/${relayId}`, headers: { cookie } });
    for (const line of lines) {
      expect(relayPage.body).toContain(`<td>${line[1]}</td>`);
      expect(relayPage.body).toContain(`<td>${line[4]}</td>`);
    }
    expect(relayPage.body).toContain('>Accettato dal server di posta</td>');
  });

  it('relays to a chosen selection of authorities only', async () => {
    const info = await call('POST', '/api/v1/notices', staff.token, {
      title: 'Nuova versione del servizio SmartCIG',
      noticeDate: '2021-05-07',
      kind: 'information',
      body: 'Dal 10 maggio il servizio SmartCIG è disponibile nella nuova versione.',
    });
    const relayed = await call(
      'POST',
      `/api/v1/notices/${info.json<{ id: string }>().id}/relays`,
      puglia.token,
      {
        contractingAuthorityIds: [rups[1]!.user.contractingAuthorityId],
      },
    );
    expect(relayed.statusCode).toBe(201);
    expect(relayed.json()).toMatchObject({ protocol: 'AOO_092/0000002 Protocollo Uscita', recipients: 1 });
    expect(await dispatch()).toEqual({ sent: 1, failed: 0, retried: 0 });
  });

  it('annuls a registration as a separate record; the register and its daily export keep it visible', async () => {
    const [, second] = (
      await call('GET', '/api/v1/protocol/AOO_092/registrations?date=2021-05-07', puglia.token)
    ).json<{
      items: { id: string; label: string }[];
    }>().items;
    expect(second!.label).toBe('AOO_092/0000002');
    const url = `/api/v1/protocol/registrations/${second!.id}/annulment`;
    expect((await call('POST', url, puglia.token, { measure: ' ', reason: 'x' })).statusCode).toBe(400);
    const annulled = await call('POST', url, puglia.token, {
      measure: 'Determinazione n. 12 del 7/5/2021',
      reason: 'Destinatari errati',
    });
    expect(annulled.statusCode).toBe(200);
    expect(annulled.json()).toMatchObject({
      annulment: { measure: 'Determinazione n. 12 del 7/5/2021', operator: puglia.user.name },
    });
    expect((await call('POST', url, puglia.token, { measure: 'x', reason: 'y' })).statusCode).toBe(409);

    const daily = await call('GET', '/api/v1/protocol/AOO_092/daily-registers/2021-05-07', puglia.token);
    expect(daily.statusCode).toBe(200);
    expect(createHash('sha256').update(daily.body).digest('hex')).toBe(daily.headers['x-content-sha256']);
    const json = daily.json<{
      registrations: { label: string; annulled: boolean }[];
      annulments: { label: string; measure: string }[];
    }>();
    expect(json.registrations.map((r) => [r.label, r.annulled])).toEqual([
      ['AOO_092/0000001', false],
      ['AOO_092/0000002', true],
    ]);
    expect(json.annulments).toEqual([
      expect.objectContaining({ label: 'AOO_092/0000002', measure: 'Determinazione n. 12 del 7/5/2021' }),
    ]);
    const pdf = await call(
      'GET',
      '/api/v1/protocol/AOO_092/daily-registers/2021-05-07?format=pdf',
      puglia.token,
    );
    const text = pdfText(pdf.rawPayload);
    expect(text).toContain(daily.headers['x-content-sha256'] as string);
    expect(text).toContain('0000002');
  });

  it('keeps registered fields immutable in the database itself', async () => {
    const db = h.db.db;
    await expect(
      sql`UPDATE protocol_registrations SET subject = 'altro' WHERE number = 1`.execute(db),
    ).rejects.toThrow();
    await expect(sql`DELETE FROM protocol_registrations WHERE number = 1`.execute(db)).rejects.toThrow();
    await expect(sql`DELETE FROM protocol_annulments`.execute(db)).rejects.toThrow();
    await expect(sql`UPDATE protocol_counters SET last_number = 1`.execute(db)).rejects.toThrow();
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM protocol_registrations`.execute(
      db,
    );
    expect(rows[0]!.n).toBe(2);
  });

  it('drafts the restoration notice when the incident is resolved and, once approved, sends it to the same RUPs citing the original protocol', async () => {
    h.clock.set('2021-05-07T18:00:00+02:00');
    const resolved = await call('POST', `/api/v1/incidents/${incidentCode}/updates`, staff.token, {
      state: 'resolved',
      message: 'Servizi ripristinati.',
      resolvedAt: '2021-05-07T17:30:00+02:00',
    });
    expect(resolved.statusCode).toBe(200);
    const drafts = (await call('GET', '/api/v1/notice-drafts', staff.token)).json<{
      items: { id: string; kind: string; restorationOf: string; body: string }[];
    }>().items;
    expect(drafts).toHaveLength(1);
    const draft = drafts[0]!;
    expect(draft).toMatchObject({ kind: 'restoration', restorationOf: noticeId });
    expect(draft.body).toContain('dal 03/05/2021 08:00 al 07/05/2021 17:30');
    expect(draft.body).toMatch(/entro il \d{2}\/\d{2}\/2021/);
    // Not public until approved.
    expect((await call('GET', `/api/v1/notices/${draft.id}`)).statusCode).toBe(404);

    h.clock.set('2021-05-10T09:00:00+02:00');
    expect((await call('POST', `/api/v1/notices/${draft.id}/approval`, puglia.token)).statusCode).toBe(403);
    const badLink = await call('POST', `/api/v1/notices/${draft.id}/approval`, staff.token, {
      sourceUrl: 'javascript:alert(1)',
    });
    expect(badLink.statusCode).toBe(400);
    expect(badLink.json()).toMatchObject({ field: 'sourceUrl' });
    const ownLink = 'https://www.anticorruzione.it/-/ripristino-dei-servizi-on-line';
    const approved = await call('POST', `/api/v1/notices/${draft.id}/approval`, staff.token, {
      sourceUrl: ownLink,
    });
    expect(approved.statusCode).toBe(200);
    const { relays } = approved.json<{ relays: { id: string; protocol: string; recipients: number }[] }>();
    expect(relays).toEqual([{ id: expect.any(String), protocol: 'AOO_092/0000003', recipients: 4 }]);
    expect((await call('POST', `/api/v1/notices/${draft.id}/approval`, staff.token)).statusCode).toBe(409);

    const restoration = relays[0]!.id;
    const report = (await call('GET', `/api/v1/relays/${restoration}/report`, puglia.token)).json<{
      recipients: { address: string }[];
    }>();
    expect(report.recipients.map((r) => r.address).sort()).toEqual(rups.map((r) => r.user.email).sort());
    const text = pdfText(
      (await call('GET', `/api/v1/relays/${restoration}/letter.pdf`, puglia.token)).rawPayload,
    );
    expect(text).toContain('AOO_092/0000003');
    expect(text).toContain('Facendo seguito alla nota prot. AOO_092/0000001 del 07/05/2021');
    // The restoration notice has its own link, not the outage comunicato's.
    expect(text.replace(/\s+/g, '')).toContain(ownLink);
    expect(text).not.toContain('comunicato-del-6-maggio-2021');
    expect(draft.body).not.toContain('comunicato-del-6-maggio-2021');
    expect((await call('GET', `/api/v1/notices/${draft.id}`)).json()).toMatchObject({ sourceUrl: ownLink });
    expect(await dispatch()).toEqual({ sent: 4, failed: 0, retried: 0 });
  });
});

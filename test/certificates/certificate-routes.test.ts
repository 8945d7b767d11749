import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, bearer, type Harness } from '../support/harness.js';
import { sampleLot } from '../support/factories.js';
import { engineName } from '../support/test-db.js';

const multipart = (file: Buffer, filename: string, type: string) => {
  const boundary = '----garaTestBoundary7MA4YWxk';
  return {
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload: Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`,
      ),
      file,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]),
  };
};

describe(`downtime certificate routes (${engineName()})`, () => {
  let h: Harness;
  let staff: Awaited<ReturnType<Harness['factories']['user']>>;
  let bari: Awaited<ReturnType<Harness['factories']['rup']>>;
  let lecce: Awaited<ReturnType<Harness['factories']['rup']>>;
  let code: string;
  let bariCig: string;
  let lecceCig: string;
  const call = (method: 'GET' | 'POST', url: string, token?: string, payload?: unknown) =>
    h.app.inject({
      method,
      url,
      headers: token ? bearer(token) : {},
      ...(payload === undefined ? {} : { payload: payload as object }),
    });

  beforeAll(async () => {
    h = await createHarness({ now: '2026-03-30T08:00:00Z', demoSignIn: true });
    staff = await h.factories.user('authority_staff');
    bari = await h.factories.rup({ section: 'PUG' });
    lecce = await h.factories.rup({ section: 'PUG' });
    // Two lots whose bids close at 10:00 on 3 April, one per authority.
    for (const rup of [bari, lecce]) {
      h.clock.set('2026-03-30T08:00:00Z');
      const { lots } = await h.factories.tender(rup.actor, { lots: [sampleLot()] });
      const cig = lots[0]!.cig;
      h.clock.set('2026-04-01T08:00:00Z');
      const perfected = await call('POST', `/api/v1/lots/${cig}/perfection`, rup.token, {
        publicationDate: '2026-03-31',
        bidDeadline: '2026-04-03T10:00:00+02:00',
      });
      expect(perfected.statusCode, perfected.body).toBe(200);
      if (rup === bari) bariCig = cig;
      else lecceCig = cig;
    }
    h.clock.set('2026-04-03T09:00:00+02:00');
    const opened = await call('POST', '/api/v1/incidents', staff.token, {
      title: 'Acquisizione CIG non disponibile',
      impact: 'major_outage',
      services: ['cig_issuance'],
      startedAt: '2026-04-03T08:30:00+02:00',
      message: 'Il servizio non risponde.',
    });
    expect(opened.statusCode).toBe(201);
    code = opened.json().code;
    h.clock.set('2026-04-03T12:00:00+02:00');
    const resolved = await call('POST', `/api/v1/incidents/${code}/updates`, staff.token, {
      state: 'resolved',
      message: 'Servizio ripristinato.',
      resolvedAt: '2026-04-03T11:15:00+02:00',
    });
    expect(resolved.statusCode).toBeLessThan(300);
  });
  afterAll(() => h.close());

  it('serves the certificate page, its signed PDF and JSON to anyone, and links it from /stato', async () => {
    const id = `ATT-${code}`;
    const page = await h.app.inject(`/stato/attestazioni/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain(`Attestazione di disservizio ${id}`);
    expect(page.body).toContain(`href="/stato/attestazioni/${id}.pdf"`);
    expect(page.body).toContain(`href="/stato/attestazioni/${id}.json"`);
    expect(page.body).toContain('03/04/2026 ore 08:30:00 (ora italiana');

    const pdf = await h.app.inject(`/stato/attestazioni/${id}.pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');

    const json = await h.app.inject(`/stato/attestazioni/${id}.json`);
    expect(json.statusCode).toBe(200);
    const jws = json.json<{ protected: string; payload: string; signature: string }>();
    const payload = JSON.parse(Buffer.from(jws.payload, 'base64url').toString());
    expect(payload).toMatchObject({
      id,
      subject: { code },
      end: { europeRome: '2026-04-03T11:15:00+02:00' },
    });
    expect(JSON.parse(Buffer.from(jws.protected, 'base64url').toString())).toMatchObject({
      alg: 'ES256',
      x5c: [expect.any(String)],
    });

    const status = await h.app.inject('/stato');
    expect(status.body).toContain(`href="/stato/attestazioni/${id}"`);
    expect(status.body).toContain('href="/stato/attestazioni/verifica"');
  });

  it('answers an unknown certificate with an Italian 404 page', async () => {
    for (const url of ['/stato/attestazioni/ATT-INC-2026-9999', '/stato/attestazioni/nonsense.pdf']) {
      const res = await h.app.inject(url);
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.body).toContain('Attestazione non trovata');
    }
  });

  it('verifies an uploaded PDF: valid, one changed byte invalid with the Italian reason, non-PDF and huge files refused', async () => {
    const pdf = (await h.app.inject(`/stato/attestazioni/ATT-${code}.pdf`)).rawPayload;
    const form = await h.app.inject('/stato/attestazioni/verifica');
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('enctype="multipart/form-data"');

    const ok = await h.app.inject({
      method: 'POST',
      url: '/stato/attestazioni/verifica',
      ...multipart(pdf, 'attestazione.pdf', 'application/pdf'),
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('Firma valida.');
    expect(ok.body).toContain(`ATT-${code}`);

    const changed = Buffer.from(pdf);
    const at = changed.indexOf('stream\n') + 30;
    changed[at] = changed[at]! ^ 0x20;
    const bad = await h.app.inject({
      method: 'POST',
      url: '/stato/attestazioni/verifica',
      ...multipart(changed, 'attestazione.pdf', 'application/pdf'),
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('Firma non valida.');
    expect(bad.body).toContain('Il documento è stato modificato dopo la firma');

    const raw = await h.app.inject({
      method: 'POST',
      url: '/stato/attestazioni/verifica',
      headers: { 'content-type': 'application/pdf' },
      payload: pdf,
    });
    expect(raw.statusCode).toBe(200);

    const text = await h.app.inject({
      method: 'POST',
      url: '/stato/attestazioni/verifica',
      ...multipart(Buffer.from('non sono un PDF'), 'nota.txt', 'text/plain'),
    });
    expect(text.statusCode).toBe(415);
    expect(text.body).toContain('Il file non è un PDF');

    const huge = await h.app.inject({
      method: 'POST',
      url: '/stato/attestazioni/verifica',
      ...multipart(Buffer.alloc(3 * 1024 * 1024, 0x41), 'grande.pdf', 'application/pdf'),
    });
    expect(huge.statusCode).toBe(413);
    expect(huge.body).toContain('dimensione massima di 2 MB');

    const empty = await h.app.inject({
      method: 'POST',
      url: '/stato/attestazioni/verifica',
      headers: { 'content-type': 'application/pdf' },
      payload: Buffer.alloc(0),
    });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('Nessun file caricato');
  });

  it('lists for a RUP only their own lots whose deadline fell in the outage, with the certificate', async () => {
    const mine = await call('GET', '/api/v1/me/outage-certificates', bari.token);
    expect(mine.statusCode).toBe(200);
    const items = mine.json<{ items: { cig: string; certificateId: string; certificateUrl: string }[] }>()
      .items;
    expect(items.map((i) => i.cig)).toEqual([bariCig]);
    expect(items[0]).toMatchObject({
      incident: code,
      certificateId: `ATT-${code}`,
      certificateUrl: `/stato/attestazioni/ATT-${code}`,
    });
    expect(items.map((i) => i.cig)).not.toContain(lecceCig);
    const theirs = await call('GET', '/api/v1/me/outage-certificates', lecce.token);
    expect(theirs.json<{ items: { cig: string }[] }>().items.map((i) => i.cig)).toEqual([lecceCig]);
    expect((await call('GET', '/api/v1/me/outage-certificates', staff.token)).statusCode).toBe(403);
    expect((await call('GET', '/api/v1/me/outage-certificates')).statusCode).toBe(401);
  });

  it("links the certificate from the RUP's portal page of deadlines in outages and from the staff incident page", async () => {
    const session = async (userId: string) => {
      const form = await h.app.inject({ url: '/accedi' });
      const csrf = /name="csrf" value="([^"]+)"/.exec(form.body)![1]!;
      const loginCookie = form.cookies.find((c) => c.name === 'gara_csrf_accesso')!.value;
      const signed = await h.app.inject({
        method: 'POST',
        url: '/accedi',
        headers: { cookie: `gara_csrf_accesso=${loginCookie}` },
        payload: { csrf, utente: userId, dopo: '/area-personale' },
      });
      expect(signed.statusCode).toBe(303);
      return `gara_sessione=${signed.cookies.find((c) => c.name === 'gara_sessione')!.value}`;
    };
    const link = `href="/stato/attestazioni/ATT-${code}"`;
    const rupPage = await h.app.inject({
      url: '/area-personale/scadenze-nei-disservizi',
      headers: { cookie: await session(bari.user.id) },
    });
    expect(rupPage.statusCode).toBe(200);
    expect(rupPage.body).toContain(bariCig);
    expect(rupPage.body).not.toContain(lecceCig);
    expect(rupPage.body).toContain(link);
    const staffPage = await h.app.inject({
      url: `/area-personale/disservizi/${code}`,
      headers: { cookie: await session(staff.user.id) },
    });
    expect(staffPage.statusCode).toBe(200);
    expect(staffPage.body).toContain(link);
  });

  it('POST /api/v1/notices names the maintenance a comunicato announces', async () => {
    h.clock.set('2026-04-10T08:00:00Z');
    const maintenance = await call('POST', '/api/v1/maintenances', staff.token, {
      title: 'Aggiornamento del portale',
      description: 'Intervento programmato.',
      services: ['portal'],
      startsAt: '2026-04-10T20:00:00Z',
      endsAt: '2026-04-10T21:00:00Z',
    });
    expect(maintenance.statusCode, maintenance.body).toBe(201);
    const maintenanceId = maintenance.json<{ id: string }>().id;
    const notice = {
      title: 'Manutenzione del portale',
      noticeDate: '2026-04-10',
      kind: 'maintenance',
      body: 'Il portale non sarà disponibile dalle 22:00 alle 23:00.',
    };
    const published = await call('POST', '/api/v1/notices', staff.token, {
      ...notice,
      maintenance: maintenanceId,
    });
    expect(published.statusCode, published.body).toBe(201);
    expect(published.json()).toMatchObject({ maintenanceId, incidentId: null });
    const unknown = await call('POST', '/api/v1/notices', staff.token, {
      ...notice,
      maintenance: '00000000-0000-4000-8000-000000000000',
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ field: 'maintenance' });
    const both = await call('POST', '/api/v1/notices', staff.token, {
      ...notice,
      maintenance: maintenanceId,
      incident: code,
    });
    expect(both.statusCode).toBe(400);
    expect(both.json()).toMatchObject({ field: 'maintenance' });
  });
});

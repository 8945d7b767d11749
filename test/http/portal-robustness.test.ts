import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scheduleMaintenance } from '../../src/services/continuity/maintenance.js';
import { createHarness, type Harness } from '../support/harness.js';
import { engineName } from '../support/test-db.js';

/**
 * Malformed input to the portal's pages and forms gets an Italian 4xx page naming the problem (or the
 * form again, with the field marked), never a 500, and writes nothing: ids that are not ids, impossible
 * dates, huge page numbers, a CSRF token with non-ASCII characters, a return address with them.
 */
describe(`portal: malformed input (${engineName()})`, () => {
  let h: Harness;
  let rup: Awaited<ReturnType<Harness['factories']['rup']>>;
  let staff: Awaited<ReturnType<Harness['factories']['user']>>;
  let authority: Awaited<ReturnType<Harness['factories']['user']>>;

  /** Signs in with the demo sign-in; returns the cookie header and the session's CSRF token. */
  async function signIn(userId: string): Promise<{ cookie: string; csrf: string }> {
    const page = await h.app.inject({ url: '/accedi' });
    const loginCsrf = /name="csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const loginCookie = page.cookies.find((c) => c.name === 'gara_csrf_accesso')!.value;
    const signed = await h.app.inject({
      method: 'POST',
      url: '/accedi',
      headers: { cookie: `gara_csrf_accesso=${loginCookie}` },
      payload: { csrf: loginCsrf, utente: userId, dopo: '/area-personale' },
    });
    expect(signed.statusCode).toBe(303);
    const cookie = `gara_sessione=${signed.cookies.find((c) => c.name === 'gara_sessione')!.value}`;
    const home = await h.app.inject({ url: '/area-personale', headers: { cookie } });
    return { cookie, csrf: /name="csrf" value="([^"]+)"/.exec(home.body)![1]! };
  }

  beforeAll(async () => {
    h = await createHarness({ demoSignIn: true });
    rup = await h.factories.rup({ place: '016072006', section: 'PUG' });
    staff = await h.factories.user('regional_staff', { regionalSectionCode: 'PUG' });
    authority = await h.factories.user('authority_staff');
  });
  afterAll(() => h.close());

  it('ids that cannot be ids are pages that do not exist (404), not database errors', async () => {
    const { cookie, csrf } = await signIn(staff.user.id);
    for (const url of [
      '/area-personale/inoltri/x',
      '/area-personale/inoltri/------------------------------------',
      '/area-personale/inoltri/x/esito.csv',
      '/area-personale/protocollo/registrazioni/x',
      '/comunicati/x',
    ]) {
      const res = await h.app.inject({ url, headers: { cookie } });
      expect(res.statusCode, url).toBe(404);
      expect(res.body, url).toContain('Pagina non trovata');
    }
    const post = await h.app.inject({
      method: 'POST',
      url: '/area-personale/comunicati/x/inoltri',
      headers: { cookie },
      payload: { csrf },
    });
    expect(post.statusCode).toBe(404);
    const bad = await h.app.inject({ url: '/accedi' });
    const refused = await h.app.inject({
      method: 'POST',
      url: '/accedi',
      headers: {
        cookie: `gara_csrf_accesso=${bad.cookies.find((c) => c.name === 'gara_csrf_accesso')!.value}`,
      },
      payload: { csrf: /name="csrf" value="([^"]+)"/.exec(bad.body)![1]!, utente: 'x' },
    });
    expect(refused.statusCode).toBe(422);
  });

  it('an urgent procedure without the deadline day is refused beside the field, nothing registered', async () => {
    const { cookie, csrf } = await signIn(rup.user.id);
    const before = await h.deps.store.continuity.listProvisional({});
    const res = await h.app.inject({
      method: 'POST',
      url: '/area-personale/procedure-urgenti/nuova',
      headers: { cookie },
      payload: {
        csrf,
        oggetto: 'Lavori urgenti',
        procedura: '3',
        settore: 'ordinary',
        oggetto_contratto: 'works',
        lotto_oggetto: 'Lotto',
        importo: '1000,00',
        cpv: '45233140',
        luogo: '016072006',
        data_pubblicazione: '2026-03-02',
        scadenza_data: '',
        scadenza_ora: '12:00',
        motivo_urgenza: '2',
        motivazione: 'Il ponte è chiuso: i lavori non possono attendere.',
      },
    });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    expect(await h.deps.store.continuity.listProvisional({})).toHaveLength(before.length);
  });

  it('impossible days and page numbers, and a non-ASCII CSRF token or return address, are 4xx or ignored', async () => {
    const { cookie, csrf } = await signIn(staff.user.id);
    const far = await h.app.inject({
      url: '/area-personale/protocollo?data=9999-12-31',
      headers: { cookie },
    });
    expect(far.statusCode).toBe(200);
    expect(far.body).toContain('Indica un giorno valido.');
    const pdf = await h.app.inject({
      url: '/area-personale/protocollo/AOO_092/registro-giornaliero/9999-12-31.pdf',
      headers: { cookie },
    });
    expect(pdf.statusCode).toBe(404);
    const huge = await h.app.inject({
      url: '/area-personale/gare?pagina=99999999999999999999999',
      headers: { cookie },
    });
    expect(huge.statusCode).toBe(200);
    const forged = await h.app.inject({
      method: 'POST',
      url: '/area-personale/manutenzioni',
      headers: { cookie },
      payload: { csrf: 'è'.repeat(csrf.length), titolo: 'x' },
    });
    expect(forged.statusCode).toBe(403);

    const page = await h.app.inject({ url: '/accedi' });
    const signed = await h.app.inject({
      method: 'POST',
      url: '/accedi',
      headers: {
        cookie: `gara_csrf_accesso=${page.cookies.find((c) => c.name === 'gara_csrf_accesso')!.value}`,
      },
      payload: { csrf: /name="csrf" value="([^"]+)"/.exec(page.body)![1]!, utente: rup.user.id, dopo: '/€' },
    });
    expect(signed.statusCode).toBe(303);
    expect(signed.headers.location).toBe('/area-personale');
  });

  it('the relay results CSV defuses cells a spreadsheet would run as formulas', async () => {
    const formulaRup = await h.factories.rup({ place: '016072006', section: 'PUG' });
    await h.deps.store.registry.updateUser(
      formulaRup.user.id,
      { name: '=HYPERLINK("http://x")' },
      new Date(),
    );
    const published = await h.app.inject({
      method: 'POST',
      url: '/api/v1/notices',
      headers: { authorization: `Bearer ${authority.token}` },
      payload: {
        title: 'Prova',
        noticeDate: '2026-03-02',
        kind: 'information',
        body: 'Testo del comunicato.',
      },
    });
    expect(published.statusCode).toBe(201);
    const relayed = await h.app.inject({
      method: 'POST',
      url: `/api/v1/notices/${published.json<{ id: string }>().id}/relays`,
      headers: { authorization: `Bearer ${staff.token}` },
      payload: {},
    });
    expect(relayed.statusCode).toBe(201);
    const relayId = relayed.json<{ id: string }>().id;
    const staffSession = await signIn(staff.user.id);
    const csv = await h.app.inject({
      url: `/area-personale/inoltri/${relayId}/esito.csv`,
      headers: { cookie: staffSession.cookie },
    });
    expect(csv.statusCode).toBe(200);
    expect(csv.body).toContain(`"'=HYPERLINK(""http://x"") - Comune di Prova`);
    expect(csv.body).not.toMatch(/(^|;)=HYPERLINK/m);
    // The API's report is the same file, defused the same way.
    const api = await h.app.inject({
      url: `/api/v1/relays/${relayId}/report?format=csv`,
      headers: { authorization: `Bearer ${staff.token}` },
    });
    expect(api.statusCode).toBe(200);
    expect(api.body).toBe(csv.body);
    expect(api.body).not.toMatch(/(^|[;,])"?=HYPERLINK/m);
  });

  it('the comunicato form marks an empty text as invalid and points to its message', async () => {
    const { cookie, csrf } = await signIn(authority.user.id);
    const res = await h.app.inject({
      method: 'POST',
      url: '/area-personale/redazione',
      headers: { cookie },
      payload: { csrf, titolo: 'Prova', data: '2026-03-02', tipo: 'information', testo: '' },
    });
    expect(res.statusCode).toBe(422);
    expect(res.body).toMatch(/<textarea[^>]*aria-invalid="true" aria-describedby="testo-errore"/);
    expect(res.body).toContain('id="testo-errore"');
  });

  it('the comunicato form names the maintenance it announces; an unknown one marks the field', async () => {
    const maintenance = await scheduleMaintenance(
      h.deps,
      {
        title: 'Aggiornamento notturno',
        description: 'Intervento programmato.',
        services: ['portal'],
        startsAt: new Date('2026-03-05T20:00:00Z'),
        endsAt: new Date('2026-03-05T21:00:00Z'),
      },
      authority.actor,
    );
    const { cookie, csrf } = await signIn(authority.user.id);
    const form = await h.app.inject({ url: '/area-personale/redazione', headers: { cookie } });
    expect(form.body).toContain(`<option value="${maintenance.id}"`);
    const fields = {
      csrf,
      titolo: 'Manutenzione',
      data: '2026-03-02',
      tipo: 'maintenance',
      testo: 'Avviso.',
    };
    for (const manutenzione of ['00000000-0000-4000-8000-000000000000', 'x']) {
      const res = await h.app.inject({
        method: 'POST',
        url: '/area-personale/redazione',
        headers: { cookie },
        payload: { ...fields, manutenzione },
      });
      expect(res.statusCode).toBe(422);
      expect(res.body).toContain('id="manutenzione-errore"');
    }
    const res = await h.app.inject({
      method: 'POST',
      url: '/area-personale/redazione',
      headers: { cookie },
      payload: { ...fields, manutenzione: maintenance.id },
    });
    expect(res.statusCode).toBe(201);
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM notices WHERE maintenance_id = ${maintenance.id}`.execute(h.db.db);
    expect(rows[0]?.n).toBe(1);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createHarness, type Harness } from '../support/harness.js';
import { uniqueNumericFiscalCode } from '../support/factories.js';
import { engineName } from '../support/test-db.js';

/**
 * Input PostgreSQL cannot store (U+0000, lone surrogates, year 0) and implausible dates are a 400 naming
 * the field, in bodies, query strings, path parameters and portal forms; nothing is written.
 */
describe(`bad input is a 400 naming the field (${engineName()})`, () => {
  let h: Harness;
  let admin: string;
  let staff: string;
  let regional: Awaited<ReturnType<Harness['factories']['user']>>;

  const rowCount = async (table: 'audit_log' | 'incidents' | 'notices' | 'economic_operators') =>
    Number(
      (
        await h.db.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    h = await createHarness({ demoSignIn: true });
    admin = (await h.factories.user('admin')).token;
    staff = (await h.factories.user('authority_staff')).token;
    regional = await h.factories.user('regional_staff', { regionalSectionCode: 'PUG' });
  });
  afterAll(() => h.close());

  /** Sends a raw JSON text (so that `\ud800` reaches the parser as written). */
  const post = (url: string, token: string, json: string) =>
    h.app.inject({
      method: 'POST',
      url,
      headers: { ...bearer(token), 'content-type': 'application/json' },
      payload: json,
    });

  const expectRefused = (
    res: Awaited<ReturnType<typeof post>>,
    field: string,
    reason?: string,
  ): Record<string, unknown> => {
    expect(res.statusCode, res.body).toBe(400);
    const problem = res.json<Record<string, unknown>>();
    expect(problem.code).toBe('validation_failed');
    expect(problem.field).toBe(field);
    if (reason) expect(problem.reason).toBe(reason);
    return problem;
  };

  it('U+0000 and lone surrogates in a JSON body: 400 naming the field, nothing written', async () => {
    const audit = await rowCount('audit_log');
    const operators = await rowCount('economic_operators');
    const fc = uniqueNumericFiscalCode();
    for (const [json, field] of [
      [`{"fiscalCode":"${fc}","name":"Impresa\\u0000"}`, 'name'],
      [`{"fiscalCode":"${fc}","name":"Impresa \\ud800"}`, 'name'],
      [`{"fiscalCode":"${fc}","name":"\\udc00 Impresa"}`, 'name'],
      [`{"fiscalCode":"${fc}","name":"Impresa","\\u0000":"x"}`, '\u0000'],
    ] as const) {
      const problem = expectRefused(
        await post('/api/v1/economic-operators', admin, json),
        field,
        'unsafe_text',
      );
      expect(String(problem.detail)).toContain('U+0000');
    }
    // Nested: the path names the array element.
    expectRefused(
      await post(
        '/api/v1/incidents',
        staff,
        JSON.stringify({ title: 'x', impact: 'degraded', services: ['cig_issuance'], message: 'm' }).replace(
          '"cig_issuance"',
          '"cig_issuance\\ud83d"',
        ),
      ),
      'services[0]',
      'unsafe_text',
    );
    // A surrogate pair (an emoji) is text: not refused by the guard.
    const emoji = await post(
      '/api/v1/economic-operators',
      admin,
      `{"fiscalCode":"${uniqueNumericFiscalCode()}","name":"Impresa \\ud83d\\ude00"}`,
    );
    expect(emoji.statusCode, emoji.body).toBe(201);
    expect(await rowCount('economic_operators')).toBe(operators + 1);
    expect(await rowCount('audit_log')).toBe(audit + 1);
  });

  it('JSON nested 10,000 deep, anonymous or not: 400, never a stack overflow', async () => {
    for (const json of [
      `{"codes":[${'['.repeat(10_000)}${']'.repeat(10_000)}]}`,
      `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`,
    ]) {
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/v1/cig-validations',
        headers: { 'content-type': 'application/json' },
        payload: json,
      });
      expect(res.statusCode, res.body.slice(0, 200)).toBe(400);
      expect(res.json()).toMatchObject({ code: 'validation_failed', reason: 'too_deep' });
    }
  });

  it('a portal field given twice (query or form): 400, not a 500 from code that expects text', async () => {
    const lookup = await h.app.inject({ method: 'GET', url: '/cig?codice=A0000065C5&codice=B' });
    expect(lookup.statusCode).toBe(400);
    const subscribe = await h.app.inject({
      method: 'POST',
      url: '/iscrizioni',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'email=a@example.org&email=b@example.org&servizi=cig_issuance',
    });
    expect(subscribe.statusCode).toBe(400);
    // check boxes are sent more than once on purpose
    const services = await h.app.inject({
      method: 'POST',
      url: '/iscrizioni',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'email=twice@example.org&servizi=cig_issuance&servizi=smart_cig',
    });
    expect(services.statusCode).toBeLessThan(400);
  });

  it('U+0000 in a query string or a path parameter: 400', async () => {
    expectRefused(
      await h.app.inject({ url: '/api/v1/economic-operators?q=a%00b', headers: bearer(admin) }),
      'q',
      'unsafe_text',
    );
    expectRefused(
      await h.app.inject({ url: '/api/v1/lots/A%00B', headers: bearer(admin) }),
      'cig',
      'unsafe_text',
    );
  });

  it('year 0000 and implausible dates in bodies: 400 naming the field, nothing written', async () => {
    const audit = await rowCount('audit_log');
    const notices = await rowCount('notices');
    const incidents = await rowCount('incidents');
    const notice = { title: 'Comunicato', body: 'Testo', kind: 'information' };
    for (const noticeDate of ['0000-01-01', '1970-01-01', '9999-12-31', '2101-01-01'])
      expectRefused(
        await post('/api/v1/notices', staff, JSON.stringify({ ...notice, noticeDate })),
        'noticeDate',
        'format',
      );
    for (const period of ['0000-01', '1970-12', '9999-01'])
      expectRefused(
        await post('/api/v1/sa-groupings/runs', staff, JSON.stringify({ period })),
        'period',
        'format',
      );
    const incident = { title: 'Guasto', impact: 'degraded', services: ['cig_issuance'], message: 'In corso' };
    for (const startedAt of [
      '0001-01-01T00:00:00Z',
      '0000-01-01T00:00:00Z',
      '1970-01-01T00:00:00Z',
      '9999-12-31T23:59:59Z',
      '2026-02-30T10:00:00Z',
      '2026-03-01T10:00:00',
    ])
      expectRefused(
        await post('/api/v1/incidents', staff, JSON.stringify({ ...incident, startedAt })),
        'startedAt',
        'format',
      );
    expect(await rowCount('notices')).toBe(notices);
    expect(await rowCount('incidents')).toBe(incidents);
    expect(await rowCount('audit_log')).toBe(audit);
    // The edges of the range are accepted.
    const first = await post(
      '/api/v1/incidents',
      staff,
      JSON.stringify({ ...incident, startedAt: '2026-03-01T10:00:00+01:00' }),
    );
    expect(first.statusCode, first.body).toBe(201);
  });

  it('a path that is not UTF-8 or holds a parameter over 100 characters: 400 problem+json', async () => {
    for (const [url, reason] of [
      ['/api/v1/lots/%ED%A0%80', 'bad_url'],
      [`/api/v1/lots/${'x'.repeat(300)}`, 'path_too_long'],
    ] as const) {
      const res = await h.app.inject({ url, headers: bearer(admin) });
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expectRefused(res, 'path', reason);
    }
  });

  it('a huge paging offset is a 400, not a database overflow', async () => {
    for (const url of [
      '/api/v1/notices?offset=1e308',
      '/api/v1/receipts?offset=1e308',
      '/api/v1/pec-receipts?offset=99999999999999999999',
      '/api/v1/outbox?offset=1e308',
    ])
      expectRefused(await h.app.inject({ url, headers: bearer(staff) }), 'offset', 'maximum');
  });

  it('year 0000 in a path parameter (daily register): 400, not a database error', async () => {
    for (const date of ['0000-01-01', '1970-01-01'])
      expectRefused(
        await h.app.inject({
          url: `/api/v1/protocol/AOO_092/daily-registers/${date}`,
          headers: bearer(regional.token),
        }),
        'date',
        'format',
      );
  });

  /** Signs in to the portal as the regional staff user; the session cookie and the incident form's CSRF token. */
  async function portalSession(): Promise<{ cookie: string; csrf: string }> {
    const page = await h.app.inject({ url: '/accedi' });
    const loginCsrf = /name="csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const loginCookie = page.cookies.find((c) => c.name === 'gara_csrf_accesso')!.value;
    const signed = await h.app.inject({
      method: 'POST',
      url: '/accedi',
      headers: { cookie: `gara_csrf_accesso=${loginCookie}` },
      payload: { csrf: loginCsrf, utente: regional.user.id, dopo: '/area-personale' },
    });
    expect(signed.statusCode).toBe(303);
    const cookie = `gara_sessione=${signed.cookies.find((c) => c.name === 'gara_sessione')!.value}`;
    const form = await h.app.inject({ url: '/area-personale/disservizi/nuovo', headers: { cookie } });
    expect(form.statusCode).toBe(200);
    return { cookie, csrf: /name="csrf" value="([^"]+)"/.exec(form.body)![1]! };
  }

  it('a portal form with U+0000: 400 page, nothing written', async () => {
    const { cookie, csrf } = await portalSession();
    const incidents = await rowCount('incidents');
    const audit = await rowCount('audit_log');
    const res = await h.app.inject({
      method: 'POST',
      url: '/area-personale/disservizi/nuovo',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        csrf,
        titolo: 'Guasto\u0000',
        impatto: 'degraded',
        servizi: 'cig_issuance',
        messaggio: 'In corso',
      }).toString(),
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.body).toContain('Richiesta non valida');
    expect(await rowCount('incidents')).toBe(incidents);
    expect(await rowCount('audit_log')).toBe(audit);
  });

  it('a portal form with a start in year 0000 or 1970: the form again with the field marked, nothing written', async () => {
    const { cookie, csrf } = await portalSession();
    const incidents = await rowCount('incidents');
    for (const inizio of ['0000-01-01', '0001-01-01', '1970-01-01']) {
      const res = await h.app.inject({
        method: 'POST',
        url: '/area-personale/disservizi/nuovo',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({
          csrf,
          titolo: 'Guasto',
          impatto: 'degraded',
          servizi: 'cig_issuance',
          messaggio: 'In corso',
          inizio_data: inizio,
          inizio_ora: '10:00',
        }).toString(),
      });
      expect(res.statusCode, inizio).toBe(422);
      expect(res.body).toContain('Errori nel modulo');
    }
    expect(await rowCount('incidents')).toBe(incidents);
  });
});

/**
 * SIMOG refusals and guarantees (issue 13, points 3-5): expired and closed tickets, another authority's
 * tender, invalid lot data, operations outside the WSDL or not supported, credentials weaker than the
 * REST API's, a repeated inserisciLotto (no second CIG), malformed envelopes and DTDs (SOAP faults), the
 * database down (503 + Retry-After fault), the WSDL served with this service's address. Responses of
 * the WSDL's operations are validated by xmllint against the WSDL's inline schema.
 */
import { sql } from 'kysely';
import * as soap from 'soap';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  specsAvailable,
  startSimogApp,
  TICKET_TTL_MS,
  validateBody,
  WSDL_PATH,
  type SimogHarness,
} from './support.js';

const engineName = () => (process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite');

type Client = soap.Client & Record<string, (args: unknown) => Promise<[Record<string, unknown>, string]>>;

async function call(client: Client, operation: string, args: unknown): Promise<Record<string, unknown>> {
  const [result, raw] = await client[`${operation}Async`](args);
  expect(validateBody(raw).errors, `${operation} response: ${raw}`).toBe('');
  return (result.return ?? {}) as Record<string, unknown>;
}

const attrs = (values: Record<string, string>) => ({
  attributes: Object.fromEntries(Object.entries(values).map(([k, v]) => [`tns:${k}`, v])),
});

const lotto = (extra: Record<string, string> = {}) => ({
  Lotto: attrs({
    OGGETTO: 'Fornitura di arredi scolastici',
    IMPORTO_LOTTO: '80000.00',
    IMPORTO_SA: '0',
    IMPORTO_IMPRESA: '0',
    CPV: '39160000',
    ID_SCELTA_CONTRAENTE: '6',
    ID_CATEGORIA_PREVALENTE: 'FB',
    TIPO_CONTRATTO: 'F',
    LUOGO_ISTAT: '016072006',
    ...extra,
  }),
});

const envelope = (body: string) =>
  `<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="xmlbeans.massload.simog.avlp.it"><s:Body>${body}</s:Body></s:Envelope>`;

describe.skipIf(!specsAvailable)(`SIMOG refusals and guarantees (${engineName()})`, () => {
  let h: SimogHarness;
  let client: Client;
  let rup: Awaited<ReturnType<SimogHarness['factories']['rup']>>;
  let ticket: string;
  let idGara: string;

  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${h.url}/simog/SimogWSPDD`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '""', ...headers },
      body,
    });

  beforeAll(async () => {
    h = await startSimogApp();
    client = (await soap.createClientAsync(WSDL_PATH, { endpoint: `${h.url}/simog/SimogWSPDD` })) as Client;
    rup = await h.factories.rup();
    ticket = (await call(client, 'login', { login: rup.user.email, password: rup.token })).ticket as string;
    const gara = await call(client, 'inserisciGara', {
      ticket,
      datiGara: {
        DatiGara: attrs({
          OGGETTO: 'Arredi per le scuole',
          ID_STAZIONE_APPALTANTE: rup.authority.fiscalCode,
          DENOM_STAZIONE_APPALTANTE: rup.authority.name,
          CF_AMMINISTRAZIONE: rup.authority.fiscalCode,
          DENOM_AMMINISTRAZIONE: rup.authority.name,
          CF_UTENTE: rup.user.fiscalCode ?? '',
          IMPORTO_GARA: '160000.00',
        }),
      },
    });
    idGara = gara.id_gara as string;
  });
  afterAll(() => h?.close());

  it('login refuses what the REST API would refuse: a wrong e-mail, a made-up or revoked token', async () => {
    const other = await h.factories.rup();
    for (const [login, password] of [
      [other.user.email, rup.token],
      [rup.user.email, 'gara_not-a-token'],
      [rup.user.email, ''],
    ]) {
      const answer = await call(client, 'login', { login, password });
      expect(answer.success).toBe(false);
      expect(answer.ticket).toBeUndefined();
      expect(answer.error).toMatch(/credenziali non valide/);
    }
    const rpnt = await call(client, 'loginRPNT', {
      login: rup.user.email,
      password: rup.token,
      cfrup: 'RSSMRA80A01H501U',
    });
    expect(rpnt.success).toBe(false);
    expect(rpnt.error).toMatch(/cfrup/);
    const own = await call(client, 'loginRPNT', {
      login: rup.user.email,
      password: rup.token,
      cfrup: rup.user.fiscalCode,
    });
    expect(own.success).toBe(true);
  });

  it('an expired ticket is refused, in the response type', async () => {
    const t = (await call(client, 'login', { login: rup.user.email, password: rup.token })).ticket as string;
    expect((await call(client, 'consultaNumeroGara', { ticket: t, id_gara: idGara })).success).toBe(true);
    h.clock.advance(TICKET_TTL_MS + 1000);
    try {
      const answer = await call(client, 'consultaNumeroGara', { ticket: t, id_gara: idGara });
      expect(answer.success).toBe(false);
      expect(answer.error).toMatch(/ticket non valido, scaduto o chiuso/);
    } finally {
      h.clock.advance(-(TICKET_TTL_MS + 1000));
    }
    const rows = await h.db.db
      .withTables<{ simog_tickets: { ticket_sha256: string } }>()
      .selectFrom('simog_tickets')
      .select('ticket_sha256')
      .execute();
    // stored hashed: no row holds a ticket as issued
    expect(rows.map((r) => r.ticket_sha256)).not.toContain(t);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.ticket_sha256))).toBe(true);
  });

  it("another authority's RUP gets 'not found' for this tender and its lots, and cannot add lots to it", async () => {
    const lot = await call(client, 'inserisciLotto', { ticket, id_gara: idGara, datiLotto: lotto() });
    const cig = (lot.cig as { cig: string }).cig;
    const other = await h.factories.rup();
    const t = (await call(client, 'login', { login: other.user.email, password: other.token }))
      .ticket as string;
    for (const [operation, args] of [
      ['consultaNumeroGara', { ticket: t, id_gara: idGara }],
      ['consultaGara', { ticket: t, CIG: cig }],
      ['inserisciLotto', { ticket: t, id_gara: idGara, datiLotto: lotto({ OGGETTO: 'Intruso' }) }],
      ['cancellaLotto', { ticket: t, cig, id_motivazione: '3' }],
      ['perfezionaLotto', { ticket: t, cig, dataPubblicazione: '2026-03-02', dataScadenzaPag: '2026-04-01' }],
      ['cancellaGara', { ticket: t, id_gara: idGara, id_motivazione: '5' }],
    ] as const) {
      const answer = await call(client, operation, args);
      expect(answer.success, operation).toBe(false);
      expect(answer.error, operation).toMatch(/Non trovato/);
    }
    const rest = await h.app.inject({
      url: `/api/v1/lots/${cig}`,
      headers: { authorization: `Bearer ${rup.token}` },
    });
    expect(rest.json()).toMatchObject({ state: 'issued' });
  });

  it('invalid lot data: the error names the field; nothing is issued', async () => {
    const before = await h.app.inject({
      url: `/api/v1/tenders/${idGara}`,
      headers: { authorization: `Bearer ${rup.token}` },
    });
    const count = (before.json() as { lots: unknown[] }).lots.length;
    const cases: [Record<string, string>, RegExp][] = [
      [{ IMPORTO_LOTTO: 'molti' }, /IMPORTO_LOTTO/],
      [{ IMPORTO_LOTTO: '-5' }, /IMPORTO_LOTTO/],
      [{ CPV: '99999999' }, /CPV/],
      [{ LUOGO_ISTAT: '000000000' }, /LUOGO_ISTAT/],
      [{ ID_SCELTA_CONTRAENTE: '9' }, /ID_SCELTA_CONTRAENTE/],
      [{ FLAG_CUP: 'X' }, /FLAG_CUP/],
      [{ ID_CATEGORIA_PREVALENTE: ' ' }, /ID_CATEGORIA_PREVALENTE/],
    ];
    for (const [extra, field] of cases) {
      const answer = await call(client, 'inserisciLotto', {
        ticket,
        id_gara: idGara,
        datiLotto: lotto(extra),
      });
      expect(answer.success, JSON.stringify(extra)).toBe(false);
      expect(answer.error).toMatch(field);
    }
    const missing = await post(
      envelope(
        `<t:inserisciLotto><ticket>${ticket}</ticket><id_gara>${idGara}</id_gara><datiLotto><Lotto t:OGGETTO="x"/></datiLotto></t:inserisciLotto>`,
      ),
    );
    const body = await missing.text();
    expect(missing.status).toBe(200);
    expect(body).toMatch(/<success>false<\/success><error>[^<]*IMPORTO_LOTTO[^<]*obbligatorio/);
    expect(validateBody(body).errors).toBe('');
    const unqualified = await post(
      envelope(
        `<t:inserisciLotto><ticket>${ticket}</ticket><id_gara>${idGara}</id_gara><datiLotto><Lotto OGGETTO="x"/></datiLotto></t:inserisciLotto>`,
      ),
    );
    expect(await unqualified.text()).toMatch(/qualificato \(tns:OGGETTO\)/);
    const after = await h.app.inject({
      url: `/api/v1/tenders/${idGara}`,
      headers: { authorization: `Bearer ${rup.token}` },
    });
    expect((after.json() as { lots: unknown[] }).lots).toHaveLength(count);
  });

  it('a repeated inserisciLotto (a retry after a timeout) gets the same CIG, not a second one', async () => {
    const request = {
      ticket,
      id_gara: idGara,
      datiLotto: lotto({ OGGETTO: 'Lotto ripetuto dopo un timeout' }),
    };
    const first = await call(client, 'inserisciLotto', request);
    const again = await call(client, 'inserisciLotto', request);
    expect(first.success).toBe(true);
    expect((again.cig as { cig: string }).cig).toBe((first.cig as { cig: string }).cig);
    // Concurrent repeats too: one CIG.
    const parallel = await Promise.all(
      [1, 2, 3].map(() =>
        call(client, 'inserisciLotto', {
          ...request,
          datiLotto: lotto({ OGGETTO: 'Lotto ripetuto in parallelo' }),
        }),
      ),
    );
    const issued = new Set(parallel.filter((p) => p.success).map((p) => (p.cig as { cig: string }).cig));
    expect(issued.size).toBe(1);
    // With an Idempotency-Key header, the key decides: two keys, two lots with identical data.
    const body = (key: string) =>
      post(
        envelope(
          `<t:inserisciLotto><ticket>${ticket}</ticket><id_gara>${idGara}</id_gara><datiLotto><Lotto t:OGGETTO="Gemello" t:IMPORTO_LOTTO="1000" t:IMPORTO_SA="0" t:IMPORTO_IMPRESA="0" t:CPV="39160000" t:ID_SCELTA_CONTRAENTE="6" t:ID_CATEGORIA_PREVALENTE="FB" t:LUOGO_ISTAT="016072006"/></datiLotto></t:inserisciLotto>`,
        ),
        { 'idempotency-key': key },
      ).then((r) => r.text());
    const cigOf = (xml: string) => /<cig><applicazione>[^]*?<cig>([A-Z0-9]{10})<\/cig>/.exec(xml)?.[1];
    const a1 = await body('piattaforma-0001');
    const a2 = await body('piattaforma-0001');
    const b1 = await body('piattaforma-0002');
    expect(cigOf(a1)).toBeDefined();
    expect(cigOf(a2)).toBe(cigOf(a1));
    expect(cigOf(b1)).not.toBe(cigOf(a1));
  });

  it('a tender number reserved by inserisciGara and never given a lot is cancelled; no lot is added to it', async () => {
    const gara = await call(client, 'inserisciGara', {
      ticket,
      datiGara: {
        DatiGara: attrs({
          OGGETTO: 'Gara riservata e poi cancellata',
          ID_STAZIONE_APPALTANTE: rup.authority.fiscalCode,
          DENOM_STAZIONE_APPALTANTE: rup.authority.name,
          CF_AMMINISTRAZIONE: rup.authority.fiscalCode,
          DENOM_AMMINISTRAZIONE: rup.authority.name,
          CF_UTENTE: rup.user.fiscalCode ?? '',
          IMPORTO_GARA: '10000.00',
        }),
      },
    });
    const id = gara.id_gara as string;
    const noReason = await call(client, 'cancellaGara', { ticket, id_gara: id, id_motivazione: '2' });
    expect(noReason.success).toBe(false);
    expect(noReason.error).toMatch(/id_motivazione/);
    const cancelled = await call(client, 'cancellaGara', { ticket, id_gara: id, id_motivazione: '7' });
    expect(cancelled.success, JSON.stringify(cancelled)).toBe(true);
    const [, raw] = await client.consultaNumeroGaraAsync({ ticket, id_gara: id });
    expect(raw).toContain('tns:ID_STATO_GARA="CANC"');
    expect(raw).toContain('tns:ID_MOTIVAZIONE="7"');
    const lot = await call(client, 'inserisciLotto', { ticket, id_gara: id, datiLotto: lotto() });
    expect(lot.success).toBe(false);
    expect(lot.error).toMatch(/cancellata/);
  });

  it('an operation of the WSDL gara does not support answers its own error in the response shape', async () => {
    const answer = await call(client, 'consultaIniziativa', { ticket, CIG: 'A000000000' });
    expect(answer.success).toBe(false);
    expect(answer.error).toMatch(/Operazione non supportata/);
    const dl = await call(client, 'integraDL133', { ticket, id_gara: idGara, flagDL133: 'S' });
    expect(dl.success).toBe(false);
  });

  it('an operation outside the WSDL, a malformed envelope, a DTD: SOAP faults, never a 500 page', async () => {
    for (const body of [
      envelope(`<t:rilasciaCigGratis><ticket>${ticket}</ticket></t:rilasciaCigGratis>`),
      envelope('<login xmlns="urn:altro"><login>a</login></login>'),
      '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><t:login xmlns:t="xmlbeans.massload.simog.avlp.it">',
      `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]>${envelope('<t:login><login>&e;</login></t:login>')}`,
      'not xml at all',
    ]) {
      const res = await post(body);
      const text = await res.text();
      expect(res.status, text).toBe(500);
      expect(res.headers.get('content-type')).toMatch(/^text\/xml/);
      expect(text).toMatch(
        /<soap:Fault><faultcode>soap:Client<\/faultcode><faultstring>[^<]+<\/faultstring><\/soap:Fault>/,
      );
    }
    const deep = envelope(`${'<a>'.repeat(40)}${'</a>'.repeat(40)}`);
    expect((await post(deep)).status).toBe(500);
  });

  it('a Body with two operation elements (document/literal: one part per message) is a soap:Client fault; nothing runs, nothing is written', async () => {
    const written = async () =>
      (
        await sql<{ n: string }>`SELECT (SELECT count(*) FROM lots) || '/' || (SELECT count(*) FROM audit_log)
          || '/' || (SELECT count(*) FROM idempotency_keys) || '/' || (SELECT count(*) FROM simog_lots)
          || '/' || (SELECT count(*) FROM simog_tickets WHERE revoked_at IS NOT NULL) AS n`.execute(h.db.db)
      ).rows[0]?.n;
    const lot = (object: string) =>
      `<t:inserisciLotto><ticket>${ticket}</ticket><id_gara>${idGara}</id_gara><datiLotto><Lotto t:OGGETTO="${object}" t:IMPORTO_LOTTO="1000" t:IMPORTO_SA="0" t:IMPORTO_IMPRESA="0" t:CPV="39160000" t:ID_SCELTA_CONTRAENTE="6" t:ID_CATEGORIA_PREVALENTE="FB" t:TIPO_CONTRATTO="F" t:LUOGO_ISTAT="016072006"/></datiLotto></t:inserisciLotto>`;
    const close = `<t:chiudiSessione><ticket>${ticket}</ticket></t:chiudiSessione>`;
    const before = await written();
    for (const [body, names] of [
      [`${lot('Primo di due')}${lot('Secondo di due')}`, 'inserisciLotto, inserisciLotto'],
      [`${lot('Prima della chiusura')}${close}`, 'inserisciLotto, chiudiSessione'],
      [`${close}${lot('Dopo la chiusura')}`, 'chiudiSessione, inserisciLotto'],
      [`${lot('Con un elemento estraneo')}<t:altro/>`, 'inserisciLotto, altro'],
    ] as const) {
      const res = await post(envelope(body));
      const text = await res.text();
      expect(res.status, text).toBe(500);
      expect(res.headers.get('content-type')).toMatch(/^text\/xml/);
      expect(text).toMatch(
        /<soap:Fault><faultcode>soap:Client<\/faultcode><faultstring>[^<]+<\/faultstring>/,
      );
      expect(text).toContain(`the SOAP Body holds 2 elements (${names})`);
      expect(text).toMatch(/exactly one operation element/);
    }
    expect(await written()).toBe(before);
    // chiudiSessione did not run either: the ticket still works
    expect((await call(client, 'consultaNumeroGara', { ticket, id_gara: idGara })).success).toBe(true);
  });

  it('while the database does not answer: a 503 SOAP fault with Retry-After; then it answers again', async () => {
    await h.setDatabaseUp(false);
    try {
      const res = await post(
        envelope(
          `<t:consultaNumeroGara><ticket>${ticket}</ticket><id_gara>${idGara}</id_gara></t:consultaNumeroGara>`,
        ),
      );
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(await res.text()).toMatch(/<faultcode>soap:Server<\/faultcode>/);
    } finally {
      await h.setDatabaseUp(true);
    }
    expect((await call(client, 'consultaNumeroGara', { ticket, id_gara: idGara })).success).toBe(true);
  });

  it('GET ?wsdl serves the official WSDL with this service as soap:address; ?xsd= its XSDs', async () => {
    const res = await fetch(`${h.url}/simog/SimogWSPDD?wsdl`);
    const wsdl = await res.text();
    expect(res.status).toBe(200);
    expect(wsdl).toContain(`<soap:address location='http://127.0.0.1:`);
    expect(wsdl).toContain(`/simog/SimogWSPDD'/>`);
    expect(wsdl).not.toContain('localhost:8080');
    const fromServed = (await soap.createClientAsync(`${h.url}/simog/SimogWSPDD?wsdl`)) as Client;
    const answer = await call(fromServed, 'consultaNumeroGara', { ticket, id_gara: idGara });
    expect(answer.success).toBe(true);
    const xsd = await fetch(`${h.url}/simog/SimogWSPDD?xsd=GaraWS.xsd`);
    expect(xsd.status).toBe(200);
    expect(await xsd.text()).toContain('<xsd:schema');
    expect((await fetch(`${h.url}/simog/SimogWSPDD?xsd=../../etc/passwd`)).status).toBe(404);
  });

  it('metrics count every operation by outcome', async () => {
    const text = await (await fetch(`${h.url}/metrics`)).text();
    expect(text).toMatch(
      /gara_simog_operation_duration_seconds_count\{operation="inserisciLotto",outcome="ok"\} [1-9]/,
    );
    expect(text).toMatch(
      /gara_simog_operation_duration_seconds_count\{operation="inserisciLotto",outcome="refused"\} [1-9]/,
    );
  });
});

describe.skipIf(!specsAvailable)(`SIMOG calls count against the API's rate limit (${engineName()})`, () => {
  let h: SimogHarness;
  beforeAll(async () => {
    h = await startSimogApp(undefined, { rateLimitMax: 5 });
  });
  afterAll(() => h?.close());

  it('per ticket: past RATE_LIMIT_MAX in the window, success=false with Retry-After; another ticket is not affected', async () => {
    const client = (await soap.createClientAsync(WSDL_PATH, {
      endpoint: `${h.url}/simog/SimogWSPDD`,
    })) as Client;
    const first = await h.factories.rup();
    const second = await h.factories.rup();
    const t1 = (await call(client, 'login', { login: first.user.email, password: first.token }))
      .ticket as string;
    const t2 = (await call(client, 'login', { login: second.user.email, password: second.token }))
      .ticket as string;
    const outcomes: boolean[] = [];
    for (let i = 0; i < 7; i++) {
      outcomes.push(
        (await call(client, 'consultaNumeroGara', { ticket: t1, id_gara: '1000000' })).error !== undefined,
      );
    }
    const limited = await call(client, 'consultaNumeroGara', { ticket: t1, id_gara: '1000000' });
    expect(limited.success).toBe(false);
    expect(limited.error).toMatch(/Troppe richieste/);
    const other = await call(client, 'consultaNumeroGara', { ticket: t2, id_gara: '1000000' });
    expect(other.error).not.toMatch(/Troppe richieste/);
  });
});

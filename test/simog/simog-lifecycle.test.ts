/**
 * The SIMOG web services driven by a real SOAP client (npm `soap`) built from the Authority's WSDL
 * (../shared/specs/anac-simog/SimogWSPDD.wsdl), against the app listening on an ephemeral port (issue 13,
 * point 5). Every response body the service produces here is validated by xmllint against the WSDL's
 * inline schema.
 */
import * as soap from 'soap';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { specsAvailable, startSimogApp, validateBody, WSDL_PATH, type SimogHarness } from './support.js';

const engineName = () => (process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite');

type Client = soap.Client & Record<string, (args: unknown) => Promise<[Record<string, unknown>, string]>>;

async function clientFor(h: SimogHarness): Promise<Client> {
  return (await soap.createClientAsync(WSDL_PATH, { endpoint: `${h.url}/simog/SimogWSPDD` })) as Client;
}

const responses: string[] = [];

/** Calls an operation; keeps the raw response body for the schema check. */
async function call(client: Client, operation: string, args: unknown): Promise<Record<string, unknown>> {
  const [result, raw] = await client[`${operation}Async`](args);
  responses.push(raw);
  const validation = validateBody(raw);
  expect(validation.errors, `${operation} response: ${raw}`).toBe('');
  return (result.return ?? {}) as Record<string, unknown>;
}

const attrs = (values: Record<string, string>) => ({
  attributes: Object.fromEntries(Object.entries(values).map(([k, v]) => [`tns:${k}`, v])),
});

function lotto(object: string, amount: string, extra: Record<string, string> = {}) {
  return {
    Lotto: attrs({
      OGGETTO: object,
      IMPORTO_LOTTO: amount,
      IMPORTO_SA: '0',
      IMPORTO_IMPRESA: '0',
      CPV: '50700000-2',
      ID_SCELTA_CONTRAENTE: '6',
      ID_CATEGORIA_PREVALENTE: 'FS',
      TIPO_CONTRATTO: 'S',
      LUOGO_ISTAT: '016072006',
      ...extra,
    }),
  };
}

describe.skipIf(!specsAvailable)(`SIMOG web services through a soap client (${engineName()})`, () => {
  let h: SimogHarness;
  let client: Client;
  let rup: Awaited<ReturnType<SimogHarness['factories']['rup']>>;
  beforeAll(async () => {
    h = await startSimogApp();
    client = await clientFor(h);
    rup = await h.factories.rup();
  });
  afterAll(() => h?.close());

  const gara = (extra: Record<string, string> = {}) => ({
    DatiGara: attrs({
      OGGETTO: 'Servizi di manutenzione degli immobili comunali',
      ID_STAZIONE_APPALTANTE: 'UFF-TECNICO',
      DENOM_STAZIONE_APPALTANTE: 'Ufficio tecnico',
      CF_AMMINISTRAZIONE: rup.authority.fiscalCode,
      DENOM_AMMINISTRAZIONE: rup.authority.name,
      CF_UTENTE: rup.user.fiscalCode ?? '',
      IMPORTO_GARA: '600000.00',
      ...extra,
    }),
  });

  it('login: lifecycle of a tender with three lots, perfezionamento, consultation, cancellations, chiudiSessione', async () => {
    const login = await call(client, 'login', { login: rup.user.email, password: rup.token });
    expect(login.success).toBe(true);
    const ticket = login.ticket as string;
    expect(ticket).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const coll = (login.coll as { collaborazioni: Record<string, string>[] | Record<string, string> })
      .collaborazioni;
    const first = Array.isArray(coll) ? coll[0] : coll;
    const index = first?.index as string;
    expect(first?.azienda_codiceFiscale).toBe(rup.authority.fiscalCode);

    const inserted = await call(client, 'inserisciGara', {
      ticket,
      indexCollaborazione: index,
      datiGara: gara(),
    });
    expect(inserted.success).toBe(true);
    const idGara = inserted.id_gara as string;
    expect(idGara).toMatch(/^[0-9]{7}$/);

    const cigs: string[] = [];
    for (const [i, amount] of ['200000.00', '250000.00', '150000.00'].entries()) {
      const lot = await call(client, 'inserisciLotto', {
        ticket,
        indexCollaborazione: index,
        id_gara: idGara,
        datiLotto: lotto(`Lotto ${i + 1}: manutenzione`, amount),
      });
      expect(lot.success, JSON.stringify(lot)).toBe(true);
      const bean = lot.cig as { cig: string; cigCicle: number };
      expect(bean.cig).toMatch(/^[A-U][0-9A-F]{9}$/);
      expect(Number(bean.cigCicle)).toBe(i + 1);
      cigs.push(bean.cig);
    }
    expect(new Set(cigs).size).toBe(3);
    // The REST API sees the same tender, three lots.
    const rest = await h.app.inject({
      url: `/api/v1/tenders/${idGara}`,
      headers: { authorization: `Bearer ${rup.token}` },
    });
    expect(rest.statusCode).toBe(200);
    expect((rest.json() as { lots: unknown[] }).lots).toHaveLength(3);

    // one lot cancelled (reason 2: CIG richiesto per errore)
    const cancelled = await call(client, 'cancellaLotto', {
      ticket,
      indexCollaborazione: index,
      cig: cigs[2],
      id_motivazione: '2',
    });
    expect(cancelled.success, JSON.stringify(cancelled)).toBe(true);

    for (const cig of cigs.slice(0, 2)) {
      const perfected = await call(client, 'perfezionaLotto', {
        ticket,
        indexCollaborazione: index,
        cig,
        dataPubblicazione: '2026-03-02',
        dataScadenzaPag: '2026-04-10',
        oraScadenza: '12:00',
      });
      expect(perfected.success, JSON.stringify(perfected)).toBe(true);
    }
    const tenderPerfected = await call(client, 'perfezionaGara', {
      ticket,
      indexCollaborazione: index,
      id_gara: idGara,
    });
    expect(tenderPerfected.success, JSON.stringify(tenderPerfected)).toBe(true);

    const consulted = await call(client, 'consultaGara', { ticket, CIG: cigs[0] });
    expect(consulted.success).toBe(true);
    expect(responses.at(-1)).toContain(`tns:ID_GARA="${idGara}"`);
    expect(responses.at(-1)).toContain('tns:ID_CATEGORIA_PREVALENTE="FS"');
    expect(responses.at(-1)).toContain('tns:DATA_PUBBLICAZIONE="2026-03-02T00:00:00"');
    expect(responses.at(-1)).toContain('tns:ID_STATO_GARA="CONF"');

    const byNumber = await call(client, 'consultaNumeroGara', { ticket, id_gara: idGara });
    expect(byNumber.success).toBe(true);
    for (const cig of cigs) expect(responses.at(-1)).toContain(`<CIG>${cig}</CIG>`);

    // A second tender, its only lot cancelled, then the tender cancelled (reason 6: errore materiale).
    const other = await call(client, 'inserisciGara', {
      ticket,
      datiGara: gara({ OGGETTO: 'Gara inserita per errore' }),
    });
    const otherLot = await call(client, 'inserisciLotto', {
      ticket,
      id_gara: other.id_gara,
      datiLotto: lotto('Unico lotto', '50000.00'),
    });
    const otherCig = (otherLot.cig as { cig: string }).cig;
    expect(
      (await call(client, 'cancellaLotto', { ticket, cig: otherCig, id_motivazione: '2' })).success,
    ).toBe(true);
    const tenderCancelled = await call(client, 'cancellaGara', {
      ticket,
      id_gara: other.id_gara,
      id_motivazione: '6',
      note_canc: 'Oggetto errato',
    });
    expect(tenderCancelled.success, JSON.stringify(tenderCancelled)).toBe(true);

    const closed = await call(client, 'chiudiSessione', { ticket });
    expect(closed.success).toBe(true);
    const after = await call(client, 'consultaGara', { ticket, CIG: cigs[0] });
    expect(after.success).toBe(false);
    expect(after.error).toMatch(/ticket/);
  });
});

/**
 * SIMOG pubblica (also the regularisation of a procedure started as "CIG in fase di acquisizione"),
 * modificaGara, modificaLotto (before perfezionamento only) and integraCUP, through the soap client; every
 * response validated by xmllint against the WSDL's inline schema.
 */
import * as soap from 'soap';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openIncident } from '../../src/services/continuity/incidents.js';
import { registerUrgentProcedure } from '../../src/services/continuity/register-urgent-procedure.js';
import { sampleLot } from '../support/factories.js';
import { specsAvailable, startSimogApp, validateBody, WSDL_PATH, type SimogHarness } from './support.js';

const engineName = () => (process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite');

type Client = soap.Client & Record<string, (args: unknown) => Promise<[Record<string, unknown>, string]>>;
let lastRaw = '';

async function call(client: Client, operation: string, args: unknown): Promise<Record<string, unknown>> {
  const [result, raw] = await client[`${operation}Async`](args);
  lastRaw = raw;
  expect(validateBody(raw).errors, `${operation} response: ${raw}`).toBe('');
  return (result.return ?? {}) as Record<string, unknown>;
}

const attrs = (values: Record<string, string>) => ({
  attributes: Object.fromEntries(Object.entries(values).map(([k, v]) => [`tns:${k}`, v])),
});

const lottoAttrs = (extra: Record<string, string> = {}) => ({
  OGGETTO: 'Servizio di pulizia',
  IMPORTO_LOTTO: '120000.00',
  IMPORTO_SA: '0',
  IMPORTO_IMPRESA: '0',
  CPV: '90910000',
  ID_SCELTA_CONTRAENTE: '6',
  ID_CATEGORIA_PREVALENTE: 'FS',
  TIPO_CONTRATTO: 'S',
  LUOGO_ISTAT: '016072006',
  ...extra,
});

describe.skipIf(!specsAvailable)(`SIMOG pubblica, modifica, integraCUP (${engineName()})`, () => {
  let h: SimogHarness;
  let client: Client;
  let rup: Awaited<ReturnType<SimogHarness['factories']['rup']>>;
  let ticket: string;
  const garaFor = (object: string) => ({
    DatiGara: attrs({
      OGGETTO: object,
      ID_STAZIONE_APPALTANTE: rup.authority.fiscalCode,
      DENOM_STAZIONE_APPALTANTE: rup.authority.name,
      CF_AMMINISTRAZIONE: rup.authority.fiscalCode,
      DENOM_AMMINISTRAZIONE: rup.authority.name,
      CF_UTENTE: rup.user.fiscalCode ?? '',
      IMPORTO_GARA: '120000.00',
    }),
  });
  const newLot = async (object: string) => {
    const gara = await call(client, 'inserisciGara', { ticket, datiGara: garaFor(object) });
    const lot = await call(client, 'inserisciLotto', {
      ticket,
      id_gara: gara.id_gara,
      datiLotto: { Lotto: attrs(lottoAttrs({ OGGETTO: object })) },
    });
    return { idGara: gara.id_gara as string, cig: (lot.cig as { cig: string }).cig };
  };

  beforeAll(async () => {
    h = await startSimogApp();
    client = (await soap.createClientAsync(WSDL_PATH, { endpoint: `${h.url}/simog/SimogWSPDD` })) as Client;
    rup = await h.factories.rup();
    ticket = (await call(client, 'login', { login: rup.user.email, password: rup.token })).ticket as string;
  });
  afterAll(() => h?.close());

  it('pubblica perfects an issued lot with its publication data, then records more publication data', async () => {
    const { cig } = await newLot('Pulizia della sede');
    const published = await call(client, 'pubblica', {
      ticket,
      cig,
      dataPubblicazione: '2026-03-02',
      dataScadenzaPag: '2026-03-30',
      oraScadenza: '12:00',
      datiPubblicazione: {
        Pubblicazione: attrs({ DATA_GURI: '2026-03-02T00:00:00', PROFILO_COMMITTENTE: 'S' }),
      },
    });
    expect(published.success, JSON.stringify(published)).toBe(true);
    expect(published.messaggio).toMatch(/perfezionato e pubblicato/);
    const lot = await h.app.inject({
      url: `/api/v1/lots/${cig}`,
      headers: { authorization: `Bearer ${rup.token}` },
    });
    expect(lot.json()).toMatchObject({ state: 'perfected', publicationDate: '2026-03-02' });
    const again = await call(client, 'pubblica', {
      ticket,
      cig,
      datiPubblicazione: { Pubblicazione: attrs({ DATA_ALBO: '2026-03-03T00:00:00' }) },
    });
    expect(again.success, JSON.stringify(again)).toBe(true);
    expect(again.messaggio).toMatch(/registrati/);
  });

  it('pubblica regularises a procedure started as "CIG in fase di acquisizione" (PROV- reference)', async () => {
    const staff = await h.factories.user('authority_staff');
    await openIncident(
      h.deps,
      {
        title: 'Interruzione del rilascio dei CIG',
        impact: 'major_outage',
        services: ['cig_issuance'],
        message: 'Il servizio non risponde.',
      },
      staff.actor,
    );
    const procedure = await registerUrgentProcedure(
      h.deps,
      {
        object: 'Riparazione urgente della rete idrica',
        procedureType: '6',
        sector: 'ordinary',
        contractObject: 'works',
        urgencyReason: '2',
        motivation: 'La rete perde: i lavori non possono attendere il ripristino del servizio.',
        lots: [
          { ...sampleLot(), publicationDate: '2026-03-02', bidDeadline: new Date('2026-03-20T11:00:00Z') },
        ],
      },
      rup.actor,
    );
    const other = await h.factories.rup();
    const otherTicket = (await call(client, 'login', { login: other.user.email, password: other.token }))
      .ticket as string;
    const refused = await call(client, 'pubblica', { ticket: otherTicket, cig: procedure.reference });
    expect(refused.success).toBe(false);
    const answer = await call(client, 'pubblica', { ticket, cig: procedure.reference });
    expect(answer.success, JSON.stringify(answer)).toBe(true);
    expect(answer.messaggio).toMatch(
      new RegExp(`Procedura regolarizzata: ${procedure.reference} .* CIG [A-U][0-9A-F]{9}`),
    );
    const again = await call(client, 'pubblica', { ticket, cig: procedure.reference });
    expect(again.messaggio).toMatch(/già regolarizzata/);
  });

  it('modificaGara before the first lot changes the object; after, the object stays', async () => {
    const gara = await call(client, 'inserisciGara', { ticket, datiGara: garaFor('Oggetto provvisorio') });
    const changed = await call(client, 'modificaGara', {
      ticket,
      id_gara: gara.id_gara,
      datiGara: garaFor('Oggetto definitivo'),
    });
    expect(changed.success, JSON.stringify(changed)).toBe(true);
    await call(client, 'inserisciLotto', {
      ticket,
      id_gara: gara.id_gara,
      datiLotto: { Lotto: attrs(lottoAttrs()) },
    });
    const number = await call(client, 'consultaNumeroGara', { ticket, id_gara: gara.id_gara });
    expect(number.success).toBe(true);
    expect(lastRaw).toContain('tns:OGGETTO="Oggetto definitivo"');
    const refused = await call(client, 'modificaGara', {
      ticket,
      id_gara: gara.id_gara,
      datiGara: garaFor('Altro oggetto'),
    });
    expect(refused.success).toBe(false);
    expect(refused.error).toMatch(/OGGETTO/);
  });

  it('modificaLotto changes the SIMOG data of an issued lot, not what the CIG was issued for, and not after perfezionamento', async () => {
    const { cig } = await newLot('Pulizia delle scuole');
    const changed = await call(client, 'modificaLotto', {
      ticket,
      cig,
      datiLotto: {
        Lotto: attrs(lottoAttrs({ OGGETTO: 'Pulizia delle scuole', ID_CATEGORIA_PREVALENTE: 'OS1' })),
      },
    });
    expect(changed.success, JSON.stringify(changed)).toBe(true);
    await call(client, 'consultaGara', { ticket, CIG: cig });
    expect(lastRaw).toContain('tns:ID_CATEGORIA_PREVALENTE="OS1"');
    const amount = await call(client, 'modificaLotto', {
      ticket,
      cig,
      datiLotto: {
        Lotto: attrs(lottoAttrs({ OGGETTO: 'Pulizia delle scuole', IMPORTO_LOTTO: '999999.00' })),
      },
    });
    expect(amount.success).toBe(false);
    expect(amount.error).toMatch(/IMPORTO_LOTTO/);
    await call(client, 'perfezionaLotto', {
      ticket,
      cig,
      dataPubblicazione: '2026-03-02',
      dataScadenzaPag: '2026-03-30',
    });
    const late = await call(client, 'modificaLotto', {
      ticket,
      cig,
      datiLotto: { Lotto: attrs(lottoAttrs({ OGGETTO: 'Pulizia delle scuole' })) },
    });
    expect(late.success).toBe(false);
    expect(late.error).toMatch(/perfezionato/);
  });

  it('integraCUP records valid CUPs and refuses malformed ones', async () => {
    const { cig } = await newLot('Pulizia dei parchi');
    const bad = await call(client, 'integraCUP', {
      ticket,
      cig,
      flagCUP: 'S',
      CUPLOTTO: { CODICICUP: [attrs({ CUP: 'NON-UN-CUP' })] },
    });
    expect(bad.success).toBe(false);
    expect(bad.error).toMatch(/CUP/);
    const ok = await call(client, 'integraCUP', {
      ticket,
      cig,
      flagCUP: 'S',
      CUPLOTTO: { CODICICUP: [attrs({ CUP: 'J51B21000010001' })] },
    });
    expect(ok.success, JSON.stringify(ok)).toBe(true);
    await call(client, 'consultaGara', { ticket, CIG: cig });
    expect(lastRaw).toContain('tns:CUP="J51B21000010001"');
    expect(lastRaw).toContain('tns:FLAG_CUP="S"');
  });

  it('consultaGara and consultaNumeroGara answer a tender created through the REST API, every required attribute present', async () => {
    const { tender, lots } = await h.factories.tender(rup.actor, {
      contractObject: 'works',
      lots: [sampleLot({ object: 'Rifacimento del manto stradale', cpv: '45233140' })],
    });
    const cig = lots[0]?.cig ?? '';
    const byCig = await call(client, 'consultaGara', { ticket, CIG: cig });
    expect(byCig.success, JSON.stringify(byCig)).toBe(true);
    expect(lastRaw).toContain(`tns:ID_GARA="${tender.tenderNumber}"`);
    expect(lastRaw).toContain('tns:TIPO_CONTRATTO="L"');
    expect(lastRaw).toContain('tns:ID_STATO_GARA="IN_LAV"');
    const byNumber = await call(client, 'consultaNumeroGara', {
      ticket,
      id_gara: String(tender.tenderNumber),
    });
    expect(byNumber.success).toBe(true);
    expect(lastRaw).toContain(`<CIG>${cig}</CIG>`);
  });
});

/**
 * npm run bench -- --only=simog: inserisciLotto through the SIMOG SOAP interface vs POST
 * /api/v1/tenders/{n}/lots through REST, in the same run, on PostgreSQL (32 connections). Every SOAP
 * request has a distinct OGGETTO, so none is answered from the idempotency store: each issues a CIG.
 * Target (issue 13): SOAP >= 0.5x the REST rate, SOAP p99 < 50 ms. Figures are medians of BENCH_ROUNDS;
 * each load first runs 2 s uncounted (warm-up). BENCH_PORT moves the service off port 3911.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import {
  cpuPerOperation,
  cpuTicks,
  load,
  report,
  startServer,
  type Measurement,
  type Server,
} from './support.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARM_UP_SECONDS = 2;
const CONNECTIONS = 32;
const PORT = Number(process.env.BENCH_PORT ?? 3911);
const NS = 'xmlbeans.massload.simog.avlp.it';

interface DemoToken {
  role: string;
  email: string;
  token: string;
}

const envelope = (body: string) =>
  `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:tns="${NS}"><soap:Body>${body}</soap:Body></soap:Envelope>`;

async function soapCall(server: Server, body: string): Promise<string> {
  const res = await fetch(`${server.url}/simog/SimogWSPDD`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '""' },
    body: envelope(body),
  });
  const text = await res.text();
  if (!text.includes('<success>true</success>')) throw new Error(`setup: SOAP call failed: ${text}`);
  return text;
}

const lotto = (object: string) =>
  `<datiLotto><Lotto tns:OGGETTO="${object}" tns:IMPORTO_LOTTO="250000.00" tns:IMPORTO_SA="0" tns:IMPORTO_IMPRESA="0" tns:CPV="50700000" tns:ID_SCELTA_CONTRAENTE="6" tns:ID_CATEGORIA_PREVALENTE="FS" tns:TIPO_CONTRATTO="S" tns:LUOGO_ISTAT="016072006"/></datiLotto>`;

interface SoapTarget {
  ticket: string;
  tender: string;
}

async function prepareSoap(server: Server, rups: DemoToken[], perRup: number): Promise<SoapTarget[]> {
  const targets: SoapTarget[] = [];
  for (const rup of rups) {
    const me = (await (
      await fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${rup.token}` } })
    ).json()) as { fiscalCode: string | null };
    const login = await soapCall(
      server,
      `<tns:login><login>${rup.email}</login><password>${rup.token}</password></tns:login>`,
    );
    const ticket = /<ticket>([^<]+)<\/ticket>/.exec(login)?.[1] ?? '';
    const cf = /<azienda_codiceFiscale>([^<]+)</.exec(login)?.[1] ?? '';
    for (let i = 0; i < perRup; i++) {
      const gara = await soapCall(
        server,
        `<tns:inserisciGara><ticket>${ticket}</ticket><datiGara><DatiGara tns:OGGETTO="Gara SIMOG del benchmark" tns:ID_STAZIONE_APPALTANTE="${cf}" tns:DENOM_STAZIONE_APPALTANTE="Stazione" tns:CF_AMMINISTRAZIONE="${cf}" tns:DENOM_AMMINISTRAZIONE="Amministrazione" tns:CF_UTENTE="${me.fiscalCode ?? ''}" tns:IMPORTO_GARA="250000.00"/></datiGara></tns:inserisciGara>`,
      );
      const tender = /<id_gara>([0-9]+)<\/id_gara>/.exec(gara)?.[1] ?? '';
      await soapCall(
        server,
        `<tns:inserisciLotto><ticket>${ticket}</ticket><id_gara>${tender}</id_gara>${lotto('Lotto iniziale')}</tns:inserisciLotto>`,
      );
      targets.push({ ticket, tender });
    }
  }
  return targets;
}

async function prepareRest(server: Server, rups: DemoToken[], perRup: number) {
  const targets: { token: string; tender: string }[] = [];
  for (const rup of rups) {
    for (let i = 0; i < perRup; i++) {
      const res = await fetch(`${server.url}/api/v1/tenders`, {
        method: 'POST',
        headers: { authorization: `Bearer ${rup.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          object: 'Gara REST del benchmark',
          procedureType: '6',
          sector: 'ordinary',
          contractObject: 'services',
          lots: [{ object: 'Lotto iniziale', amount: '250000.00', cpv: '50700000', place: '016072006' }],
        }),
      });
      if (res.status !== 201) throw new Error(`setup: ${res.status} ${await res.text()}`);
      targets.push({
        token: rup.token,
        tender: ((await res.json()) as { tenderNumber: string }).tenderNumber,
      });
    }
  }
  return targets;
}

export async function simogSection(baseUrl: string): Promise<void> {
  const schema = `bench_simog_${Date.now()}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'gara-bench-simog-'));
  const server = await startServer(
    {
      DATABASE_URL: url.toString(),
      DB_POOL_SIZE: String(CONNECTIONS),
      SEED_DEMO: 'always',
      DATA_DIR: dataDir,
    },
    PORT,
  );
  try {
    const rups = (JSON.parse(readFileSync(join(dataDir, 'demo-tokens.json'), 'utf8')) as DemoToken[]).filter(
      (t) => t.role === 'rup',
    );
    const rest = await prepareRest(server, rups, 4);
    const soap = await prepareSoap(server, rups, 4);
    console.log(
      `\nSIMOG inserisciLotto (SOAP) vs POST /tenders/{n}/lots (REST), PostgreSQL, ${CONNECTIONS} connections, ${ROUNDS} rounds x ${SECONDS}s, ${rups.length} RUPs`,
    );
    let n = 0;
    let i = 0;
    let j = 0;
    const lotBody = (object: string) =>
      JSON.stringify({ object, amount: '250000.00', cpv: '50700000', place: '016072006' });
    // The three loads: same connections, same lot (the SOAP one adds SIMOG's required attributes).
    const loads = {
      rest: (seconds: number, tag: string) =>
        load({
          url: server.url,
          connections: CONNECTIONS,
          durationSeconds: seconds,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          next: () => {
            const t = rest[i++ % rest.length]!;
            return {
              path: `/api/v1/tenders/${t.tender}/lots`,
              body: lotBody(`Lotto REST ${tag}${n++}`),
              headers: { authorization: `Bearer ${t.token}` },
            };
          },
        }),
      // REST with an Idempotency-Key: the guarantee SOAP always gives (its retries are safe too).
      restKeyed: (seconds: number, tag: string) =>
        load({
          url: server.url,
          connections: CONNECTIONS,
          durationSeconds: seconds,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          next: () => {
            const t = rest[i++ % rest.length]!;
            const k = n++;
            return {
              path: `/api/v1/tenders/${t.tender}/lots`,
              body: lotBody(`Lotto REST ${tag}${k}`),
              headers: { authorization: `Bearer ${t.token}`, 'idempotency-key': `bench-${k}` },
            };
          },
        }),
      soap: (seconds: number, tag: string) =>
        load({
          url: server.url,
          connections: CONNECTIONS,
          durationSeconds: seconds,
          method: 'POST',
          headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '""' },
          next: () => {
            const t = soap[j++ % soap.length]!;
            return {
              path: '/simog/SimogWSPDD',
              body: envelope(
                `<tns:inserisciLotto><ticket>${t.ticket}</ticket><id_gara>${t.tender}</id_gara>${lotto(`Lotto SOAP ${tag}${n++}`)}</tns:inserisciLotto>`,
              ),
            };
          },
        }),
    };
    // Warm-up, not counted: every path compiled and every cache filled before the first round.
    for (const run of Object.values(loads)) await run(WARM_UP_SECONDS, 'warm-up ');
    const results = { rest: [] as Measurement[], restKeyed: [] as Measurement[], soap: [] as Measurement[] };
    // CPU per request by process group (µs): the service's own is what the codec changes, and unlike the
    // rates it does not depend on what else runs on a shared machine.
    const cpu = { rest: [] as string[], restKeyed: [] as string[], soap: [] as string[] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const name of ['rest', 'restKeyed', 'soap'] as const) {
        const before = cpuTicks(server.process.pid);
        const measured = await loads[name](SECONDS, '');
        cpu[name].push(cpuPerOperation(before, cpuTicks(server.process.pid), measured.rps * SECONDS));
        results[name].push(measured);
      }
    }
    const r = report('REST POST /tenders/{n}/lots', results.rest);
    const k = report('REST POST .../lots with Idempotency-Key', results.restKeyed);
    const s = report('SOAP inserisciLotto', results.soap);
    for (const name of ['rest', 'restKeyed', 'soap'] as const)
      console.log(`  CPU µs per request, ${name}, by round: ${cpu[name].join(' | ')}`);
    console.log(
      `  SOAP/REST rate ratio ${(s.rps / r.rps).toFixed(2)} (target >= 0.5; vs REST with a key ${(s.rps / k.rps).toFixed(2)}); SOAP p99 ${s.p99.toFixed(1)} ms (target < 50 ms)`,
    );
    // Every SOAP answer counted above was a CIG, not a refusal answered with HTTP 200: compare. (On the
    // bench's own connection: the shared server may have no connection to spare for another pool.)
    const issued = await admin.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${schema}.lots l JOIN ${schema}.tenders t ON t.id = l.tender_id WHERE t.object = 'Gara SIMOG del benchmark' AND l.object LIKE 'Lotto SOAP %' AND l.object NOT LIKE 'Lotto SOAP warm-up %'`,
    );
    const requests = results.soap.reduce((sum, m) => sum + Math.round(m.rps * SECONDS), 0);
    console.log(
      `  SOAP lots issued in the database: ${issued.rows[0]?.n ?? '?'} for about ${requests} SOAP requests`,
    );
  } finally {
    await server.stop();
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

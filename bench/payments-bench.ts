/**
 * Contributions and pagoPA, on PostgreSQL: paSendRTV2 intake (receipts per second, each a fresh
 * payment), bidder-payment verification against /health/live, and payment-notice PDFs (HTTP and
 * in-process). Each figure is the median of BENCH_ROUNDS rounds.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { sendRtV2Request, type Receipt } from '../src/adapters/pagopa/pa-for-node-soap.js';
import { renderPaymentNotice } from '../src/adapters/pdf/payment-documents.js';
import { withNumericCheckDigit } from '../src/domain/registry/fiscal-code.js';
import { load, median, report, startServer, type Measurement, type Server } from './support.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
/** The subscription key the benchmark's "node" sends (the station accepts only the node). */
const BENCH_NODE_KEY = 'bench-node-subscription-key';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = 32;
const CREDITOR = '97584460584';

async function api<T>(
  server: Server,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? null : JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

function receipt(nav: string, iuv: string, payer: string): Receipt {
  return {
    receiptId: `BENCH${nav}`,
    noticeNumber: nav,
    fiscalCode: CREDITOR,
    outcome: 'OK',
    creditorReferenceId: iuv,
    paymentAmount: '33.00',
    description: 'Contributo ANAC',
    companyName: 'Autorità Nazionale Anticorruzione',
    debtor: { type: 'G', fiscalCode: payer, fullName: 'Impresa del benchmark' },
    transferList: [
      {
        idTransfer: 1,
        amount: '33.00',
        fiscalCodePA: CREDITOR,
        iban: 'IT60X0542811101000000123456',
        remittanceInformation: 'Contributo ANAC',
        transferCategory: '9/0301109AP',
      },
    ],
    idPSP: 'BENCHPSP01',
    pspCompanyName: 'PSP del benchmark',
    idChannel: 'BENCHPSP01_01',
    channelDescription: 'app',
    paymentMethod: 'creditCard',
    paymentDateTime: '2026-11-26T10:00:00',
  };
}

export async function paymentsSection(baseUrl: string): Promise<void> {
  const schema = `bench_pay_${Date.now()}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'gara-bench-pay-'));
  const server = await startServer(
    {
      DATABASE_URL: url.toString(),
      DB_POOL_SIZE: String(CONNECTIONS),
      SEED_DEMO: 'always',
      DATA_DIR: dataDir,
      PAGOPA_SANDBOX: 'off',
      PAGOPA_NODE_SUBSCRIPTION_KEY: BENCH_NODE_KEY,
    },
    3903,
  );
  try {
    const tokens = JSON.parse(readFileSync(join(dataDir, 'demo-tokens.json'), 'utf8')) as {
      role: string;
      email: string;
      token: string;
    }[];
    const adminToken = tokens.find((t) => t.role === 'admin')!.token;
    const rupToken = tokens.find((t) => t.email === 'rup.regione.pug@demo.example')!.token;
    const bidders = Number(process.env.BENCH_BIDDERS ?? 75);
    const lotsPerTender = 100;
    const tenders = 3;

    // Lots to bid on (published, bid deadline in 30 days), bidders, and one payment position each.
    const cigs: string[] = [];
    for (let t = 0; t < tenders; t++) {
      const tender = await api<{ lots: { cig: string }[] }>(server, rupToken, 'POST', '/api/v1/tenders', {
        object: 'Gara del benchmark pagamenti',
        procedureType: '6',
        sector: 'ordinary',
        contractObject: 'services',
        lots: Array.from({ length: lotsPerTender }, (_, i) => ({
          object: `Lotto ${i + 1}`,
          amount: '480000.00',
          cpv: '50700000',
          place: '016072006',
        })),
      });
      cigs.push(...tender.lots.map((l) => l.cig));
    }
    const today = new Date().toISOString().slice(0, 10);
    const deadline = new Date(Date.now() + 30 * 86_400_000).toISOString();
    await pool(cigs, 16, async (cig) => {
      await api(server, rupToken, 'POST', `/api/v1/lots/${cig}/perfection`, {
        publicationDate: today,
        bidDeadline: deadline,
      });
    });
    const operators: { token: string; fiscalCode: string }[] = [];
    for (let i = 0; i < bidders; i++) {
      const vat = withNumericCheckDigit(`${String(7_000_000 + i).padStart(7, '0')}072`);
      const oe = await api<{ id: string }>(server, adminToken, 'POST', '/api/v1/economic-operators', {
        fiscalCode: vat,
        name: `Impresa ${i}`,
      });
      const user = await api<{ id: string }>(server, adminToken, 'POST', '/api/v1/users', {
        name: `Legale rappresentante ${i}`,
        email: `bench.oe.${i}@bench.example`,
        role: 'economic_operator',
        economicOperatorId: oe.id,
      });
      const { token } = await api<{ token: string }>(
        server,
        adminToken,
        'POST',
        `/api/v1/users/${user.id}/tokens`,
        { label: 'bench' },
      );
      operators.push({ token, fiscalCode: vat });
    }
    const positions: { nav: string; iuv: string; payer: string; token: string; cig: string }[] = [];
    const pairs = operators.flatMap((o) => cigs.map((cig) => ({ o, cig })));
    await pool(pairs, 32, async ({ o, cig }) => {
      const p = await api<{ noticeNumber: string; iuv: string }>(
        server,
        o.token,
        'POST',
        `/api/v1/lots/${cig}/payment-positions`,
      );
      positions.push({ nav: p.noticeNumber, iuv: p.iuv, payer: o.fiscalCode, token: o.token, cig });
    });
    console.log(
      `\nContributions on PostgreSQL, ${CONNECTIONS} connections, ${ROUNDS} rounds x ${SECONDS}s: ${positions.length} open positions (${bidders} bidders x ${cigs.length} lots)`,
    );

    // paSendRTV2 intake: every request a fresh receipt for a different open position.
    const bodies = positions.map((p) =>
      sendRtV2Request(
        { idPA: CREDITOR, idBrokerPA: CREDITOR, idStation: `${CREDITOR}_01` },
        receipt(p.nav, p.iuv, p.payer),
      ),
    );
    // Each round sends its own share of the receipts, so every receipt is a first delivery.
    let nextReceipt = 0;
    const share = Math.floor(bodies.length / ROUNDS);
    const intake: Measurement[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      intake.push(
        await load({
          url: server.url,
          connections: CONNECTIONS,
          durationSeconds: SECONDS,
          amount: share,
          method: 'POST',
          headers: {
            'content-type': 'text/xml; charset=utf-8',
            soapaction: 'paSendRTV2',
            'ocp-apim-subscription-key': BENCH_NODE_KEY,
          },
          next: () => ({ path: '/pagopa/paForNode', body: bodies[nextReceipt++ % bodies.length] }),
        }),
      );
    }
    const sent = Math.min(nextReceipt, bodies.length);
    const { rows } = await admin.query(
      `SELECT status, count(*)::int AS n FROM ${schema}.receipts GROUP BY status ORDER BY status`,
    );

    // Verification: the lot's RUP asks whether a bidder has paid (hot set), against /health/live.
    const hot = positions.slice(0, 64);
    let v = 0;
    const verify: Measurement[] = [];
    const live: Measurement[] = [];
    const pdfHttp: Measurement[] = [];
    const mine = positions.filter((p) => p.token === positions[0]!.token);
    let n = 0;
    for (let round = 0; round < ROUNDS; round++) {
      verify.push(
        await load({
          url: server.url,
          connections: CONNECTIONS,
          durationSeconds: SECONDS,
          headers: { authorization: `Bearer ${rupToken}` },
          next: () => {
            const p = hot[v++ % hot.length]!;
            return { path: `/api/v1/lots/${p.cig}/contributions/${p.payer}` };
          },
        }),
      );
      live.push(
        await load({ url: `${server.url}/health/live`, connections: CONNECTIONS, durationSeconds: SECONDS }),
      );
      pdfHttp.push(
        await load({
          url: server.url,
          connections: CONNECTIONS,
          durationSeconds: SECONDS,
          headers: { authorization: `Bearer ${mine[0]!.token}` },
          next: () => ({ path: `/api/v1/payment-positions/${mine[n++ % mine.length]!.nav}/notice.pdf` }),
        }),
      );
    }

    // Notice PDFs in-process (renderer only).
    const renders: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      let count = 0;
      const end = performance.now() + SECONDS * 1000;
      while (performance.now() < end) {
        await renderPaymentNotice({
          subject: 'Contributo ANAC partecipazione gara 8000001 lotto 1 - CIG A0000000D3',
          creditor: { name: 'Autorità Nazionale Anticorruzione', fiscalCode: CREDITOR },
          debtor: { name: 'Impresa del benchmark S.r.l.', fiscalCode: '02314560729' },
          amountCents: 3300,
          dueDate: '2026-12-31',
          noticeNumber: '301202600000000103',
          qrPayload: `PAGOPA|002|301202600000000103|${CREDITOR}|${3300 + count}`,
          issuedAt: new Date(),
        });
        count += 1;
      }
      renders.push(count / SECONDS);
    }

    const rt = report('paSendRTV2 intake (fresh receipts)', intake);
    const live50 = report('GET /health/live', live);
    const ver = report('verification GET /lots/:cig/contributions/:cf', verify);
    const pdf = report('notice PDF over HTTP (GET notice.pdf)', pdfHttp);
    console.log('');
    console.log(
      `  receipts stored: ${rows.map((r: { status: string; n: number }) => `${r.status} ${r.n}`).join(', ')} (of ${sent} sent)`,
    );
    console.log(`  paSendRTV2 intake             ${rt.rps.toFixed(0)} /s   (target >= 1000/s)`);
    console.log(`  verification / health-live    ${(ver.rps / live50.rps).toFixed(2)}   (target >= 0.5)`);
    console.log(
      `  notice PDF, in-process        ${median(renders).toFixed(0)} /s; over HTTP ${pdf.rps.toFixed(0)} /s   (target >= 50/s)`,
    );
    console.log(`  server peak RSS               ${server.peakRssMb().toFixed(0)} MB`);
  } finally {
    await server.stop();
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

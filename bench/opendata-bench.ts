/**
 * npm run bench -- --only=opendata: a month of generated lots (BENCH_OPENDATA_LOTS, default 100,000;
 * the target is 1,000,000) on PostgreSQL, exported as CSV, JSON and OCDS:
 *   1. in this process, each format on its own: rows/s and the process's peak RSS while it runs;
 *   2. in the service (POST /api/v1/opendata/exports): GET /api/v1/cigs/:code p99 before and while the
 *      whole month is exported, and the service's peak RSS.
 * The run works in a schema of its own and drops it afterwards.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { createContainer } from '../src/container.js';
import { publishCigFiles } from '../src/services/opendata/export-opendata-period.js';
import { parsePeriod } from '../src/services/opendata/periods.js';
import { publishOcdsReleases } from '../src/services/opendata/publish-ocds-releases.js';
import { load, median, startServer } from './support.js';

const LOTS = Number(process.env.BENCH_OPENDATA_LOTS ?? 100_000);
const LOTS_PER_TENDER = 4;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const MONTH = '2026-10';

/** Lots in October 2026 Rome time, spread over the month; every tenth cancelled, every third perfected. */
export async function generate(client: pg.Client): Promise<void> {
  const ids = await client.query<{ ca: string; rup: string }>(
    `SELECT u.contracting_authority_id AS ca, u.id AS rup FROM users u WHERE u.role = 'rup' LIMIT 1`,
  );
  const { ca, rup } = ids.rows[0]!;
  const tenders = Math.ceil(LOTS / LOTS_PER_TENDER);
  const spread = `timestamptz '2026-10-01 08:00+02' + (g * interval '1 second' * (2500000.0 / ${tenders}))`;
  await client.query(
    `INSERT INTO tenders (id, tender_number, contracting_authority_id, rup_user_id, object, procedure_type_code,
       sector, contract_object, lot_count, created_at, updated_at)
     SELECT gen_random_uuid(), 2000000 + g, $1, $2, 'Gara generata ' || g, ((g % 12) + 1)::text, 'ordinary',
       (ARRAY['works','supplies','services'])[(g % 3) + 1], ${LOTS_PER_TENDER}, ${spread}, ${spread}
     FROM generate_series(1, ${tenders}) g`,
    [ca, rup],
  );
  await client.query(
    `INSERT INTO lots (id, tender_id, lot_number, cig, object, amount_cents, cpv_code, istat_place_code,
       acquired_at, perfection_deadline, created_by)
     SELECT gen_random_uuid(), t.id, n,
       'U' || lpad(upper(to_hex(o)), 6, '0') || lpad(upper(to_hex(((o + 21) * 211) % 4091)), 3, '0'),
       'Lotto generato ' || o || '; servizi "vari"', 1000000 + (o % 997) * 1234, '50700000', '016072006',
       t.created_at, date '2027-02-01', $1
     FROM tenders t, generate_series(1, ${LOTS_PER_TENDER}) n,
       LATERAL (SELECT (t.tender_number - 2000001) * ${LOTS_PER_TENDER} + n AS o) x
     WHERE t.tender_number > 2000000 AND x.o <= ${LOTS}`,
    [rup],
  );
  await client.query(
    `UPDATE lots SET state = 'perfected', perfected_at = acquired_at + interval '1 day',
       publication_date = (acquired_at AT TIME ZONE 'Europe/Rome')::date + 1,
       bid_deadline = acquired_at + interval '30 days', perfected_by = created_by
     WHERE cig LIKE 'U%' AND ('x' || lpad(substr(cig, 2, 6), 8, '0'))::bit(32)::int % 3 = 0`,
  );
  await client.query(
    `UPDATE lots SET state = 'cancelled', cancel_reason = 2, cancelled_at = acquired_at + interval '2 days',
       cancelled_by = created_by
     WHERE state = 'issued' AND cig LIKE 'U%' AND ('x' || lpad(substr(cig, 2, 6), 8, '0'))::bit(32)::int % 10 = 1`,
  );
  await client.query('ANALYZE lots; ANALYZE tenders');
}

/** A POST with a JSON body and a bearer token, waiting as long as the answer takes. */
function post(url: string, token: string, body: unknown): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(JSON.stringify(body));
  });
}

/** Runs `work` while sampling this process's RSS every 50 ms: its duration and the highest sample. */
async function sampled<T>(
  work: () => Promise<T>,
): Promise<{ result: T; seconds: number; peakRssMb: number; startRssMb: number }> {
  global.gc?.();
  const start = process.memoryUsage().rss;
  let peak = start;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const started = performance.now();
  try {
    const result = await work();
    return {
      result,
      seconds: (performance.now() - started) / 1000,
      peakRssMb: peak / 1024 / 1024,
      startRssMb: start / 1024 / 1024,
    };
  } finally {
    clearInterval(timer);
  }
}

export async function opendataSection(baseUrl: string): Promise<void> {
  const schema = `bench_opendata_${Date.now()}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'gara-bench-opendata-'));
  const server = await startServer(
    {
      DATABASE_URL: url.toString(),
      SEED_DEMO: 'always',
      DATA_DIR: dataDir,
      OPENDATA_DIR: join(dataDir, 'srv'),
    },
    Number(process.env.BENCH_OPENDATA_PORT ?? 3907),
  );
  try {
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    const generation = performance.now();
    await generate(client);
    const cig = (await client.query<{ cig: string }>(`SELECT cig FROM lots WHERE cig LIKE 'U%' LIMIT 1`))
      .rows[0]!.cig;
    await client.end();
    console.log(
      `\n## Open data export (PostgreSQL, ${LOTS} lots in ${MONTH}; generated in ${((performance.now() - generation) / 1000).toFixed(1)} s)\n`,
    );

    const container = await createContainer(
      loadConfig({ ...process.env, DATABASE_URL: url.toString(), DATA_DIR: dataDir, LOG_LEVEL: 'warn' }),
    );
    const deps = { ...container.deps, opendata: container.opendata };
    const period = parsePeriod(MONTH);
    console.log('| export (this process) | rows | seconds | rows/s | RSS at start MB | peak RSS MB |');
    console.log('|---|---|---|---|---|---|');
    for (const format of ['csv', 'json'] as const) {
      const run = await sampled(() => publishCigFiles(deps, period, [format]));
      const rows = run.result[0]!.rows;
      console.log(
        `| CIG ${format.toUpperCase()} | ${rows} | ${run.seconds.toFixed(1)} | ${Math.round(rows / run.seconds)} | ${run.startRssMb.toFixed(0)} | ${run.peakRssMb.toFixed(0)} |`,
      );
    }
    const ocds = await sampled(() => publishOcdsReleases(deps, period));
    const releases = ocds.result?.rows ?? 0;
    console.log(
      `| OCDS release package | ${releases} releases | ${ocds.seconds.toFixed(1)} | ${Math.round(releases / ocds.seconds)} | ${ocds.startRssMb.toFixed(0)} | ${ocds.peakRssMb.toFixed(0)} |`,
    );
    await container.close();

    // The API while the service exports the whole month.
    const tokens = JSON.parse(readFileSync(join(dataDir, 'demo-tokens.json'), 'utf8')) as {
      role: string;
      token: string;
    }[];
    const staff = tokens.find((t) => t.role === 'authority_staff' || t.role === 'admin')!.token;
    const lookup = () =>
      load({ url: `${server.url}/api/v1/cigs/${cig}`, connections: 8, durationSeconds: SECONDS });
    const before = await lookup();
    const started = performance.now();
    let done = false;
    // node:http, not fetch: fetch gives up waiting for the answer's headers after 300 s.
    const exporting = post(`${server.url}/api/v1/opendata/exports`, staff, { period: MONTH }).finally(
      () => (done = true),
    );
    // Windows of SECONDS one after the other for as long as the export runs (OCDS, then CIG, SmartCIG,
    // authorities): the p99 of each, so that every phase of the export is measured.
    const windows: Awaited<ReturnType<typeof lookup>>[] = [];
    do {
      const w = await lookup();
      windows.push(w);
      console.log(`  window ${windows.length} while exporting: p99 ${w.p99} ms (before: ${before.p99} ms)`);
    } while (!done);
    const answer = await exporting;
    const exportSeconds = (performance.now() - started) / 1000;
    if (answer.status < 200 || answer.status >= 300)
      throw new Error(`export answered ${answer.status}: ${answer.body}`);
    // The last window ran partly after the export: left out when there are others.
    const during = windows.length > 1 ? windows.slice(0, -1) : windows;
    const p99s = during.map((w) => w.p99);
    console.log(
      `\n| GET /api/v1/cigs/:code (8 connections, windows of ${SECONDS} s) | req/s | p50 ms | p99 ms |`,
    );
    console.log('|---|---|---|---|');
    console.log(`| before the export | ${Math.round(before.rps)} | ${before.p50} | ${before.p99} |`);
    during.forEach((w, i) =>
      console.log(
        `| while the service exports ${MONTH}, window ${i + 1} | ${Math.round(w.rps)} | ${w.p50} | ${w.p99} |`,
      ),
    );
    const ratio = (p99: number) => (p99 / Math.max(1, before.p99)).toFixed(2);
    console.log(
      `\np99 ratio during/before: median of the windows ${ratio(median(p99s))}, worst window ${ratio(Math.max(...p99s))}; whole-month export in the service: ${exportSeconds.toFixed(1)} s; service peak RSS ${server.peakRssMb().toFixed(0)} MB`,
    );
  } finally {
    await server.stop();
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

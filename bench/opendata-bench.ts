/**
 * npm run bench -- --only=opendata: a month of generated lots (BENCH_OPENDATA_LOTS, default 100,000;
 * the issue's target is 1,000,000) on PostgreSQL, exported as CSV, JSON and OCDS:
 *   1. each format on its own, in a process started for it (bench/opendata-export-child.mjs, the service's
 *      node flags): rows/s, RSS at start and the kernel's peak (VmHWM), V8's heap/external peaks;
 *   2. in the service (POST /api/v1/opendata/exports; on PostgreSQL in its worker thread at nice 19):
 *      GET /api/v1/cigs/:code p99 before and while the whole month is exported, the service's RSS
 *      before and its peak during the export.
 * The run works in a schema of its own and drops it afterwards.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { load, median, startFlags, startServer, type Server } from './support.js';

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

interface ChildExport {
  rows: number;
  seconds: number;
  startRssMb: number;
  peakRssMb: number;
  peakHeapUsedMb: number;
  peakExternalMb: number;
  peakArrayBuffersMb: number;
}

/** One format exported by bench/opendata-export-child.mjs in a process started for it. */
function exportInChild(
  format: string,
  env: Record<string, string>,
  flags = startFlags(),
): Promise<ChildExport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...flags, '--expose-gc', 'bench/opendata-export-child.mjs'], {
      env: { ...process.env, ...env, BENCH_EXPORT_FORMAT: format, MONTH },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code === 0 && line.startsWith('{')) resolve(JSON.parse(line) as ChildExport);
      else reject(new Error(`export child (${format}) exited ${code}: ${out}`));
    });
  });
}

/**
 * GET /api/v1/cigs/:code in windows of SECONDS: a warm-up (not reported), one before, one after the other
 * for as long as the service exports the month, one after; the p99 ratio against the window before.
 */
/** Milliseconds with two decimals: the windows' p99 are exact (see LoadOptions.exactLatency). */
const ms = (value: number): string => value.toFixed(2);

async function exportInService(server: Server, staff: string, cig: string, where: string): Promise<void> {
  const lookup = () =>
    load({
      url: `${server.url}/api/v1/cigs/${cig}`,
      connections: 8,
      durationSeconds: SECONDS,
      exactLatency: true,
    });
  await lookup();
  const before = await lookup();
  const serviceRssBefore = server.rssMb();
  server.resetPeakRss();
  const started = performance.now();
  let done = false;
  // node:http, not fetch: fetch gives up waiting for the answer's headers after 300 s.
  const exporting = post(`${server.url}/api/v1/opendata/exports`, staff, { period: MONTH }).finally(
    () => (done = true),
  );
  // Windows one after the other for as long as the export runs (OCDS, then CIG, SmartCIG, authorities):
  // the p99 of each, so that every phase of the export is measured.
  const windows: Awaited<ReturnType<typeof lookup>>[] = [];
  do {
    const w = await lookup();
    windows.push(w);
    console.log(
      `  window ${windows.length} while exporting: p99 ${ms(w.p99)} ms (before: ${ms(before.p99)} ms)`,
    );
  } while (!done);
  const answer = await exporting;
  const exportSeconds = (performance.now() - started) / 1000;
  const peakRss = server.peakRssMb();
  if (answer.status < 200 || answer.status >= 300)
    throw new Error(`export answered ${answer.status}: ${answer.body}`);
  const after = await lookup();
  // The last window ran partly after the export: left out when there are others.
  const during = windows.length > 1 ? windows.slice(0, -1) : windows;
  const p99s = during.map((w) => w.p99);
  console.log(
    `\n| GET /api/v1/cigs/:code, export in the ${where} (8 connections, windows of ${SECONDS} s) | req/s | p50 ms | p99 ms |`,
  );
  console.log('|---|---|---|---|');
  const row = (label: string, w: (typeof windows)[number]) =>
    console.log(`| ${label} | ${Math.round(w.rps)} | ${ms(w.p50)} | ${ms(w.p99)} |`);
  row('before the export', before);
  during.forEach((w, i) => row(`while the service exports ${MONTH}, window ${i + 1}`, w));
  row('after the export', after);
  const ratio = (p99: number) => (p99 / before.p99).toFixed(2);
  console.log(
    `\np99 ratio during/before: median of the windows ${ratio(median(p99s))}, worst window ${ratio(Math.max(...p99s))}; req/s during/before ${(median(during.map((w) => w.rps)) / before.rps).toFixed(2)}; whole-month export in the service: ${exportSeconds.toFixed(1)} s; service RSS before ${serviceRssBefore.toFixed(0)} MB, peak during ${peakRss.toFixed(0)} MB`,
  );
}

export async function opendataSection(baseUrl: string): Promise<void> {
  const schema = `bench_opendata_${Date.now()}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'gara-bench-opendata-'));
  // Started inside the try: a server that fails to start still has its schema dropped.
  let server: Server | undefined;
  try {
    server = await startServer(
      {
        DATABASE_URL: url.toString(),
        SEED_DEMO: 'always',
        DATA_DIR: dataDir,
        OPENDATA_DIR: join(dataDir, 'srv'),
      },
      Number(process.env.BENCH_OPENDATA_PORT ?? 3907),
    );
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

    // Each format in a process of its own, with the service's node flags (npm start): its RSS is the
    // export's, not this bench's (which holds the generator, pg clients and the load tool).
    console.log(
      '| export (own process) | rows | seconds | rows/s | RSS at start MB | peak RSS MB | growth MB | peak heapUsed / external / arrayBuffers MB |',
    );
    console.log('|---|---|---|---|---|---|---|---|');
    for (const format of ['csv', 'json', 'ocds'] as const) {
      const r = await exportInChild(format, { DATABASE_URL: url.toString(), DATA_DIR: dataDir });
      console.log(
        `| ${format === 'ocds' ? 'OCDS release package' : `CIG ${format.toUpperCase()}`} | ${r.rows} | ${r.seconds.toFixed(1)} | ${Math.round(r.rows / r.seconds)} | ${r.startRssMb} | ${r.peakRssMb} | ${r.peakRssMb - r.startRssMb} | ${r.peakHeapUsedMb} / ${r.peakExternalMb} / ${r.peakArrayBuffersMb} |`,
      );
    }

    // BENCH_OPENDATA_UNCAPPED=1: the CSV again without the service's heap cap, as the bench process ran
    // it before: how much of the RSS is V8 growing its heap because it may (not memory held).
    if (process.env.BENCH_OPENDATA_UNCAPPED === '1') {
      const r = await exportInChild('csv', { DATABASE_URL: url.toString(), DATA_DIR: dataDir }, []);
      console.log(
        `| CIG CSV, no --max-old-space-size | ${r.rows} | ${r.seconds.toFixed(1)} | ${Math.round(r.rows / r.seconds)} | ${r.startRssMb} | ${r.peakRssMb} | ${r.peakRssMb - r.startRssMb} | ${r.peakHeapUsedMb} / ${r.peakExternalMb} / ${r.peakArrayBuffersMb} |`,
      );
    }

    // The API while the service exports the whole month: in its worker thread (the default on
    // PostgreSQL), and with BENCH_OPENDATA_COMPARE=1 also in the API's thread (OPENDATA_EXPORT_WORKER=false,
    // a second service on the same database, port + 1), measured in the same run.
    const tokens = JSON.parse(readFileSync(join(dataDir, 'demo-tokens.json'), 'utf8')) as {
      role: string;
      token: string;
    }[];
    const staff = tokens.find((t) => t.role === 'authority_staff' || t.role === 'admin')!.token;
    await exportInService(server, staff, cig, 'worker thread (nice 19)');
    if (process.env.BENCH_OPENDATA_COMPARE === '1') {
      const inThread = await startServer(
        {
          DATABASE_URL: url.toString(),
          SEED_DEMO: 'never',
          DATA_DIR: dataDir,
          OPENDATA_DIR: join(dataDir, 'srv-in-thread'),
          OPENDATA_EXPORT_WORKER: 'false',
        },
        Number(process.env.BENCH_OPENDATA_PORT ?? 3907) + 1,
      );
      try {
        await exportInService(inThread, staff, cig, 'API thread (OPENDATA_EXPORT_WORKER=false)');
      } finally {
        await inThread.stop();
      }
    }
  } finally {
    await server?.stop();
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * npm run bench — throughput and latency of CIG issuance and lookup, each against a baseline measured
 * in the same run on the same machine (figures, not pass/fail):
 *   1. PostgreSQL, 32 connections: POST .../lots (issuance) vs plain single-row INSERTs through the same
 *      driver (pg) and pool size; GET /api/v1/cigs/:code (lookup) vs GET /health/live; server peak RSS.
 *   2. Embedded PGlite: issuance per second.
 * Each figure is the median of BENCH_ROUNDS rounds (default 3) of BENCH_SECONDS seconds (default 5).
 * DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test) must reach a PostgreSQL 15+ server; the
 * run works in a schema of its own and drops it afterwards.
 */
import { spawn } from 'node:child_process';
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
import { paymentsSection } from './payments-bench.js';
import { statusSection } from './status-bench.js';
import { noticesSection } from './notices-bench.js';
import { portalSection } from './portal-bench.js';
import { memorySection } from './memory-bench.js';
import { haSection } from './ha-bench.js';
import { simogSection } from './simog-bench.js';
import { opendataSection } from './opendata-bench.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = 32;
const baseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
// BENCH_PORT_BASE moves this file's servers (base+1 service, +2 PGlite service, +3 HTTP baseline), for
// runs beside other benchmarks on a shared machine.
const PORT_BASE = Number(process.env.BENCH_PORT_BASE ?? 3900);

interface DemoToken {
  role: string;
  token: string;
}

async function prepareTenders(
  server: Server,
  tokens: string[],
  perRup: number,
): Promise<{ token: string; tender: string }[]> {
  const targets: { token: string; tender: string }[] = [];
  for (const token of tokens) {
    for (let i = 0; i < perRup; i++) {
      const res = await fetch(`${server.url}/api/v1/tenders`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          object: 'Gara per il benchmark',
          procedureType: '6',
          sector: 'ordinary',
          contractObject: 'services',
          lots: [{ object: 'Lotto iniziale', amount: '200000.00', cpv: '50700000', place: '016072006' }],
        }),
      });
      if (res.status !== 201)
        throw new Error(`setup: tender creation answered ${res.status}: ${await res.text()}`);
      targets.push({ token, tender: ((await res.json()) as { tenderNumber: string }).tenderNumber });
    }
  }
  return targets;
}

function issuanceLoad(server: Server, targets: { token: string; tender: string }[]) {
  let i = 0;
  const body = JSON.stringify({
    object: 'Lotto del benchmark',
    amount: '250000.00',
    cpv: '50700000',
    place: '016072006',
  });
  return load({
    url: server.url,
    connections: CONNECTIONS,
    durationSeconds: SECONDS,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    next: () => {
      const t = targets[i++ % targets.length]!;
      return {
        path: `/api/v1/tenders/${t.tender}/lots`,
        body,
        headers: { authorization: `Bearer ${t.token}` },
      };
    },
  });
}

async function issuedCigs(
  server: Server,
  targets: { token: string; tender: string }[],
  limit = 50,
): Promise<string[]> {
  const cigs: string[] = [];
  for (const t of targets.slice(0, limit)) {
    const res = await fetch(`${server.url}/api/v1/tenders/${t.tender}`, {
      headers: { authorization: `Bearer ${t.token}` },
    });
    const body = (await res.json()) as { lots: { cig: string }[] };
    cigs.push(...body.lots.map((l) => l.cig));
  }
  return cigs;
}

/** 32 concurrent loops of single-row INSERTs through a pg pool of 32. */
async function baselineInserts(pool: pg.Pool): Promise<Measurement> {
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        try {
          await pool.query('INSERT INTO bench_baseline (payload, created_at) VALUES ($1, $2)', [
            'baseline row',
            new Date(),
          ]);
        } catch {
          errors += 1;
        }
        latencies.push(performance.now() - t0);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return {
    rps: latencies.length / SECONDS,
    p50: latencies[Math.floor(latencies.length * 0.5)] ?? 0,
    p99: latencies[Math.floor(latencies.length * 0.99)] ?? 0,
    errors,
    non2xx: 0,
  };
}

async function postgresSection(): Promise<void> {
  const schema = `bench_${Date.now()}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'gara-bench-pg-'));
  const server = await startServer(
    {
      DATABASE_URL: url.toString(),
      DB_POOL_SIZE: String(CONNECTIONS),
      SEED_DEMO: 'always',
      DATA_DIR: dataDir,
    },
    PORT_BASE + 1,
  );
  const pool = new pg.Pool({ connectionString: url.toString(), max: CONNECTIONS });
  let httpBaseline: Awaited<ReturnType<typeof startHttpInsertServer>> | undefined;
  try {
    await pool.query(
      'CREATE TABLE bench_baseline (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, payload text NOT NULL, created_at timestamptz NOT NULL)',
    );
    const tokens = (JSON.parse(readFileSync(join(dataDir, 'demo-tokens.json'), 'utf8')) as DemoToken[])
      .filter((t) => t.role === 'rup')
      .map((t) => t.token);
    const targets = await prepareTenders(server, tokens, 4);
    const cigs = await issuedCigs(server, targets);
    console.log(
      `\nPostgreSQL (${url.host}), ${CONNECTIONS} connections, ${ROUNDS} rounds x ${SECONDS}s, ${targets.length} tenders of ${tokens.length} RUPs`,
    );
    httpBaseline = await startHttpInsertServer(url.toString(), PORT_BASE + 3);
    const results = {
      http: [] as Measurement[],
      baseline: [] as Measurement[],
      issue: [] as Measurement[],
      lookup: [] as Measurement[],
      cold: [] as Measurement[],
      live: [] as Measurement[],
    };
    // CPU of each process per operation, over all rounds: where the time of an issuance goes.
    const cpu = { baseline: [] as string[], issue: [] as string[] };
    for (let round = 0; round < ROUNDS; round++) {
      results.http.push(
        await load({
          url: `${httpBaseline.url}/insert`,
          connections: CONNECTIONS,
          durationSeconds: SECONDS,
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Bearer bench' },
          next: () => ({
            path: '/insert',
            body: JSON.stringify({ object: 'Lotto del benchmark', amount: '250000.00' }),
          }),
        }),
      );
      let before = cpuTicks(server.process.pid);
      const b = await baselineInserts(pool);
      results.baseline.push(b);
      cpu.baseline.push(cpuPerOperation(before, cpuTicks(server.process.pid), b.rps * SECONDS));
      before = cpuTicks(server.process.pid);
      const issued = await issuanceLoad(server, targets);
      results.issue.push(issued);
      cpu.issue.push(cpuPerOperation(before, cpuTicks(server.process.pid), issued.rps * SECONDS));
      let i = 0;
      results.lookup.push(
        await load({
          url: server.url,
          connections: CONNECTIONS,
          durationSeconds: SECONDS,
          next: () => ({ path: `/api/v1/cigs/${cigs[i++ % cigs.length]}` }),
        }),
      );
      results.live.push(
        await load({ url: `${server.url}/health/live`, connections: CONNECTIONS, durationSeconds: SECONDS }),
      );
    }
    // Every code issued above, each looked up once: answers come from the database, not the 2 s cache.
    const all = await issuedCigs(server, targets, targets.length);
    let next = 0;
    for (let round = 0; round < ROUNDS; round++) {
      results.cold.push(
        await load({
          url: server.url,
          connections: CONNECTIONS,
          durationSeconds: SECONDS,
          next: () => ({ path: `/api/v1/cigs/${all[next++ % all.length]}` }),
        }),
      );
    }
    const baseline = report('baseline: single-row INSERT (pg)', results.baseline);
    const http = report('HTTP baseline: POST, token, JSON, one INSERT', results.http);
    const issue = report('issue a lot: POST .../lots', results.issue);
    console.log(`  CPU µs per baseline INSERT, by process (rounds): ${cpu.baseline.join(' | ')}`);
    console.log(`  CPU µs per issuance, by process (rounds):       ${cpu.issue.join(' | ')}`);
    const live = report('GET /health/live', results.live);
    const lookup = report('look up a CIG: GET /cigs/:code', results.lookup);
    report(`  same, ${all.length} codes once each (no cache)`, results.cold);
    const rss = server.peakRssMb();
    console.log('');
    console.log(`  issuance / baseline INSERT    ${(issue.rps / baseline.rps).toFixed(2)}   (target >= 0.5)`);
    console.log(
      `  issuance / HTTP baseline      ${(issue.rps / http.rps).toFixed(2)}   (for comparison: a baseline that also crosses HTTP)`,
    );
    console.log(`  issuance p99                  ${issue.p99.toFixed(1)} ms   (target < 50 ms)`);
    console.log(`  lookup / health-live          ${(lookup.rps / live.rps).toFixed(2)}   (target >= 0.5)`);
    console.log(`  server peak RSS               ${rss.toFixed(0)} MB   (target < 250 MB)`);
  } finally {
    await httpBaseline?.stop();
    await pool.end();
    await server.stop();
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The minimal HTTP service of bench/http-insert-server.ts, in its own process as the service is. */
async function startHttpInsertServer(databaseUrl: string, port: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/http-insert-server.ts'], {
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d) => String(d).includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`HTTP baseline server exited (${code})`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

async function pgliteSection(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gara-bench-pglite-'));
  const server = await startServer(
    { DATA_DIR: dataDir, SEED_DEMO: 'always', DATABASE_URL: '' },
    PORT_BASE + 2,
  );
  try {
    const tokens = (JSON.parse(readFileSync(join(dataDir, 'demo-tokens.json'), 'utf8')) as DemoToken[])
      .filter((t) => t.role === 'rup')
      .map((t) => t.token);
    const targets = await prepareTenders(server, tokens, 2);
    console.log(`\nEmbedded PGlite, ${CONNECTIONS} HTTP connections, ${ROUNDS} rounds x ${SECONDS}s`);
    const runs: Measurement[] = [];
    for (let round = 0; round < ROUNDS; round++) runs.push(await issuanceLoad(server, targets));
    const issue = report('issue a lot: POST .../lots', runs);
    console.log(`\n  PGlite issuance               ${issue.rps.toFixed(0)} /s   (target >= 1000/s)`);
    console.log(`  server peak RSS               ${server.peakRssMb().toFixed(0)} MB`);
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

console.log(`gara benchmark — node ${process.version}, ${new Date().toISOString()}`);
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
if (!only || only === 'cig') await postgresSection();
if (!only || only === 'pglite') await pgliteSection();
if (!only || only === 'payments') await paymentsSection(baseUrl);
if (!only || only === 'status') await statusSection(baseUrl);
if (!only || only === 'notices') await noticesSection(baseUrl);
if (!only || only === 'portal') await portalSection();
if (!only || only === 'memory') await memorySection();
// The Patroni cluster: only when asked (it needs root and the Debian packages).
if (only === 'ha') await haSection();
if (!only || only === 'simog') await simogSection(baseUrl);
if (!only || only === 'opendata') await opendataSection(baseUrl);

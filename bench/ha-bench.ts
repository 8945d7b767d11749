/**
 * npm run bench -- --only=ha: CIG issuance on the Patroni cluster of deploy/ha (scripts/ha-cluster.sh):
 * two gara processes behind HAProxy in HTTP mode against one process reached directly, on the same
 * cluster in the same run; then the failover figures of one run (the primary killed under load).
 * Needs root and the Debian packages patroni, etcd-server and haproxy; figures, not pass/fail.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { load, report, startServer, type Measurement, type Server } from './support.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PRIMARY = 'postgres://postgres:gara-ha-superuser@127.0.0.1:5440';
const REPLICAS = 'postgres://postgres:gara-ha-superuser@127.0.0.1:5439';
const LB_PORT = 3920;
const SCRIPT_PATH = 'scripts/ha-cluster.sh';

/** Under load: asynchronous, so that the clients in this process keep running (and timing) meanwhile. */
const clusterAsync = async (...args: string[]) =>
  (await promisify(execFile)('bash', [SCRIPT_PATH, ...args], { encoding: 'utf8', timeout: 240_000 })).stdout;
const cluster = (...args: string[]) =>
  execFileSync('bash', ['scripts/ha-cluster.sh', ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });

function haproxyFor(servers: Server[], dir: string) {
  const file = join(dir, 'gara-lb.cfg');
  writeFileSync(
    file,
    [
      'defaults',
      '    mode http',
      '    timeout connect 2s',
      '    timeout client 30s',
      '    timeout server 30s',
      'listen gara',
      `    bind 127.0.0.1:${LB_PORT}`,
      '    balance roundrobin',
      '    option httpchk GET /health/live',
      ...servers.map((s, i) => `    server gara${i + 1} ${new URL(s.url).host} check inter 1s`),
      '',
    ].join('\n'),
  );
  const child = spawn('haproxy', ['-db', '-f', file], { stdio: 'ignore' });
  return { stop: () => child.kill('SIGTERM') };
}

async function tenders(url: string, token: string, count: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const res = await fetch(`${url}/api/v1/tenders`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        object: 'Gara per il benchmark HA',
        procedureType: '6',
        sector: 'ordinary',
        contractObject: 'services',
        lots: [{ object: 'Lotto iniziale', amount: '200000.00', cpv: '50700000', place: '016072006' }],
      }),
    });
    if (res.status !== 201) throw new Error(`setup: ${res.status} ${await res.text()}`);
    out.push(((await res.json()) as { tenderNumber: string }).tenderNumber);
  }
  return out;
}

function issuance(url: string, token: string, targets: string[]): Promise<Measurement> {
  let i = 0;
  const body = JSON.stringify({
    object: 'Lotto del benchmark',
    amount: '250000.00',
    cpv: '50700000',
    place: '016072006',
  });
  return load({
    url,
    connections: 32,
    durationSeconds: SECONDS,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    next: () => ({ path: `/api/v1/tenders/${targets[i++ % targets.length]}/lots`, body }),
  });
}

/** 16 writers retrying with their Idempotency-Key for `seconds`; the primary killed at `killAtS`. */
async function failoverRun(url: string, token: string, target: string, seconds: number, killAtS: number) {
  const stopAt = Date.now() + seconds * 1000;
  const acks: { sentAt: number; at: number }[] = [];
  let killAt = 0;
  let n = 0;
  const writer = async () => {
    while (Date.now() < stopAt) {
      const key = `bench-ha-${n++}-${Math.random()}`;
      const sentAt = Date.now();
      while (Date.now() < stopAt + 20_000) {
        try {
          const res = await fetch(`${url}/api/v1/tenders/${target}/lots`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${token}`,
              'content-type': 'application/json',
              'idempotency-key': key,
            },
            body: JSON.stringify({ object: 'Lotto', amount: '1000.00', cpv: '50700000', place: '016072006' }),
            signal: AbortSignal.timeout(20_000),
          });
          await res.arrayBuffer();
          if (res.status === 201 || res.status === 200) {
            acks.push({ sentAt, at: Date.now() });
            break;
          }
        } catch {
          // a broken connection: retry
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  };
  const kill = (async () => {
    await new Promise((r) => setTimeout(r, killAtS * 1000));
    killAt = Number(/at_ms=(\d+)/.exec(await clusterAsync('kill-primary'))?.[1] ?? Date.now());
  })();
  await Promise.all([...Array.from({ length: 16 }, writer), kill]);
  const before = Math.max(...acks.filter((a) => a.at <= killAt).map((a) => a.at));
  const after = Math.min(...acks.filter((a) => a.sentAt > killAt).map((a) => a.at));
  return { unavailabilityMs: after - before, acknowledged: acks.length };
}

export async function haSection(): Promise<void> {
  console.log(
    '\nHA: issuance on the Patroni cluster (deploy/ha), 2 processes behind HAProxy vs 1 process direct',
  );
  if (process.getuid?.() !== 0) {
    console.log('  skipped: needs root (the cluster runs PostgreSQL as postgres)');
    return;
  }
  const started = Date.now();
  const up = cluster('up');
  const bringUpMs = Number(/bring_up_ms=(\d+)/.exec(up)?.[1] ?? Date.now() - started);
  const dir = mkdtempSync(join(tmpdir(), 'gara-bench-ha-'));
  const servers: Server[] = [];
  let lb: { stop(): void } | undefined;
  try {
    const admin = new pg.Client({ connectionString: `${PRIMARY}/postgres` });
    await admin.connect();
    await admin.query('CREATE DATABASE gara_bench');
    await admin.end();
    const env = { DATABASE_URL: `${PRIMARY}/gara_bench`, DATABASE_READ_URL: `${REPLICAS}/gara_bench` };
    servers.push(await startServer({ ...env, SEED_DEMO: 'always', DATA_DIR: join(dir, 'a') }, 3921));
    servers.push(await startServer({ ...env, SEED_DEMO: 'never', DATA_DIR: join(dir, 'b') }, 3922));
    lb = haproxyFor(servers, dir);
    await new Promise((r) => setTimeout(r, 1500));
    const tokens = JSON.parse(readFileSync(join(dir, 'a', 'demo-tokens.json'), 'utf8')) as {
      role: string;
      email: string;
      token: string;
    }[];
    const rup = tokens.find((t) => t.role === 'rup' && t.email.includes('.pug@'));
    if (!rup) throw new Error('no Puglia RUP in the demo data');
    const targets = await tenders(servers[0]!.url, rup.token, 32);
    const direct: Measurement[] = [];
    const balanced: Measurement[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      direct.push(await issuance(servers[0]!.url, rup.token, targets));
      balanced.push(await issuance(`http://127.0.0.1:${LB_PORT}`, rup.token, targets));
    }
    console.log(
      `  ${ROUNDS} rounds x ${SECONDS}s, 32 connections, medians; cluster bring-up ${bringUpMs} ms`,
    );
    const d = report('1 process, direct          POST .../lots', direct);
    const b = report('2 processes behind HAProxy  POST .../lots', balanced);
    console.log(`  2 processes / 1 process: ${(b.rps / d.rps).toFixed(2)} (issuance per second)`);
    const run = await failoverRun(`http://127.0.0.1:${LB_PORT}`, rup.token, targets[0]!, 30, 10);
    console.log(
      `  failover (primary killed under 16 retrying writers): writes unavailable ${run.unavailabilityMs} ms, ${run.acknowledged} lots acknowledged in 30 s`,
    );
  } finally {
    lb?.stop();
    await Promise.all(servers.map((s) => s.stop()));
    cluster('down');
    rmSync(dir, { recursive: true, force: true });
  }
}

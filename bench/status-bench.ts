/**
 * The status API (GET /api/v1/status, and the AgID-style /status) against /health/live, in the same run,
 * with the database up and then stopped (pg_ctlcluster; it is started again afterwards).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { load, report, startServer, type Measurement } from './support.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

export async function statusSection(baseUrl: string): Promise<void> {
  const cluster = readdirSync('/etc/postgresql')[0];
  const schema = `bench_status_${Date.now()}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'gara-bench-status-'));
  const server = await startServer(
    { DATABASE_URL: url.toString(), SEED_DEMO: 'always', DATA_DIR: dataDir, PROBE_INTERVAL_MS: '500' },
    3904,
  );
  const pgctl = (action: 'start' | 'stop') =>
    cluster &&
    execFileSync('pg_ctlcluster', [
      '--skip-systemctl-redirect',
      cluster,
      'main',
      action,
      ...(action === 'stop' ? ['-m', 'fast'] : []),
    ]);
  try {
    const measure = async (label: string) => {
      const status: Measurement[] = [];
      const agid: Measurement[] = [];
      const live: Measurement[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        status.push(
          await load({ url: `${server.url}/api/v1/status`, connections: 32, durationSeconds: SECONDS }),
        );
        agid.push(await load({ url: `${server.url}/status`, connections: 32, durationSeconds: SECONDS }));
        live.push(
          await load({ url: `${server.url}/health/live`, connections: 32, durationSeconds: SECONDS }),
        );
      }
      console.log(`\nStatus, database ${label}, ${ROUNDS} rounds x ${SECONDS}s`);
      const s = report('GET /api/v1/status (summary)', status);
      const a = report('GET /status (AgID style; 503 when down)', agid);
      const l = report('GET /health/live', live);
      console.log(
        `  status API / health-live         ${(s.rps / l.rps).toFixed(2)}; /status / health-live ${(a.rps / l.rps).toFixed(2)}   (target >= 0.5)`,
      );
    };
    await measure('up');
    if (!cluster) {
      console.log('  (no pg_ctlcluster: the database-down half is skipped)');
      return;
    }
    pgctl('stop');
    await new Promise((r) => setTimeout(r, 3000));
    await measure('stopped');
  } finally {
    pgctl('start');
    await new Promise((r) => setTimeout(r, 2000));
    await server.stop();
    const cleanup = new pg.Client({ connectionString: baseUrl });
    await cleanup.connect();
    await cleanup.query(`DROP SCHEMA ${schema} CASCADE`);
    await cleanup.end();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * A private PostgreSQL 15 for the fault tests that freeze or stop their database (never the machine's
 * own on 5432): initdb in a temporary folder, run as `postgres` (it refuses root), stopped by its pid.
 */
export const PG_BIN = '/usr/lib/postgresql/15/bin';
const execFileAsync = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether a fault test may run here: asked for, as root (runuser), with the PostgreSQL 15 binaries. */
export const privatePostgresAvailable = (flag: string | undefined): boolean =>
  flag === '1' && existsSync(join(PG_BIN, 'postgres')) && process.getuid?.() === 0;

export interface PrivatePostgres {
  url: string;
  /** SIGSTOP (or SIGCONT) to the postmaster and every backend: a database that does not answer. */
  signalAll(signal: 'SIGSTOP' | 'SIGCONT'): void;
  /** Thaws it if frozen, stops it (SIGINT to the postmaster) and removes its folder. */
  stop(): Promise<void>;
}

export async function startPrivatePostgres(port: number, prefix: string): Promise<PrivatePostgres> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const uid = Number((await execFileAsync('id', ['-u', 'postgres'])).stdout.trim());
  chownSync(dir, uid, uid);
  const pgData = join(dir, 'pg');
  await execFileAsync('runuser', [
    ...['-u', 'postgres', '--', join(PG_BIN, 'initdb'), '-D', pgData],
    ...['-A', 'trust', '-U', 'postgres', '--no-sync'],
  ]);
  const postgres: ChildProcess = spawn(
    'runuser',
    [
      ...['-u', 'postgres', '--', join(PG_BIN, 'postgres'), '-D', pgData, '-p', String(port), '-k', dir],
      ...['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'],
    ],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 100; i++) {
    const ok = await execFileAsync(join(PG_BIN, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)])
      .then(() => true)
      .catch(() => false);
    if (ok) break;
    await sleep(200);
  }
  const postmasterPid = () => Number(readFileSync(join(pgData, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const signalAll = (signal: 'SIGSTOP' | 'SIGCONT') => {
    const postmaster = postmasterPid();
    const children = readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          return Number(readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]) === postmaster;
        } catch {
          return false;
        }
      })
      .map(Number);
    const order = signal === 'SIGSTOP' ? [postmaster, ...children] : [...children, postmaster];
    for (const pid of order) process.kill(pid, signal);
  };
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    signalAll,
    async stop() {
      try {
        signalAll('SIGCONT');
      } catch {
        // already gone
      }
      if (postgres.exitCode === null) {
        const pid = postmasterPid();
        process.kill(pid, 'SIGINT');
        for (let i = 0; i < 300; i++) {
          try {
            process.kill(pid, 0);
          } catch {
            break;
          }
          await sleep(100);
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

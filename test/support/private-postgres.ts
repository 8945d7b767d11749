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
  /**
   * SIGSTOP (or SIGCONT) to the postmaster and every backend: a database that does not answer. Returns
   * how many processes were signalled.
   */
  signalAll(signal: 'SIGSTOP' | 'SIGCONT'): number;
  /** Fast shutdown (SIGINT to the postmaster: sessions are terminated); its folder is kept. */
  shutdown(): Promise<void>;
  /** Starts it again on the same folder after `shutdown`. */
  restart(): Promise<void>;
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
  let postgres: ChildProcess | undefined;
  let running = false;
  const start = async () => {
    running = true;
    postgres = spawn(
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
      if (ok) return;
      await sleep(200);
    }
    throw new Error('the private PostgreSQL did not start');
  };
  await start();
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
    // Stopping: the postmaster first (it forks no more); resuming: the children first.
    const order = signal === 'SIGSTOP' ? [postmaster, ...children] : [...children, postmaster];
    for (const pid of order) process.kill(pid, signal);
    return order.length;
  };
  const shutdown = async () => {
    if (!running || !postgres || postgres.exitCode !== null) return;
    running = false;
    const pid = postmasterPid();
    process.kill(pid, 'SIGINT'); // fast shutdown: sessions are terminated
    for (let i = 0; i < 300; i++) {
      try {
        process.kill(pid, 0);
      } catch {
        return;
      }
      await sleep(100);
    }
  };
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    signalAll,
    shutdown,
    restart: start,
    async stop() {
      try {
        signalAll('SIGCONT');
      } catch {
        // already gone
      }
      await shutdown();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

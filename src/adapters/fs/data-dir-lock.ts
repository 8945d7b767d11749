import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export class DataDirLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly holder: { pid: number; host: string; since: string },
  ) {
    super(
      `DATA_DIR ${dir} is in use by another gara process (pid ${holder.pid} on ${holder.host}, since ${holder.since}): ` +
        'the embedded database serves one process at a time. Stop that process or use another DATA_DIR; ' +
        'to run several processes, set DATABASE_URL (PostgreSQL). ' +
        `If no such process exists, remove ${join(dir, LOCK_FILE)}.`,
    );
    this.name = 'DataDirLockedError';
  }
}

const LOCK_FILE = 'gara.lock';
/** The lock files this process holds (a lock naming this pid that is not among them is stale). */
const heldHere = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The embedded database (PGlite) must have one process writing its files: a second one would corrupt
 * them. The first process creates DATA_DIR/gara.lock (exclusively) with its pid; another process finding
 * the file refuses to start while that pid is alive on this machine, and takes the lock over when it is
 * not (a crash leaves the file behind). Released on close.
 */
export function lockDataDir(dir: string): { release(): void } {
  const file = join(dir, LOCK_FILE);
  const mine = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, `${JSON.stringify(mine)}\n`);
      closeSync(fd);
      heldHere.add(file);
      return {
        release: () => {
          heldHere.delete(file);
          try {
            const held = JSON.parse(readFileSync(file, 'utf8')) as typeof mine;
            if (held.pid === mine.pid && held.since === mine.since) unlinkSync(file);
          } catch {
            // already gone
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let holder: typeof mine | undefined;
    try {
      holder = JSON.parse(readFileSync(file, 'utf8')) as typeof mine;
    } catch {
      holder = undefined; // half-written by a process that is starting right now, or garbage
    }
    // This process's own pid in a lock it does not hold: left by an earlier run that had the same pid (a
    // container starts its process with the same pid every time), not by a live process.
    const leftByEarlierRun = holder?.pid === process.pid && !heldHere.has(file);
    if (holder && (holder.host !== mine.host || (alive(holder.pid) && !leftByEarlierRun)))
      throw new DataDirLockedError(dir, holder);
    if (!holder && attempt === 0) {
      // Give a process that is writing its lock right now the time to finish it.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
      continue;
    }
    // Left by a process that is gone: take it over (a concurrent taker makes our next `wx` fail).
    try {
      unlinkSync(file);
    } catch {
      // another process removed it first
    }
  }
  throw new DataDirLockedError(dir, { pid: 0, host: mine.host, since: 'unknown' });
}

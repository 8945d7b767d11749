/**
 * Hostile pass 3 (issue 12: the DATA_DIR lock of the embedded engine; process killed, then restarted).
 * Found: a lock left by a killed process is taken over only when its pid is not alive. In a container
 * the service runs with the same pid at every start (1, or the init's child) and the same hostname, so
 * after `docker kill`, an OOM kill or a power cut the restarted process found "its own" pid alive and
 * refused to start, for good ("in use by another gara process (pid 1 ...)").
 * Fixed: a lock naming this process's pid that this process does not hold is stale
 * (src/adapters/fs/data-dir-lock.ts); a second lock of the same DATA_DIR inside one process is
 * still refused.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirLockedError, lockDataDir } from '../../src/adapters/fs/data-dir-lock.js';

describe('DATA_DIR lock after a restart with the same pid (a container)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gara-lock-pid-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a lock naming this pid, left by the previous run, is taken over; a second lock in this process is refused', () => {
    writeFileSync(
      join(dir, 'gara.lock'),
      `${JSON.stringify({ pid: process.pid, host: hostname(), since: '2026-12-01T10:00:00.000Z' })}\n`,
    );
    const lock = lockDataDir(dir);
    const held = JSON.parse(readFileSync(join(dir, 'gara.lock'), 'utf8')) as { since: string };
    expect(held.since).not.toBe('2026-12-01T10:00:00.000Z');
    expect(() => lockDataDir(dir)).toThrow(DataDirLockedError);
    lock.release();
    lockDataDir(dir).release();
  });
});

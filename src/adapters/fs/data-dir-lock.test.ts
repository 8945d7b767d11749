import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/database.js';
import { DataDirLockedError, lockDataDir } from './data-dir-lock.js';

describe('one process per embedded data directory', () => {
  const dirs: string[] = [];
  const fresh = () => {
    const dir = mkdtempSync(join(tmpdir(), 'gara-lock-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('a second open of the same DATA_DIR is refused with a clear message, and allowed after close', async () => {
    const dir = fresh();
    const first = await openDatabase({ dataDir: dir });
    await expect(openDatabase({ dataDir: dir })).rejects.toThrow(DataDirLockedError);
    await expect(openDatabase({ dataDir: dir })).rejects.toThrow(
      new RegExp(`DATA_DIR ${dir} is in use by another gara process \\(pid ${process.pid}`),
    );
    await first.close();
    const second = await openDatabase({ dataDir: dir });
    await second.close();
  });

  it('a lock left by a process that is gone is taken over', () => {
    const dir = fresh();
    // A pid above the kernel's maximum (4194304) belongs to no process.
    writeFileSync(join(dir, 'gara.lock'), JSON.stringify({ pid: 4_194_999, host: hostname(), since: 'x' }));
    const lock = lockDataDir(dir);
    expect(JSON.parse(readFileSync(join(dir, 'gara.lock'), 'utf8'))).toMatchObject({ pid: process.pid });
    lock.release();
  });

  it('a lock held on another machine (a shared disk) is refused: its pid cannot be checked from here', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'gara.lock'), JSON.stringify({ pid: 1, host: 'elsewhere', since: 'x' }));
    expect(() => lockDataDir(dir)).toThrow(/pid 1 on elsewhere/);
  });
});

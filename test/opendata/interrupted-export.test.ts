import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { directoryFileStore } from '../../src/adapters/opendata/file-store.js';

const dir = mkdtempSync(join(tmpdir(), 'gara-opendata-kill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('an interrupted export publishes nothing', () => {
  it('a process killed while writing leaves no published file, and its temporary file is removed', async () => {
    const store = directoryFileStore(dir);
    const previous = await store.publish(
      { name: 'cig_2026-11.csv', dataset: 'cig', period: '2026-11', format: 'csv' },
      (async function* () {
        yield 'cig\r\nA000000001\r\n';
      })(),
      () => 1,
    );
    const child = spawn(
      process.execPath,
      // tsx as a loader in this one process (its CLI would run the script in a grandchild).
      ['--import', 'tsx', 'test/opendata/interrupted-export.ts', dir],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('writing')) resolve();
      });
      child.once('exit', () => reject(new Error('the child ended before writing')));
    });
    const temporary = readdirSync(join(dir, 'blobs')).filter((n) => n.startsWith('.tmp-'));
    expect(temporary).toHaveLength(1);
    expect(statSync(join(dir, 'blobs', temporary[0]!)).size).toBeGreaterThan(1_000_000);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    // The writer is gone: its temporary file no longer grows.
    const size = statSync(join(dir, 'blobs', temporary[0]!)).size;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(statSync(join(dir, 'blobs', temporary[0]!)).size).toBe(size);

    // The catalogue still lists the previous version, whole, and serves it. The left-over is removed by
    // a later start once it is an hour old (a younger one may be another process's file in progress).
    const hoursAgo = new Date(Date.now() - 2 * 3_600_000);
    utimesSync(join(dir, 'blobs', temporary[0]!), hoursAgo, hoursAgo);
    const fresh = directoryFileStore(dir);
    expect(await fresh.list()).toEqual([previous]);
    const found = await fresh.find('cig_2026-11.csv');
    expect(found?.file.sha256).toBe(previous.sha256);
    expect(readdirSync(join(dir, 'blobs')).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
  });

  it('content that fails half-way publishes nothing and leaves no temporary file', async () => {
    const store = directoryFileStore(dir);
    const failing = (async function* () {
      yield 'cig\r\n';
      throw new Error('database gone');
    })();
    await expect(
      store.publish(
        { name: 'smartcig_2026-11.csv', dataset: 'smartcig', period: '2026-11', format: 'csv' },
        failing,
        () => 0,
      ),
    ).rejects.toThrow('database gone');
    expect(await store.find('smartcig_2026-11.csv')).toBeNull();
    expect(readdirSync(join(dir, 'blobs')).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
  });
});

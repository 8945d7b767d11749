/**
 * Hostile: several processes may share OPENDATA_DIR (docs/opendata.md). The store's start removed every
 * `.tmp-*` in it, so one process starting deleted the file another was writing (its rename then failed,
 * the export with it). Now only temporary files older than an hour are left-overs of a crash.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { directoryFileStore } from '../../src/adapters/opendata/file-store.js';

describe('a store starting on a shared OPENDATA_DIR', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gara-opendata-shared-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps another process's temporary files in progress and removes the stale ones", async () => {
    mkdirSync(join(dir, 'blobs'), { recursive: true });
    const inProgress = ['.tmp-aaaa', 'blobs/.tmp-bbbb'];
    const stale = ['.tmp-cccc', 'blobs/.tmp-dddd'];
    for (const name of [...inProgress, ...stale]) writeFileSync(join(dir, name), 'partial');
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    for (const name of stale) utimesSync(join(dir, name), twoHoursAgo, twoHoursAgo);

    await directoryFileStore(dir).list();

    const left = [
      ...readdirSync(dir).filter((n) => n.startsWith('.tmp-')),
      ...readdirSync(join(dir, 'blobs')).map((n) => `blobs/${n}`),
    ].sort();
    expect(left).toEqual([...inProgress].sort());
  });
});

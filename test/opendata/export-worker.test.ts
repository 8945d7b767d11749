import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opendataRepository } from '../../src/adapters/db/repositories/opendata-repository.js';
import { workerProducer, type WorkerProducerOptions } from '../../src/adapters/opendata/export-worker.js';
import { directoryFileStore } from '../../src/adapters/opendata/file-store.js';
import { tabularEncoder } from '../../src/adapters/opendata/tabular-encoders.js';
import { systemActor } from '../../src/services/context.js';
import { exportOpendataPeriodOnce } from '../../src/services/opendata/export-opendata-period-once.js';
import type { OpendataServices } from '../../src/services/opendata/ports.js';
import { sampleLot } from '../support/factories.js';
import { createHarness, type Harness } from '../support/harness.js';

const url = process.env.DATABASE_URL;
/** The calling thread's nice value (Linux: per thread; field 19 of /proc/thread-self/stat). */
const threadNice = () => {
  const stat = readFileSync('/proc/thread-self/stat', 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
};
const temporaries = (dir: string) =>
  [dir, join(dir, 'blobs')].flatMap((d) => readdirSync(d).filter((n) => n.startsWith('.tmp-')));

// PostgreSQL only: on PGlite (one in-process connection) exports stay in the API's thread.
describe.skipIf(!url)('open data export in a worker thread (postgres)', () => {
  let h: Harness;
  const dirs: string[] = [];
  const folder = () => {
    const dir = mkdtempSync(join(tmpdir(), 'gara-opendata-worker-'));
    dirs.push(dir);
    return dir;
  };
  let inThread: OpendataServices;
  const services = (dir: string, options: Partial<WorkerProducerOptions> = {}): OpendataServices => ({
    ...inThread,
    files: directoryFileStore(dir),
    producer: workerProducer({
      database: { url, schema: h.db.schema, connectTimeoutMs: 2000 },
      dir,
      ocidPrefix: inThread.ocidPrefix,
      pageSize: inThread.pageSize,
      ...options,
    }),
  });
  const exportWith = (opendata: OpendataServices, period = '2026-11') =>
    exportOpendataPeriodOnce({ ...h.deps, opendata }, { period }, systemActor('test'));

  beforeAll(async () => {
    h = await createHarness({
      now: '2026-11-03T09:00:00Z',
      opendata: (db) =>
        (inThread = {
          repository: opendataRepository(db.db, { streaming: true }),
          files: directoryFileStore(folder()),
          encoder: tabularEncoder,
          ocidPrefix: 'ocds-hu01ve',
          publicUrl: () => 'https://gara.example',
          pageSize: 2,
        }),
    });
    const rup = await h.factories.rup();
    await h.factories.tender(rup.actor, { lots: [sampleLot({ amount: '1234.56' }), sampleLot()] });
    h.clock.set('2026-11-12T10:00:00Z');
    await h.factories.tender(rup.actor, { procedureType: '10', contractObject: 'supplies' });
    h.clock.set('2026-12-03T09:00:00Z');
  });
  afterAll(async () => {
    await h?.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('runs in another thread at nice 19, this thread keeps its priority, the files are byte-identical', async () => {
    const niceBefore = threadNice();
    const runs: { threadId: number; nice: number | null }[] = [];
    const dir = folder();
    const viaWorker = await exportWith(services(dir, { onRun: (run) => runs.push(run) }));
    expect(runs).toHaveLength(1);
    expect(runs[0]!.threadId).toBeGreaterThan(0);
    expect(runs[0]!.nice).toBe(19);
    expect(threadNice()).toBe(niceBefore);

    const here = await exportWith(inThread);
    expect(viaWorker.map((f) => f.name)).toContain('cig_2026-11.csv');
    expect(viaWorker.map((f) => [f.name, f.sha256, f.rows, f.bytes])).toEqual(
      here.map((f) => [f.name, f.sha256, f.rows, f.bytes]),
    );
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    expect((await directoryFileStore(dir).list()).sort(byName)).toEqual([...viaWorker].sort(byName));
  });

  it('exports asked at once run one worker at a time, in turn, each one producing its period', async () => {
    const dir = folder();
    const runs: { period: string; start: number; end: number }[] = [];
    const opendata = services(dir, {
      onRun: (run) =>
        runs.push({ period: run.period, start: Date.now() - run.seconds * 1000, end: Date.now() }),
    });
    const periods = ['2026-11-01', '2026-11-02', '2026-11-03', '2026-11-12'];
    const results = await Promise.all(periods.map((period) => exportWith(opendata, period)));
    expect(results.map((files) => files.length > 0)).toEqual(periods.map(() => true));
    // (They reach the producer in the order their runs were claimed, not necessarily the order asked.)
    expect(runs.map((r) => r.period).sort()).toEqual(periods);
    // Each worker started after the one before had ended: never two at once.
    for (let i = 1; i < runs.length; i += 1) expect(runs[i]!.start).toBeGreaterThanOrEqual(runs[i - 1]!.end);
  });

  it('a worker that cannot connect fails the export cleanly: nothing published, the run released', async () => {
    const dir = folder();
    const unreachable = services(dir);
    unreachable.producer = workerProducer({
      database: { url: 'postgres://postgres@127.0.0.1:1/none', connectTimeoutMs: 1000 },
      dir,
      ocidPrefix: inThread.ocidPrefix,
      pageSize: 2,
    });
    await expect(exportWith(unreachable)).rejects.toThrow();
    expect(await directoryFileStore(dir).list()).toEqual([]);
    expect(temporaries(dir)).toEqual([]);
    // The period is free again: the next run (here through a working worker) produces it.
    expect((await exportWith(services(dir))).length).toBeGreaterThan(0);
  });

  it('a worker whose server never answers is stopped at its deadline; the next export gets its turn', async () => {
    // Accepts connections and never says a word: a frozen or vanished server (no client-side timeout).
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const dir = folder();
      const { port } = silent.address() as AddressInfo;
      const producer = workerProducer({
        database: { url: `postgres://postgres@127.0.0.1:${port}/none`, connectTimeoutMs: 600_000 },
        dir,
        ocidPrefix: inThread.ocidPrefix,
        pageSize: 2,
        timeoutMs: 1500,
      });
      const started = performance.now();
      await expect(producer.produce('2026-11', 'https://gara.example')).rejects.toThrow(
        /ran longer than 1500 ms/,
      );
      expect(performance.now() - started).toBeLessThan(10_000);
      expect(temporaries(dir)).toEqual([]);
      // The slot is free again: a second export through the same producer starts (and is stopped) too.
      await expect(producer.produce('2026-11-01', 'https://gara.example')).rejects.toThrow(/ran longer/);
    } finally {
      silent.close();
    }
  });

  it('a worker that dies (out of memory) fails the export; the service answers on', async () => {
    const dir = folder();
    await expect(exportWith(services(dir, { maxOldGenerationSizeMb: 1 }))).rejects.toThrow(
      /worker ended without an answer/,
    );
    expect(await directoryFileStore(dir).list()).toEqual([]);
    expect(temporaries(dir)).toEqual([]);
    expect((await h.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBeLessThan(500);
  });
});

/**
 * The export worker's thread (started by export-worker.ts): lowers its own priority, opens its own
 * small pool, produces the period's files exactly as the in-thread path does, posts them back, closes.
 */
import { readFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { DomainError } from '../../domain/shared/errors.js';
import { openDatabase } from '../db/database.js';
import { opendataRepository } from '../db/repositories/opendata-repository.js';
import { produceOpendataFiles } from '../../services/opendata/export-opendata-period.js';
import { parsePeriod } from '../../services/opendata/periods.js';
import { directoryFileStore } from './file-store.js';
import { tabularEncoder } from './tabular-encoders.js';
import type { ExportWorkerData, ExportWorkerReply } from './export-worker.js';

/** This thread's nice value as the kernel sees it (Linux: field 19 of /proc/thread-self/stat). */
function threadNice(): number | null {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  } catch {
    return null;
  }
}

async function run(data: ExportWorkerData): Promise<ExportWorkerReply> {
  // Pid 0: the calling thread on Linux (the nice value is per thread), so the API's thread keeps its own.
  setPriority(data.niceness);
  const started = performance.now();
  const database = await openDatabase({ ...data.database, poolSize: 2 });
  try {
    const files = await produceOpendataFiles(
      {
        opendata: {
          repository: opendataRepository(database.db, { streaming: true }),
          files: directoryFileStore(data.dir, { tempTag: data.tempTag }),
          encoder: tabularEncoder,
          ocidPrefix: data.ocidPrefix,
          publicUrl: () => data.publicUrl,
          pageSize: data.pageSize,
        },
      },
      parsePeriod(data.period),
    );
    return {
      files,
      threadId,
      nice: threadNice(),
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await database.close();
  }
}

run(workerData as ExportWorkerData).then(
  (reply) => parentPort?.postMessage(reply),
  (error: unknown) => {
    const e = error instanceof DomainError ? error : null;
    parentPort?.postMessage({
      error: {
        message: error instanceof Error ? error.message : String(error),
        ...(e
          ? {
              code: e.code,
              field: e.field,
              reason: e.reason,
              detail: e.detail,
              retryAfterSeconds: e.retryAfterSeconds,
            }
          : {}),
      },
    } satisfies ExportWorkerReply);
  },
);

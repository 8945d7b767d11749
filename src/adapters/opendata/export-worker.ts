import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { DomainError, type ErrorCode } from '../../domain/shared/errors.js';
import type { OpendataProducer, PublishedFile } from '../../services/opendata/ports.js';
import type { DatabaseOptions } from '../db/database.js';
import { removeTaggedTemps } from './file-store.js';

/** What the worker is given: plain data (structured clone), its own connection settings. */
export interface ExportWorkerData {
  database: Pick<DatabaseOptions, 'url' | 'schema' | 'connectTimeoutMs' | 'statementTimeoutMs'>;
  dir: string;
  ocidPrefix: string;
  pageSize: number;
  period: string;
  publicUrl: string;
  /** In the names of the worker's temporary files, so that they can be removed if it dies. */
  tempTag: string;
  niceness: number;
}

/** The export's files, where it ran (thread id, nice value read back), or the error it ended with. */
export type ExportWorkerReply =
  | { files: PublishedFile[]; threadId: number; nice: number | null; seconds: number }
  | {
      error: {
        message: string;
        code?: ErrorCode;
        field?: string | undefined;
        reason?: string | undefined;
        detail?: string;
        retryAfterSeconds?: number | undefined;
      };
    };

export interface WorkerProducerOptions {
  database: ExportWorkerData['database'];
  dir: string;
  ocidPrefix: string;
  pageSize: number;
  /** The worker thread's nice value (Linux: per thread): 19, the lowest priority, by default. */
  niceness?: number;
  /** The worker's heap limit in MB (a runaway export ends the worker, not the service). */
  maxOldGenerationSizeMb?: number;
  /**
   * Workers running at once (1 by default): further exports wait their turn in order. Each worker is an
   * isolate (~50 MB) and a pool of 2 connections; unbounded, 30 exports asked at once started 30 of them.
   */
  maxWorkers?: number;
  /**
   * A worker still running after this long is stopped and its export rejected (none by default): a
   * connection that never answers (a frozen or vanished server; `pg` has no client-side query timeout)
   * would otherwise hold the worker's turn, and every later export of the process, for ever.
   */
  timeoutMs?: number;
  /** Told after each export that ran in a worker (logged by the container). */
  onRun?: (run: { period: string; threadId: number; nice: number | null; seconds: number }) => void;
}

/**
 * Under vitest (and tsx) this module is TypeScript: the worker starts through tsx's loader, registered in
 * the worker by a small bootstrap; built (dist/), the entry is plain JavaScript.
 */
function workerEntry(): { url: URL } {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return { url: new URL('./export-worker-thread.js', here) };
  const entry = new URL('./export-worker-thread.ts', here).href;
  // tsx's ESM API (its `require` export names the CommonJS build; the ES module sits beside it).
  const api = pathToFileURL(createRequire(here).resolve('tsx/esm/api')).href.replace(/\.cjs$/, '.mjs');
  const boot = `import { tsImport } from ${JSON.stringify(api)}; await tsImport(${JSON.stringify(entry)}, import.meta.url);`;
  return { url: new URL(`data:text/javascript,${encodeURIComponent(boot)}`) };
}

const failure = (reply: Extract<ExportWorkerReply, { error: unknown }>['error']): Error =>
  reply.code
    ? new DomainError(reply.code, reply.message, {
        ...(reply.field ? { field: reply.field } : {}),
        ...(reply.reason ? { reason: reply.reason } : {}),
        ...(reply.detail ? { detail: reply.detail } : {}),
        ...(reply.retryAfterSeconds !== undefined ? { retryAfterSeconds: reply.retryAfterSeconds } : {}),
      })
    : new Error(`open data export failed in its worker: ${reply.message}`);

/**
 * Each export in a worker thread of its own (exports are hourly at most): the thread lowers its own
 * priority, so that on a busy machine the kernel runs the API first, and reads through its own small
 * pool. The files are the same bytes as the in-thread path (the same code writes them). A worker that
 * fails, dies or loses its connection rejects the export; the temporary files it left are removed.
 */
export function workerProducer(options: WorkerProducerOptions): OpendataProducer {
  const slots = turns(options.maxWorkers ?? 1);
  return {
    produce: (period, publicUrl) => slots.run(() => produceInWorker(period, publicUrl)),
  };

  function produceInWorker(period: string, publicUrl: string): Promise<PublishedFile[]> {
    const tempTag = `w${randomBytes(6).toString('hex')}`;
    const workerData: ExportWorkerData = {
      database: options.database,
      dir: options.dir,
      ocidPrefix: options.ocidPrefix,
      pageSize: options.pageSize,
      period,
      publicUrl,
      tempTag,
      niceness: options.niceness ?? 19,
    };
    const exported = new Promise<PublishedFile[]>((resolve, reject) => {
      const worker = new Worker(workerEntry().url, {
        workerData,
        ...(options.maxOldGenerationSizeMb
          ? { resourceLimits: { maxOldGenerationSizeMb: options.maxOldGenerationSizeMb } }
          : {}),
      });
      let reply: ExportWorkerReply | undefined;
      let crash: Error | undefined;
      worker.once('message', (message: ExportWorkerReply) => {
        reply = message;
        // The thread ends by itself once its pool is closed; one that lingers is stopped.
        setTimeout(() => void worker.terminate(), 10_000).unref();
      });
      worker.once('error', (error) => (crash = error));
      const deadline = options.timeoutMs
        ? setTimeout(() => {
            crash = new Error(`it ran longer than ${options.timeoutMs} ms and was stopped`);
            void worker.terminate();
          }, options.timeoutMs)
        : undefined;
      // Settled once the thread has ended (its connections closed), whatever it answered.
      worker.once('exit', (code) => {
        clearTimeout(deadline);
        if (reply && 'files' in reply) {
          options.onRun?.({ period, threadId: reply.threadId, nice: reply.nice, seconds: reply.seconds });
          resolve(reply.files);
        } else if (reply) reject(failure(reply.error));
        else
          reject(
            new Error(
              `open data export worker ended without an answer (exit code ${code})${crash ? `: ${crash.message}` : ''}`,
              { cause: crash },
            ),
          );
      });
    });
    return exported.catch(async (error: unknown) => {
      await removeTaggedTemps(options.dir, tempTag);
      throw error;
    });
  }
}

/** At most `limit` tasks at once; the others start in the order they came as earlier ones settle. */
function turns(limit: number) {
  let running = 0;
  const waiting: (() => void)[] = [];
  return {
    async run<T>(task: () => Promise<T>): Promise<T> {
      if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
      else running += 1;
      try {
        return await task();
      } finally {
        const next = waiting.shift();
        if (next) next();
        else running -= 1;
      }
    },
  };
}

import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  GaraApiError,
  GaraUnreachableError,
  IDEMPOTENCY_KEY_PATTERN,
  isServiceUnavailable,
  unreachableMessage,
  type GaraClient,
  type Problem,
} from './client.js';

/**
 * Offline queue of creating requests, for platforms and RUPs that must keep working while the gara
 * service is unreachable. Each queued request is one JSON file, `<createdAt>-<idempotency key>.json`,
 * written atomically (temporary file in the same directory, fsync, rename, fsync of the directory), so
 * a crash leaves either the whole entry or none of it. Entries keep their Idempotency-Key: submitting
 * one again after a lost response returns the first result (the same CIG) instead of a second tender.
 */

/** The problem a request met when it was last tried. */
export interface QueuedError {
  at: string;
  /** HTTP status, when the service answered. */
  status?: number;
  message: string;
  problem?: Problem;
}

export interface QueuedRequest {
  key: string;
  method: string;
  /** Path under the service's base URL, e.g. `/api/v1/tenders`. */
  path: string;
  body: unknown;
  /** ISO 8601; entries are submitted in this order. */
  createdAt: string;
  /** Submissions tried after queueing. */
  attempts: number;
  lastError: QueuedError | null;
  /** Refused by the service (4xx): kept for a human to look at, not retried automatically. */
  failed: boolean;
  /**
   * A short SHA-256 fingerprint of the bearer token the request was made with (never the token):
   * idempotency keys are per user, so an entry is only submitted again with the same token.
   */
  tokenFingerprint: string | null;
}

export interface EnqueueRequest {
  key: string;
  method?: string;
  path: string;
  body: unknown;
  tokenFingerprint?: string | null;
}

export interface OfflineQueueOptions {
  /** Default: `$GARA_QUEUE_DIR`, else `~/.gara/queue`. */
  dir?: string;
  /**
   * Temporary files (`.tmp-*`) older than this are leftovers of a crash between write and rename and
   * are deleted; younger ones may belong to a write in progress in another process. Default 60 s.
   */
  staleTempMs?: number;
  now?: () => Date;
}

export interface QueueScan {
  entries: QueuedRequest[];
  /** Files that are not valid entries (edited by hand?): left alone, never deleted. */
  invalid: { file: string; error: string }[];
}

const TEMP_PREFIX = '.tmp-';
const STAMP_LENGTH = '2026-01-01T00-00-00.000Z'.length;

export function defaultQueueDir(): string {
  const fromEnv = process.env.GARA_QUEUE_DIR;
  return fromEnv && fromEnv.length > 0 ? fromEnv : join(homedir(), '.gara', 'queue');
}

/** File-name-safe form of a key: letters, digits, `.`, `_`, `-` as they are, the rest %XX; long keys hashed. */
function fileKey(key: string): string {
  const safe = key.replace(
    /[^A-Za-z0-9._-]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
  return safe.length <= 120 ? safe : `sha256-${createHash('sha256').update(key).digest('hex')}`;
}

/** ISO 8601 without colons (valid file names everywhere), sorting like the instant it names. */
const fileStamp = (iso: string) => iso.replace(/:/g, '-');

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}

function sameRequest(a: QueuedRequest, b: EnqueueRequest): boolean {
  return (
    a.method === (b.method ?? 'POST').toUpperCase() &&
    a.path === b.path &&
    JSON.stringify(a.body) === JSON.stringify(b.body)
  );
}

function parseEntry(text: string): QueuedRequest {
  const value = JSON.parse(text) as Partial<QueuedRequest> | null;
  if (
    !value ||
    typeof value !== 'object' ||
    typeof value.key !== 'string' ||
    typeof value.method !== 'string' ||
    typeof value.path !== 'string' ||
    typeof value.createdAt !== 'string' ||
    !('body' in value)
  ) {
    throw new Error('not a queued request');
  }
  return {
    key: value.key,
    method: value.method,
    path: value.path,
    body: value.body,
    createdAt: value.createdAt,
    attempts: typeof value.attempts === 'number' ? value.attempts : 0,
    lastError: value.lastError ?? null,
    failed: value.failed === true,
    tokenFingerprint: typeof value.tokenFingerprint === 'string' ? value.tokenFingerprint : null,
  };
}

/** Durable, file-backed queue of creating requests, ordered by creation. Safe across processes. */
export class OfflineQueue {
  readonly dir: string;
  readonly #staleTempMs: number;
  readonly #now: () => Date;
  #ready: Promise<void> | undefined;
  /** Serialises this process's writes, so that creation times are strictly increasing. */
  #writes: Promise<unknown> = Promise.resolve();
  #lastCreatedMs = 0;

  constructor(options: OfflineQueueOptions = {}) {
    this.dir = options.dir ?? defaultQueueDir();
    this.#staleTempMs = options.staleTempMs ?? 60_000;
    this.#now = options.now ?? (() => new Date());
  }

  /** Creates the directory and deletes stale temporary files (a crash before the rename). */
  #prepare(): Promise<void> {
    this.#ready ??= (async () => {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      await this.cleanTemporaryFiles();
    })().catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  /** Deletes temporary files older than `staleTempMs`; returns their names. */
  async cleanTemporaryFiles(): Promise<string[]> {
    const removed: string[] = [];
    for (const name of await readdir(this.dir)) {
      if (!name.startsWith(TEMP_PREFIX)) continue;
      const file = join(this.dir, name);
      try {
        const info = await stat(file);
        if (this.#now().getTime() - info.mtimeMs < this.#staleTempMs) continue;
        await unlink(file);
        removed.push(name);
      } catch (error) {
        if (!isErrno(error, 'ENOENT')) throw error;
      }
    }
    return removed;
  }

  #serialised<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#writes.then(work, work);
    this.#writes = run.catch(() => undefined);
    return run;
  }

  async #entryFiles(): Promise<string[]> {
    await this.#prepare();
    return (await readdir(this.dir))
      .filter((name) => name.endsWith('.json') && !name.startsWith('.') && name.length > STAMP_LENGTH + 6)
      .sort();
  }

  /** Every valid entry in creation order, and the files that are not valid entries. */
  async scan(): Promise<QueueScan> {
    const entries: QueuedRequest[] = [];
    const invalid: QueueScan['invalid'] = [];
    for (const name of await this.#entryFiles()) {
      try {
        entries.push(parseEntry(await readFile(join(this.dir, name), 'utf8')));
      } catch (error) {
        if (isErrno(error, 'ENOENT')) continue; // removed meanwhile (submitted by another process)
        invalid.push({ file: name, error: error instanceof Error ? error.message : String(error) });
      }
    }
    return { entries, invalid };
  }

  /** Queued requests in creation order (failed ones included: see `failed`). */
  async list(): Promise<QueuedRequest[]> {
    return (await this.scan()).entries;
  }

  async #find(key: string): Promise<{ file: string; entry: QueuedRequest } | undefined> {
    const suffix = `-${fileKey(key)}.json`;
    for (const name of await this.#entryFiles()) {
      if (name.length !== STAMP_LENGTH + suffix.length || !name.endsWith(suffix)) continue;
      try {
        const entry = parseEntry(await readFile(join(this.dir, name), 'utf8'));
        if (entry.key === key) return { file: name, entry };
      } catch (error) {
        if (!isErrno(error, 'ENOENT')) throw error;
      }
    }
    return undefined;
  }

  async get(key: string): Promise<QueuedRequest | undefined> {
    return (await this.#find(key))?.entry;
  }

  /**
   * Queues a request. The same key queued again with the same request returns the entry already there
   * (nothing is queued twice); with a different request it is refused, as the service would.
   */
  enqueue(request: EnqueueRequest): Promise<QueuedRequest> {
    if (!IDEMPOTENCY_KEY_PATTERN.test(request.key)) {
      return Promise.reject(new Error('the idempotency key must be 1-255 visible ASCII characters'));
    }
    return this.#serialised(async () => {
      const existing = await this.#find(request.key);
      if (existing) {
        if (sameRequest(existing.entry, request)) return existing.entry;
        throw new Error(
          `the key ${request.key} is already queued for a different request; use a new key for a new request`,
        );
      }
      const files = await this.#entryFiles();
      const last = files.at(-1);
      const lastMs = last ? Date.parse(last.slice(0, STAMP_LENGTH).replace(/T(\d\d)-(\d\d)-/, 'T$1:$2:')) : 0;
      const createdMs = Math.max(this.#now().getTime(), this.#lastCreatedMs + 1, (lastMs || 0) + 1);
      this.#lastCreatedMs = createdMs;
      const entry: QueuedRequest = {
        key: request.key,
        method: (request.method ?? 'POST').toUpperCase(),
        path: request.path,
        body: request.body,
        createdAt: new Date(createdMs).toISOString(),
        attempts: 0,
        lastError: null,
        failed: false,
        tokenFingerprint: request.tokenFingerprint ?? null,
      };
      await this.#writeAtomically(`${fileStamp(entry.createdAt)}-${fileKey(entry.key)}.json`, entry);
      return entry;
    });
  }

  /** Removes a queued request (submitted, or dropped by a human); false when it was not queued. */
  remove(key: string): Promise<boolean> {
    return this.#serialised(async () => {
      const found = await this.#find(key);
      if (!found) return false;
      try {
        await unlink(join(this.dir, found.file));
      } catch (error) {
        if (isErrno(error, 'ENOENT')) return false;
        throw error;
      }
      await this.#syncDirectory();
      return true;
    });
  }

  /** The service refused the request (4xx): kept, marked failed, not retried until a human decides. */
  markFailed(key: string, error: Omit<QueuedError, 'at'>): Promise<QueuedRequest | undefined> {
    return this.#update(key, (entry) => ({
      ...entry,
      attempts: entry.attempts + 1,
      failed: true,
      lastError: { at: this.#now().toISOString(), ...error },
    }));
  }

  /** A submission that did not get through (service unavailable): counted, the entry stays pending. */
  recordAttempt(key: string, error: Omit<QueuedError, 'at'>): Promise<QueuedRequest | undefined> {
    return this.#update(key, (entry) => ({
      ...entry,
      attempts: entry.attempts + 1,
      lastError: { at: this.#now().toISOString(), ...error },
    }));
  }

  /** Makes a failed entry pending again (a human fixed the cause, e.g. on the service's side). */
  retry(key: string): Promise<QueuedRequest | undefined> {
    return this.#update(key, (entry) => ({ ...entry, failed: false }));
  }

  #update(key: string, change: (entry: QueuedRequest) => QueuedRequest): Promise<QueuedRequest | undefined> {
    return this.#serialised(async () => {
      const found = await this.#find(key);
      if (!found) return undefined;
      const updated = change(found.entry);
      await this.#writeAtomically(found.file, updated);
      return updated;
    });
  }

  /** Temporary file in the same directory, fsync, rename over the target, fsync of the directory. */
  async #writeAtomically(name: string, entry: QueuedRequest): Promise<void> {
    const temp = join(this.dir, `${TEMP_PREFIX}${randomUUID()}.json`);
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(entry, null, 2)}\n`, 'utf8');
      await handle.sync();
    } catch (error) {
      await handle.close();
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    await handle.close();
    try {
      await rename(temp, join(this.dir, name));
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    await this.#syncDirectory();
  }

  /** Makes a rename or unlink durable (POSIX); directories cannot be opened for this on Windows. */
  async #syncDirectory(): Promise<void> {
    let handle;
    try {
      handle = await open(this.dir, 'r');
      await handle.sync();
    } catch {
      // not supported on this platform: the rename itself is still atomic
    } finally {
      await handle?.close();
    }
  }
}

export interface SubmittedRequest<T = unknown> {
  key: string;
  method: string;
  path: string;
  result: T;
  /** The service had already processed this key (the first response had been lost). */
  replayed: boolean;
}

export interface FailedRequest {
  key: string;
  method: string;
  path: string;
  status?: number;
  message: string;
  problem?: Problem;
}

export interface FlushSummary<T = unknown> {
  submitted: SubmittedRequest<T>[];
  /** Refused by the service in this flush: kept and marked failed for a human to look at. */
  failed: FailedRequest[];
  /** Not tried: failed earlier (see `retryFailed`) or queued with another token (see `anyToken`). */
  skipped: { key: string; reason: 'failed_earlier' | 'other_token' }[];
  /** Entries still in the queue after the flush (pending, failed and skipped). */
  remaining: number;
  /** Set when the flush stopped because the service is still unavailable. */
  unavailable?: { key: string; message: string; status?: number; retryAfterMs?: number };
}

export interface FlushOptions {
  /** Also submit entries marked failed (after a human fixed the cause). Default false. */
  retryFailed?: boolean;
  /**
   * Submit entries queued with another bearer token too. Default false: idempotency keys are per user,
   * so submitting another user's entry could create it a second time, under the wrong user.
   */
  anyToken?: boolean;
  /** Called after each entry is decided, in queue order (for progress output). */
  onProgress?: (
    event:
      { outcome: 'submitted'; request: SubmittedRequest } | { outcome: 'failed'; request: FailedRequest },
  ) => void;
}

/** Answers that mean "try again later", not "this request is wrong". */
function isRetryLater(error: unknown): boolean {
  if (isServiceUnavailable(error)) return true;
  return (
    error instanceof GaraApiError &&
    (error.status === 429 || (error.status === 409 && error.problem?.reason === 'idempotency_in_progress'))
  );
}

function describe(error: unknown): Omit<QueuedError, 'at'> {
  if (error instanceof GaraApiError) {
    return {
      status: error.status,
      message: error.message,
      ...(error.problem && typeof error.problem === 'object' ? { problem: error.problem } : {}),
    };
  }
  if (error instanceof GaraUnreachableError) return { message: unreachableMessage(error) };
  return { message: error instanceof Error ? error.message : String(error) };
}

/**
 * Submits the queued requests in creation order, one at a time, each with its own Idempotency-Key:
 * 2xx (a replay included) removes the entry; a 4xx keeps it, marked failed, and goes on with the next;
 * "service unavailable" (unreachable, 502/503/504, 429, key still in progress) stops the flush and keeps
 * the rest, reporting the Retry-After the service asked for.
 */
export async function flushQueue<T = unknown>(
  client: GaraClient,
  queue: OfflineQueue,
  options: FlushOptions = {},
): Promise<FlushSummary<T>> {
  const summary: FlushSummary<T> = { submitted: [], failed: [], skipped: [], remaining: 0 };
  const entries = await queue.list();
  let left = entries.length;
  for (const entry of entries) {
    if (entry.failed && !options.retryFailed) {
      summary.skipped.push({ key: entry.key, reason: 'failed_earlier' });
      continue;
    }
    if (!options.anyToken && entry.tokenFingerprint !== client.tokenFingerprint) {
      summary.skipped.push({ key: entry.key, reason: 'other_token' });
      continue;
    }
    try {
      const answer = await client.submit<T>(entry.method, entry.path, entry.body, entry.key);
      await queue.remove(entry.key);
      left -= 1;
      const submitted: SubmittedRequest<T> = {
        key: entry.key,
        method: entry.method,
        path: entry.path,
        result: answer.result,
        replayed: answer.replayed,
      };
      summary.submitted.push(submitted);
      options.onProgress?.({ outcome: 'submitted', request: submitted });
    } catch (error) {
      const problem = describe(error);
      if (isRetryLater(error)) {
        await queue.recordAttempt(entry.key, problem);
        summary.unavailable = {
          key: entry.key,
          message: problem.message,
          ...(problem.status === undefined ? {} : { status: problem.status }),
          ...(error instanceof GaraApiError && error.retryAfterMs !== undefined
            ? { retryAfterMs: error.retryAfterMs }
            : {}),
        };
        break;
      }
      await queue.markFailed(entry.key, problem);
      const failed: FailedRequest = { key: entry.key, method: entry.method, path: entry.path, ...problem };
      summary.failed.push(failed);
      options.onProgress?.({ outcome: 'failed', request: failed });
    }
  }
  summary.remaining = left;
  return summary;
}

export interface QueueFlusherOptions extends FlushOptions {
  /** Time between flushes (longer when the service asks for it with Retry-After). Default 30 s. */
  intervalMs?: number;
  /** Called after every flush. */
  onFlush?: (summary: FlushSummary) => void;
  /** Called when a flush itself fails (e.g. the queue directory is not readable). */
  onError?: (error: unknown) => void;
  /** Do not keep the process alive just for the flusher. Default true. */
  unref?: boolean;
}

export interface QueueFlusher {
  /** Flushes now (after any flush in progress) and returns its summary. */
  flushNow(): Promise<FlushSummary>;
  /** Stops the timer and waits for a flush in progress. */
  stop(): Promise<void>;
}

/** Flushes the queue in the background: at once, then every `intervalMs`, until stopped. */
export function startQueueFlusher(
  client: GaraClient,
  queue: OfflineQueue,
  options: QueueFlusherOptions = {},
): QueueFlusher {
  const intervalMs = options.intervalMs ?? 30_000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<FlushSummary | undefined> = Promise.resolve(undefined);

  const flushOnce = (): Promise<FlushSummary> => {
    const next = running.then(() => flushQueue(client, queue, options));
    running = next.catch(() => undefined);
    return next;
  };

  const schedule = (delayMs: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = undefined;
      flushOnce().then(
        (summary) => {
          options.onFlush?.(summary);
          schedule(Math.max(intervalMs, summary.unavailable?.retryAfterMs ?? 0));
        },
        (error: unknown) => {
          options.onError?.(error);
          schedule(intervalMs);
        },
      );
    }, delayMs);
    if (options.unref ?? true) timer.unref();
  };

  schedule(0);
  return {
    flushNow: flushOnce,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}

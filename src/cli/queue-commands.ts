import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { GaraApiError, GaraClient, GaraUnreachableError } from '../client/client.js';
import { OfflineQueue, flushQueue, type FlushSummary, type QueuedRequest } from '../client/offline-queue.js';

/**
 * CLI commands that keep a RUP working while the service is unreachable: `gara tender create` queues
 * the request locally (with its Idempotency-Key) when the service does not answer, `gara queue flush`
 * submits the queue later with the same keys, `gara queue list` and `gara queue drop` show and remove
 * entries. Every handler returns the exit code, so tests call them directly.
 */

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** Standard input, for `--file -`. */
  readStdin(): Promise<string>;
}

export const consoleIo: CliIo = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
    return Buffer.concat(chunks).toString('utf8');
  },
};

export interface ConnectionOptions {
  /** Bearer token; default `$GARA_TOKEN`. */
  token?: string;
  /** Service URL; default `$GARA_URL`, else http://127.0.0.1:3000. */
  url?: string;
  /** Queue directory; default `$GARA_QUEUE_DIR`, else ~/.gara/queue. */
  queueDir?: string;
  /** Request timeout (default 10 s). */
  timeoutMs?: number;
}

type Env = Record<string, string | undefined>;

/** Exit code when the service is still unavailable and requests stay queued (sysexits EX_TEMPFAIL). */
export const EXIT_TEMPFAIL = 75;

const DEFAULT_URL = 'http://127.0.0.1:3000';

interface TenderResult {
  tenderNumber?: string;
  object?: string;
  lots?: { lotNumber?: number; cig?: string; object?: string; amount?: string }[];
  cig?: string;
}

function queueOf(options: { queueDir?: string | undefined }, env: Env): OfflineQueue {
  const dir = options.queueDir ?? (env.GARA_QUEUE_DIR || undefined);
  return new OfflineQueue(dir ? { dir } : {});
}

function clientOf(options: ConnectionOptions, env: Env, queue: OfflineQueue | undefined, token: string) {
  return new GaraClient({
    baseUrl: options.url ?? (env.GARA_URL || DEFAULT_URL),
    token,
    queue,
    keyPrefix: 'gara-cli-',
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
}

function tokenOf(options: ConnectionOptions, env: Env, io: CliIo): string | undefined {
  const token = options.token ?? (env.GARA_TOKEN || undefined);
  if (!token) io.err('gara: no token: pass --token or set $GARA_TOKEN');
  return token;
}

/** `gara 1234567: CIG A, CIG B` for a tender, the CIG for a lot or SmartCIG, else compact JSON. */
function describeResult(result: unknown): string {
  const r = (result ?? {}) as TenderResult;
  if (typeof r.tenderNumber === 'string' && Array.isArray(r.lots)) {
    const cigs = r.lots.map((l) => l.cig).filter((c): c is string => typeof c === 'string');
    return `gara ${r.tenderNumber}, CIG ${cigs.join(', ') || '-'}`;
  }
  if (typeof r.cig === 'string') return `CIG ${r.cig}`;
  const json = JSON.stringify(result) ?? 'null';
  return json.length > 120 ? `${json.slice(0, 117)}...` : json;
}

function describeError(status: number | undefined, message: string, code?: string): string {
  return status === undefined ? message : `${status}${code ? ` ${code}` : ''}: ${message}`;
}

function printApiError(error: GaraApiError, io: CliIo) {
  const p = error.problem;
  io.err(`gara: richiesta rifiutata, ${describeError(error.status, error.message, p?.code)}`);
  if (p?.field) io.err(`gara: campo ${p.field}${p.reason ? ` (${p.reason})` : ''}`);
}

async function readBody(file: string, io: CliIo): Promise<unknown> {
  const text = file === '-' ? await io.readStdin() : await readFile(file, 'utf8');
  return JSON.parse(text) as unknown;
}

/** `gara tender create --file tender.json`: creates a tender, or queues it while the service is unavailable. */
export async function tenderCreateCommand(
  options: ConnectionOptions & { file: string; key?: string },
  io: CliIo = consoleIo,
  env: Env = process.env,
): Promise<number> {
  const token = tokenOf(options, env, io);
  if (!token) return 2;
  let body: unknown;
  try {
    body = await readBody(options.file, io);
  } catch (error) {
    io.err(`gara: cannot read ${options.file}: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  const queue = queueOf(options, env);
  const client = clientOf(options, env, queue, token);
  try {
    const outcome = await client.create<TenderResult>('/api/v1/tenders', body, {
      ...(options.key ? { idempotencyKey: options.key } : {}),
    });
    if (outcome.status === 'queued') {
      io.out('servizio non raggiungibile: richiesta accodata localmente, nulla è perso');
      io.out(`chiave          ${outcome.key}`);
      io.out(`coda            ${queue.dir}`);
      io.out(`motivo          ${outcome.reason}`);
      io.out(
        'invio           gara queue flush (stessa chiave: la gara sarà creata una volta sola, senza CIG doppi)',
      );
      return 0;
    }
    const tender = outcome.result;
    io.out(`numero gara     ${tender.tenderNumber ?? '-'}`);
    if (tender.object) io.out(`oggetto         ${tender.object}`);
    for (const lot of tender.lots ?? []) {
      const amount = lot.amount ? ` (${lot.amount} EUR)` : '';
      io.out(
        `lotto ${String(lot.lotNumber ?? '?').padEnd(10)}CIG ${lot.cig ?? '-'}  ${lot.object ?? ''}${amount}`,
      );
    }
    io.out(`chiave          ${outcome.key}`);
    if (outcome.replayed)
      io.out('nota            già creata con questa chiave: stessa gara, nessun nuovo CIG');
    return 0;
  } catch (error) {
    if (error instanceof GaraApiError) {
      printApiError(error, io);
      return 1;
    }
    if (error instanceof GaraUnreachableError || error instanceof RangeError) {
      io.err(`gara: ${error.message}`);
      return 1;
    }
    io.err(`gara: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

const requests = (n: number) => `${n} ${n === 1 ? 'richiesta' : 'richieste'}`;

function stateOf(entry: QueuedRequest): string {
  return entry.failed ? 'in errore' : 'in attesa';
}

/** `gara queue list`: the queued requests, oldest first. */
export async function queueListCommand(
  options: { queueDir?: string; json?: boolean },
  io: CliIo = consoleIo,
  env: Env = process.env,
): Promise<number> {
  const queue = queueOf(options, env);
  const { entries, invalid } = await queue.scan();
  if (options.json) {
    io.out(JSON.stringify(entries, null, 2));
  } else if (entries.length === 0) {
    io.out(`coda vuota (${queue.dir})`);
  } else {
    io.out(`${requests(entries.length)} in coda (${queue.dir}):`);
    for (const e of entries) {
      io.out(
        `${e.createdAt}  ${stateOf(e).padEnd(9)}  ${e.key}  ${e.method} ${e.path}  tentativi ${e.attempts}`,
      );
      if (e.lastError) {
        io.out(
          `    ultimo errore ${e.lastError.at}: ${describeError(e.lastError.status, e.lastError.message, e.lastError.problem?.code)}`,
        );
      }
    }
  }
  for (const bad of invalid)
    io.err(`gara: ${queue.dir}/${bad.file} is not a valid queue entry (${bad.error})`);
  return 0;
}

function printFlushSummary(summary: FlushSummary, io: CliIo) {
  const earlier = summary.skipped.filter((s) => s.reason === 'failed_earlier').length;
  const otherToken = summary.skipped.filter((s) => s.reason === 'other_token').length;
  if (earlier > 0) {
    io.out(
      `${requests(earlier)} in errore da prima: vedere gara queue list, poi gara queue drop KEY o gara queue flush --retry-failed`,
    );
  }
  if (otherToken > 0) {
    io.out(`${requests(otherToken)} accodate con un altro token: non inviate (--any-token per inviarle)`);
  }
  if (summary.unavailable) {
    const wait =
      summary.unavailable.retryAfterMs === undefined
        ? ''
        : ` (riprovare tra ${Math.ceil(summary.unavailable.retryAfterMs / 1000)} s)`;
    io.out(`servizio non disponibile: ${summary.unavailable.message}${wait}`);
  }
  io.out(`in coda         ${requests(summary.remaining)}`);
}

/**
 * `gara queue flush`: submits the queue with the same keys, printing each outcome in queue order. Exit 1
 * when a request needs a human (refused now or before), 75 when the service is still unavailable.
 */
export async function queueFlushCommand(
  options: ConnectionOptions & { retryFailed?: boolean; anyToken?: boolean },
  io: CliIo = consoleIo,
  env: Env = process.env,
): Promise<number> {
  const token = tokenOf(options, env, io);
  if (!token) return 2;
  const queue = queueOf(options, env);
  const client = clientOf(options, env, undefined, token);
  const summary = await flushQueue(client, queue, {
    ...(options.retryFailed ? { retryFailed: true } : {}),
    ...(options.anyToken ? { anyToken: true } : {}),
    onProgress: (event) => {
      if (event.outcome === 'submitted') {
        const { key, result, replayed } = event.request;
        io.out(`inviata    ${key} -> ${describeResult(result)}${replayed ? ' (già registrata)' : ''}`);
      } else {
        const { key, status, message, problem } = event.request;
        io.out(`in errore  ${key} -> ${describeError(status, message, problem?.code)}`);
      }
    },
  });
  printFlushSummary(summary, io);
  if (summary.failed.length > 0 || summary.skipped.some((s) => s.reason === 'failed_earlier')) return 1;
  return summary.unavailable ? EXIT_TEMPFAIL : 0;
}

/** `gara queue drop KEY`: removes a queued request without submitting it. */
export async function queueDropCommand(
  key: string,
  options: { queueDir?: string },
  io: CliIo = consoleIo,
  env: Env = process.env,
): Promise<number> {
  const queue = queueOf(options, env);
  const entry = await queue.get(key);
  if (!entry || !(await queue.remove(key))) {
    io.err(`gara: ${key} is not in the queue (${queue.dir})`);
    return 1;
  }
  io.out(`rimossa        ${key} (${entry.method} ${entry.path}, accodata il ${entry.createdAt})`);
  return 0;
}

interface CommonFlags {
  token?: string;
  url?: string;
  queueDir?: string;
}

const connection = (flags: CommonFlags): ConnectionOptions => ({
  ...(flags.token === undefined ? {} : { token: flags.token }),
  ...(flags.url === undefined ? {} : { url: flags.url }),
  ...(flags.queueDir === undefined ? {} : { queueDir: flags.queueDir }),
});

/** Registers `gara tender create` and `gara queue list|flush|drop` on the gara program. */
export function registerQueueCommands(program: Command): void {
  const tender =
    program.commands.find((c) => c.name() === 'tender') ??
    program.command('tender').description('tenders (a RUP; creating requests are queued while offline)');

  tender
    .command('create')
    .description(
      'create a tender with its lots (one CIG per lot); while the service is unreachable the request is queued locally with its Idempotency-Key',
    )
    .requiredOption(
      '--file <file>',
      'the tender as JSON (POST /api/v1/tenders body); "-" reads standard input',
    )
    .option('--token <token>', "the RUP's bearer token (default: $GARA_TOKEN)")
    .option('--url <url>', 'service URL (default: $GARA_URL or http://127.0.0.1:3000)')
    .option(
      '--key <key>',
      'Idempotency-Key (default: a new gara-cli-<uuid>); reuse it to retry the same request',
    )
    .option('--queue-dir <dir>', 'queue directory (default: $GARA_QUEUE_DIR or ~/.gara/queue)')
    .action(async (flags: CommonFlags & { file: string; key?: string }) => {
      process.exitCode = await tenderCreateCommand({
        ...connection(flags),
        file: flags.file,
        ...(flags.key === undefined ? {} : { key: flags.key }),
      });
    });

  const queue = program
    .command('queue')
    .description('requests queued locally while the service was unreachable');

  queue
    .command('list')
    .description('list the queued requests, oldest first')
    .option('--queue-dir <dir>', 'queue directory (default: $GARA_QUEUE_DIR or ~/.gara/queue)')
    .option('--json', 'print the entries as JSON')
    .action(async (flags: { queueDir?: string; json?: boolean }) => {
      process.exitCode = await queueListCommand({
        ...(flags.queueDir === undefined ? {} : { queueDir: flags.queueDir }),
        json: flags.json === true,
      });
    });

  queue
    .command('flush')
    .description(
      'submit the queued requests in order with their keys (exit 1 if any needs a human, 75 if the service is still unavailable)',
    )
    .option('--token <token>', 'bearer token the requests were made with (default: $GARA_TOKEN)')
    .option('--url <url>', 'service URL (default: $GARA_URL or http://127.0.0.1:3000)')
    .option('--queue-dir <dir>', 'queue directory (default: $GARA_QUEUE_DIR or ~/.gara/queue)')
    .option('--retry-failed', 'also submit requests the service refused before')
    .option('--any-token', 'also submit requests queued with another token (they would be made as this user)')
    .action(async (flags: CommonFlags & { retryFailed?: boolean; anyToken?: boolean }) => {
      process.exitCode = await queueFlushCommand({
        ...connection(flags),
        retryFailed: flags.retryFailed === true,
        anyToken: flags.anyToken === true,
      });
    });

  queue
    .command('drop')
    .description('remove a queued request without submitting it')
    .argument('<key>', 'the Idempotency-Key shown by gara queue list')
    .option('--queue-dir <dir>', 'queue directory (default: $GARA_QUEUE_DIR or ~/.gara/queue)')
    .action(async (key: string, flags: { queueDir?: string }) => {
      process.exitCode = await queueDropCommand(key, {
        ...(flags.queueDir === undefined ? {} : { queueDir: flags.queueDir }),
      });
    });
}

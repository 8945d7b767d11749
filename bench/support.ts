import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import autocannon from 'autocannon';

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

export interface Measurement {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  /** The non-2xx answers by status code (autocannon's loads). */
  statuses?: Record<string, number>;
}

export interface LoadOptions {
  url: string;
  connections: number;
  durationSeconds: number;
  /** Stop after this many requests instead of after durationSeconds. */
  amount?: number;
  /**
   * p50/p99 from every 2xx answer's own duration (fractions of a millisecond), not from autocannon's
   * histogram, which holds whole milliseconds: a 1 ms p99 there is anything in [1, 2) ms, too coarse for
   * a ratio of two p99s near a millisecond.
   */
  exactLatency?: boolean;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** Called per request: path and body may vary. */
  next?: () => { path: string; body?: string; headers?: Record<string, string> };
}

/** The nearest-rank p50 and p99 of durations in milliseconds (0 when there are none). */
export function percentiles(durations: number[]): { p50: number; p99: number } {
  if (durations.length === 0) return { p50: 0, p99: 0 };
  const sorted = Float64Array.from(durations).sort();
  const rank = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
  return { p50: rank(0.5), p99: rank(0.99) };
}

/** HTTP load with autocannon (another process's CPU would be better, but this keeps the run self-contained). */
export async function load(options: LoadOptions): Promise<Measurement> {
  const durations: number[] = [];
  // Without a callback autocannon answers a promise that is also its Instance (an EventEmitter).
  const instance = autocannon({
    url: options.url,
    connections: options.connections,
    ...(options.amount ? { amount: options.amount } : { duration: options.durationSeconds }),
    method: options.method ?? 'GET',
    headers: options.headers ?? {},
    ...(options.next
      ? {
          requests: [
            {
              setupRequest: (request: autocannon.Request) => {
                const n = options.next!();
                return {
                  ...request,
                  path: n.path,
                  body: n.body,
                  headers: { ...request.headers, ...n.headers },
                } as autocannon.Request;
              },
            },
          ],
        }
      : {}),
  }) as Promise<autocannon.Result> & autocannon.Instance;
  if (options.exactLatency) {
    (instance as autocannon.Instance).on(
      'response',
      (_client: unknown, status: number, _bytes: number, ms: number) => {
        if (status >= 200 && status < 300) durations.push(ms);
      },
    );
  }
  const result = await (instance as Promise<autocannon.Result>);
  const exact = options.exactLatency ? percentiles(durations) : undefined;
  return {
    rps: result.requests.total / result.duration,
    p50: exact ? exact.p50 : result.latency.p50,
    p99: exact ? exact.p99 : result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    statuses: Object.fromEntries(
      Object.entries(result.statusCodeStats ?? {})
        .filter(([status]) => !status.startsWith('2'))
        .map(([status, stats]) => [status, stats.count ?? 0]),
    ),
  };
}

export interface Server {
  process: ChildProcess;
  url: string;
  /** Current RSS (VmRSS), and the peak (VmHWM) since start or since resetPeakRss(). */
  rssMb(): number;
  resetPeakRss(): void;
  peakRssMb(): number;
  stop(): Promise<void>;
}

/** The node flags of `npm start`, so that the benchmark measures the service as it is run. */
export function startFlags(): string[] {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    scripts: { start: string };
  };
  return (
    /^node\s+(.*?)\s*dist\/cli\/main\.js serve$/.exec(pkg.scripts.start)?.[1]?.split(/\s+/).filter(Boolean) ??
    []
  );
}

/** Starts the built service as `npm start` does and waits for /health/ready. */
export async function startServer(env: Record<string, string>, port: number): Promise<Server> {
  // BENCH_SERVER_NODE_FLAGS adds node flags to the service, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const extra = (process.env.BENCH_SERVER_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
  const child = spawn(process.execPath, [...startFlags(), ...extra, 'dist/cli/main.js', 'serve'], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      JOBS_ENABLED: 'false',
      RATE_LIMIT_MAX: '100000000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += String(d)));
  child.stderr?.on('data', (d) => (output += String(d)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited: ${output}`);
    try {
      const res = await fetch(`${url}/health/ready`);
      if (res.ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`server did not start: ${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    process: child,
    url,
    rssMb: () => {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
    },
    // 5: the kernel resets the process's peak RSS (VmHWM) to its current RSS.
    resetPeakRss: () => writeFileSync(`/proc/${child.pid}/clear_refs`, '5'),
    peakRssMb: () => {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
      return kb / 1024;
    },
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

export const fmt = (n: number, digits = 0) => n.toFixed(digits).padStart(8);

/** Prints the medians of a measurement's rounds and returns them. */
export function report(name: string, rounds: Measurement[]): { rps: number; p50: number; p99: number } {
  const row = {
    rps: median(rounds.map((x) => x.rps)),
    p50: median(rounds.map((x) => x.p50)),
    p99: median(rounds.map((x) => x.p99)),
  };
  const errors = rounds.reduce((s, x) => s + x.errors + x.non2xx, 0);
  const statuses = new Map<string, number>();
  for (const x of rounds)
    for (const [status, count] of Object.entries(x.statuses ?? {}))
      statuses.set(status, (statuses.get(status) ?? 0) + count);
  const byStatus = [...statuses].map(([status, count]) => `${count} x ${status}`).join(', ');
  console.log(
    `  ${name.padEnd(44)} ${fmt(row.rps)} req/s  p50 ${fmt(row.p50, 1)} ms  p99 ${fmt(row.p99, 1)} ms${errors ? `  (${errors} errors/non-2xx${byStatus ? `: ${byStatus}` : ''})` : ''}`,
  );
  return row;
}

type Group = 'service' | 'postgres' | 'bench' | 'other';

/** CPU time (1/100 s ticks) used so far by each process, with its group (the service, PostgreSQL, this process, the rest). */
export function cpuTicks(servicePid: number | undefined): Map<number, { group: Group; ticks: number }> {
  const out = new Map<number, { group: Group; ticks: number }>();
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // ended meanwhile
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const n = Number(pid);
    const group: Group =
      n === servicePid
        ? 'service'
        : n === process.pid
          ? 'bench'
          : comm.startsWith('postgres')
            ? 'postgres'
            : 'other';
    out.set(n, { group, ticks });
  }
  return out;
}

/**
 * Microseconds of CPU per operation, by group, between two `cpuTicks` readings: per process, so that a
 * process that ended in between (a closed database connection) does not make a sum go negative; what a
 * process used after the first reading and before it ended is not counted.
 */
export function cpuPerOperation(
  before: ReturnType<typeof cpuTicks>,
  after: ReturnType<typeof cpuTicks>,
  operations: number,
): string {
  const used: Record<Group, number> = { service: 0, postgres: 0, bench: 0, other: 0 };
  for (const [pid, { group, ticks }] of after) used[group] += ticks - (before.get(pid)?.ticks ?? 0);
  return (Object.keys(used) as Group[])
    .map((k) => `${k} ${((used[k] * 10_000) / Math.max(1, operations)).toFixed(0)}`)
    .join(', ');
}

import type { Logger } from 'pino';

export interface ScheduledJob {
  name: string;
  intervalMs: number;
  run: () => Promise<unknown>;
}

/**
 * Runs jobs at fixed intervals in this process, never two runs of the same job at once. Jobs are
 * idempotent and safe to run in several processes at the same time (they only act on rows still in
 * the state they look for), so no leader election is needed.
 */
export class Scheduler {
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #immediates: NodeJS.Immediate[] = [];
  readonly #running = new Set<string>();
  readonly #inFlight = new Set<Promise<void>>();

  constructor(private readonly logger: Logger) {}

  start(jobs: ScheduledJob[], options: { runAtStart?: boolean } = {}): void {
    for (const job of jobs) {
      const timer = setInterval(() => this.#tick(job), job.intervalMs);
      timer.unref();
      this.#timers.push(timer);
      // Not synchronously: a run started from the caller's stack would share its async context, and the
      // embedded driver's transaction mark (AsyncLocalStorage.enterWith) then leaked into the caller
      // (`gara serve` died with PGliteReentrancyError on its next query). setImmediate gives each run its own.
      if (options.runAtStart) this.#immediates.push(setImmediate(() => this.#tick(job)));
    }
  }

  #tick(job: ScheduledJob): void {
    if (this.#running.has(job.name)) return;
    this.#running.add(job.name);
    const started = Date.now();
    const run = job
      .run()
      .then((result) => this.logger.info({ job: job.name, ms: Date.now() - started, result }, 'job done'))
      .catch((error: unknown) => this.logger.error({ job: job.name, err: error }, 'job failed'))
      .finally(() => {
        this.#running.delete(job.name);
        this.#inFlight.delete(run);
      });
    this.#inFlight.add(run);
  }

  async stop(): Promise<void> {
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers.length = 0;
    for (const immediate of this.#immediates) clearImmediate(immediate);
    this.#immediates.length = 0;
    await Promise.all([...this.#inFlight]);
  }
}

import type { Logger } from 'pino';
import type { ServiceDeps } from '../services/context.js';
import { dispatchDue, LetterCache, type DispatchOptions } from '../services/notices/dispatch.js';

/**
 * The outbox worker: sends what is due, continuously; sleeps when there is nothing to send. Several
 * workers (processes) may run: each message is claimed by one of them (FOR UPDATE SKIP LOCKED).
 */
export class OutboxWorker {
  #stopped = false;
  #loop: Promise<void> | undefined;
  constructor(
    private readonly deps: Pick<ServiceDeps, 'store' | 'clock'>,
    private options: DispatchOptions & { idleMs?: number; logger?: Logger },
  ) {
    this.options = { ...options, letters: options.letters ?? new LetterCache() };
  }

  #abort = new AbortController();

  start(): void {
    this.#stopped = false;
    if (this.#abort.signal.aborted) this.#abort = new AbortController();
    this.#loop ??= this.#run();
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      let busy = false;
      try {
        const r = await dispatchDue(this.deps, { ...this.options, signal: this.#abort.signal });
        busy = r.sent + r.failed + r.retried > 0;
        if (busy) this.options.logger?.debug(r, 'outbox pass');
      } catch (error) {
        this.options.logger?.warn({ err: error }, 'outbox pass failed');
      }
      if (!busy && !this.#stopped) await this.#sleep(this.options.idleMs ?? 500);
    }
  }

  #sleep(ms: number): Promise<void> {
    // The listener goes with the timer: one per idle round would pile up for as long as the process runs.
    const signal = this.#abort.signal;
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      signal.addEventListener('abort', wake, { once: true });
    });
  }

  /** Finishes the messages being sent, puts back the ones claimed but not started, and returns. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#abort.abort();
    await this.#loop;
    this.#loop = undefined;
  }
}

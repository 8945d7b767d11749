/**
 * Opportunistic batching ("group commit" in the application): a submitted item runs at once when a
 * batch slot is free; while all slots are busy, items queue and the next free slot takes them together
 * in one statement. At low load nothing waits; under load one round trip and one commit serve many
 * requests. Items sharing a key (e.g. the same tender) never go in the same batch. If a batch fails,
 * its items are retried one by one, so one bad item cannot fail the others.
 */
export interface BatcherOptions<I> {
  maxBatch: number;
  maxConcurrent: number;
  key?: (item: I) => string;
}

interface Pending<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

export class Batcher<I, O> {
  readonly #queue: Pending<I, O>[] = [];
  #running = 0;
  #scheduled = false;

  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly options: BatcherOptions<I>,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      // Flush at the end of this event-loop turn, so that every request read in the same turn joins
      // the batch (an embedded engine runs queries on this thread and would otherwise never overlap).
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => {
          this.#scheduled = false;
          this.#pump();
        });
      }
    });
  }

  #take(): Pending<I, O>[] {
    const batch: Pending<I, O>[] = [];
    const keys = new Set<string>();
    for (let i = 0; i < this.#queue.length && batch.length < this.options.maxBatch;) {
      const pending = this.#queue[i] as Pending<I, O>;
      const key = this.options.key?.(pending.item);
      if (key !== undefined && keys.has(key)) {
        i += 1;
        continue;
      }
      if (key !== undefined) keys.add(key);
      batch.push(pending);
      this.#queue.splice(i, 1);
    }
    return batch;
  }

  #pump(): void {
    while (this.#running < this.options.maxConcurrent && this.#queue.length > 0) {
      const batch = this.#take();
      this.#running += 1;
      void this.#execute(batch).finally(() => {
        this.#running -= 1;
        this.#pump();
      });
    }
  }

  async #execute(batch: Pending<I, O>[]): Promise<void> {
    try {
      const results = await this.run(batch.map((p) => p.item));
      batch.forEach((p, i) => p.resolve(results[i] as O));
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
      for (const p of batch) {
        try {
          const [result] = await this.run([p.item]);
          p.resolve(result as O);
        } catch (single) {
          p.reject(single);
        }
      }
    }
  }
}

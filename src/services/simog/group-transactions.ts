import { Batcher } from '../batcher.js';
import type { Store } from '../ports.js';
import type { SimogRepository, SimogUnitOfWork } from './ports.js';

type Work = (tx: { store: Store; simog: SimogRepository }) => Promise<unknown>;

interface Job {
  key: string;
  /** Jobs of a batch run in this order (the tender number: rows are locked in one order, no deadlock). */
  order: number;
  work: Work;
}

/**
 * Group commit for SIMOG's transactional writes (inserisciLotto): jobs that arrive together run one
 * after the other in ONE transaction, so that one commit serves many requests (the REST API batches its
 * issuances the same way, services/batcher.ts). A job that fails makes the batch fail; the Batcher then
 * runs each of its jobs in a transaction of its own, so a refusal never takes the others with it. At low
 * load nothing waits. Jobs with the same key (the same idempotency key) never share a batch.
 */
export class GroupTransactions {
  readonly #batcher: Batcher<Job, unknown>;

  constructor(uow: SimogUnitOfWork, options: { maxBatch?: number; maxConcurrent: number }) {
    this.#batcher = new Batcher(
      (jobs) =>
        uow.transaction(async (tx) => {
          const results = new Array<unknown>(jobs.length);
          const order = jobs.map((job, index) => ({ job, index })).sort((a, b) => a.job.order - b.job.order);
          for (const { job, index } of order) results[index] = await job.work(tx);
          return results;
        }),
      { maxBatch: options.maxBatch ?? 32, maxConcurrent: options.maxConcurrent, key: (job) => job.key },
    );
  }

  run<T>(
    key: string,
    order: number,
    work: (tx: { store: Store; simog: SimogRepository }) => Promise<T>,
  ): Promise<T> {
    return this.#batcher.submit({ key, order, work }) as Promise<T>;
  }
}

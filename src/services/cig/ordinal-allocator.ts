import type { CodeSeries, CodeSequences } from '../ports.js';

/**
 * Hands out code ordinals from blocks reserved in the database, so that issuing a code costs no extra
 * round trip most of the time. Ordinals left unused when the process stops are simply never issued:
 * CIGs need to be unique and valid, not gap-free (unlike protocol numbers).
 */
export class OrdinalAllocator {
  readonly #series: CodeSeries;
  readonly #blockSize: number;
  #buffer: number[] = [];
  #refill: Promise<void> | undefined;

  constructor(series: CodeSeries, blockSize = 32) {
    this.#series = series;
    this.#blockSize = blockSize;
  }

  /** `codes` must belong to the caller's current transaction, if any (PGlite has one session). */
  async next(codes: CodeSequences): Promise<number> {
    for (;;) {
      const ordinal = this.#buffer.shift();
      if (ordinal !== undefined) return ordinal;
      this.#refill ??= codes
        .reserveOrdinals(this.#series, this.#blockSize)
        .then((ordinals) => {
          this.#buffer.push(...ordinals);
        })
        .finally(() => {
          this.#refill = undefined;
        });
      await this.#refill;
    }
  }
}

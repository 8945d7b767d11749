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
  /** The store the refill in flight runs on. */
  #refillCodes: CodeSequences | undefined;

  constructor(series: CodeSeries, blockSize = 32) {
    this.#series = series;
    this.#blockSize = blockSize;
  }

  /**
   * `codes` must belong to the caller's current transaction, if any (PGlite has one session). A caller
   * on another store than the refill in flight reserves its own block instead of waiting for that
   * refill: inside a transaction on PGlite, the refill may be waiting for the session this very
   * transaction holds (a tender's creation issuing its lots while issuances refill: both waited until
   * the statement timeout, 15 s, and answered 503).
   */
  async next(codes: CodeSequences): Promise<number> {
    for (;;) {
      const ordinal = this.#buffer.shift();
      if (ordinal !== undefined) return ordinal;
      if (this.#refill && this.#refillCodes !== codes) {
        const [own, ...rest] = await codes.reserveOrdinals(this.#series, this.#blockSize);
        this.#buffer.push(...rest);
        if (own !== undefined) return own;
        continue;
      }
      this.#refillCodes = codes;
      this.#refill ??= codes
        .reserveOrdinals(this.#series, this.#blockSize)
        .then((ordinals) => {
          this.#buffer.push(...ordinals);
        })
        .finally(() => {
          this.#refill = undefined;
          this.#refillCodes = undefined;
        });
      await this.#refill;
    }
  }
}

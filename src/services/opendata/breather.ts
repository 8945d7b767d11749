/**
 * The longest run of export work between two turns of the event loop, in milliseconds. Counted in time,
 * not in rows: a row costs from a few to tens of microseconds depending on the format and on the load,
 * and 200 rows in a slice held the API's requests up for 5 ms and more (p99 ×3.5 during an export).
 */
export const SLICE_MS = 1;

/**
 * Lets pending I/O (API requests) run: an export works in slices of at most about SLICE_MS, not in one
 * long run of the event loop, so that it does not hold the API's latency up while it runs.
 * `due()` is cheap (one clock read): call it per row and `await breather()` only when it says so.
 */
export function slices(sliceMs = SLICE_MS): { due(): boolean } {
  let started = performance.now();
  return {
    due() {
      const now = performance.now();
      if (now - started < sliceMs) return false;
      started = now;
      return true;
    },
  };
}

/** One turn of the event loop: the I/O callbacks waiting (requests, database answers) run first. */
export const breather = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Rows encoded between two turns of the event loop while exporting. */
export const YIELD_EVERY = 200;

/**
 * Lets pending I/O (API requests) run: an export encodes its rows in slices, not in one long run of the
 * event loop, so that it does not hold the API's latency up while it runs.
 */
export const breather = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

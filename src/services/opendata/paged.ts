import { breather, slices } from './breather.js';

/**
 * The pages of a keyset-paginated read: one page in memory at a time, plus the next one being read. The
 * next page is asked for as soon as a page arrives, so that the database reads it while this one is
 * encoded (the two overlap instead of taking turns).
 */
export async function* pagesOf<Row, Key>(
  page: (after: Key, limit: number) => Promise<Row[]>,
  keyOf: (row: Row) => Key,
  first: Key,
  limit: number,
): AsyncIterable<Row[]> {
  let pending: Promise<Row[]> | null = page(first, limit);
  try {
    while (pending) {
      const rows: Row[] = await pending;
      pending = rows.length < limit ? null : page(keyOf(rows[rows.length - 1]!), limit);
      // Not unhandled if the consumer stops before awaiting it (the finally below awaits it).
      pending?.catch(() => undefined);
      if (rows.length > 0) yield rows;
    }
  } finally {
    // A consumer that stops early (an error while writing) leaves no query running behind it.
    await pending?.catch(() => undefined);
  }
}

/** The rows of batches, in slices: requests waiting are let in at least every SLICE_MS. */
export async function* rowsOf<Row>(batches: AsyncIterable<Row[]>): AsyncIterable<Row> {
  const slice = slices();
  for await (const rows of batches) {
    for (let i = 0; i < rows.length; i++) {
      if (slice.due()) await breather();
      yield rows[i]!;
    }
  }
}

/** Pages through a keyset-paginated read, row by row (see pagesOf and rowsOf). */
export const paged = <Row, Key>(
  page: (after: Key, limit: number) => Promise<Row[]>,
  keyOf: (row: Row) => Key,
  first: Key,
  limit: number,
): AsyncIterable<Row> => rowsOf(pagesOf(page, keyOf, first, limit));

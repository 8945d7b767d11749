import { csvCell } from '../../domain/shared/csv.js';
import { Amount, type Cell } from '../../services/opendata/datasets.js';
import type { TabularEncoder } from '../../services/opendata/ports.js';

/** Rows are grouped into chunks of about this many characters before they are written. */
const CHUNK_CHARS = 64 * 1024;

function csvValue(cell: Cell): string {
  if (cell instanceof Amount) return cell.decimal(',');
  return csvCell(cell);
}

function jsonValue(cell: Cell): string {
  if (cell === null) return 'null';
  if (cell instanceof Amount) return cell.decimal('.');
  return JSON.stringify(cell);
}

async function* chunked(lines: AsyncIterable<string>, head: string, tail: string): AsyncIterable<string> {
  let buffer = head;
  for await (const line of lines) {
    buffer += line;
    if (buffer.length >= CHUNK_CHARS) {
      yield buffer;
      buffer = '';
    }
  }
  yield buffer + tail;
}

/**
 * CSV: `;`-separated, UTF-8 without BOM, CRLF, header row, amounts with a decimal comma and no
 * thousands separator, dates YYYY-MM-DD. JSON: an array of objects keyed by the same column names, one
 * per line, amounts as JSON numbers with two decimals, missing values null.
 */
export const tabularEncoder: TabularEncoder = {
  csv(columns, rows) {
    async function* lines() {
      for await (const row of rows) yield `${row.map(csvValue).join(';')}\r\n`;
    }
    return chunked(lines(), `${columns.map((c) => csvCell(c)).join(';')}\r\n`, '');
  },
  json(columns, rows) {
    const keys = columns.map((c) => JSON.stringify(c));
    async function* lines() {
      let first = true;
      for await (const row of rows) {
        const fields = row.map((cell, i) => `${keys[i]}:${jsonValue(cell)}`).join(',');
        yield `${first ? '' : ',\n'}{${fields}}`;
        first = false;
      }
    }
    return chunked(lines(), '[\n', '\n]\n');
  },
};

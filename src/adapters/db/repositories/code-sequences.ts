import { sql } from 'kysely';
import type { Database } from '../database.js';
import type { CodeSequences, CodeSeries } from '../../../services/ports.js';

const sequences: Record<CodeSeries, string> = {
  pcp: 'pcp_cig_ordinal_seq',
  smart_cig: 'smart_cig_ordinal_seq',
};

export function codeSequences(db: Database): CodeSequences {
  return {
    async reserveOrdinals(series, count) {
      const { rows } = await sql<{ n: number }>`
        SELECT nextval(${sequences[series]}) AS n FROM generate_series(1, ${count}::int)`.execute(db);
      return rows.map((r) => Number(r.n));
    },
    async nextTenderNumber() {
      const { rows } = await sql<{ n: number }>`SELECT nextval('tender_number_seq') AS n`.execute(db);
      return Number(rows[0]?.n);
    },
  };
}

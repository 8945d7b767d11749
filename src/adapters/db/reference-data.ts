import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import type { Database } from './database.js';

/**
 * Loads the code lists shipped in reference-data/ (derived from the Authority's tipologiche) into
 * their tables. Idempotent: a list whose file has not changed since the last load is skipped; a
 * changed list is upserted (codes are never deleted: existing records may refer to them).
 */
const lists = [
  { file: 'cpv.json', table: 'cpv_codes' },
  { file: 'istat-places.json', table: 'istat_places' },
  { file: 'procedure-types.json', table: 'procedure_types' },
  { file: 'urgency-reasons.json', table: 'urgency_reasons' },
] as const;

const referenceDir = new URL('../../../reference-data/', import.meta.url);
const BATCH = 1000;

interface ListFile {
  columns: string[];
  rows: unknown[][];
}

export async function syncReferenceData(db: Database): Promise<{ loaded: string[] }> {
  const loaded: string[] = [];
  for (const { file, table } of lists) {
    const text = readFileSync(new URL(file, referenceDir), 'utf8');
    const sha256 = createHash('sha256').update(text).digest('hex');
    const current = await db
      .selectFrom('reference_data_versions')
      .select('sha256')
      .where('name', '=', table)
      .executeTakeFirst();
    if (current?.sha256 === sha256) continue;
    const { columns, rows } = JSON.parse(text) as ListFile;
    await db.transaction().execute(async (tx) => {
      for (let i = 0; i < rows.length; i += BATCH) {
        const values = rows
          .slice(i, i + BATCH)
          .map((row) => Object.fromEntries(columns.map((c, index) => [c, row[index] ?? null])));
        const updates = Object.fromEntries(
          columns.filter((c) => c !== 'code').map((c) => [c, sql.ref(`excluded.${c}`)]),
        );
        await tx
          .insertInto(table)
          .values(values as never)
          .onConflict((oc) => oc.column('code').doUpdateSet(updates as never))
          .execute();
      }
      await tx
        .insertInto('reference_data_versions')
        .values({ name: table, sha256, row_count: rows.length })
        .onConflict((oc) =>
          oc.column('name').doUpdateSet({ sha256, row_count: rows.length, loaded_at: sql<Date>`now()` }),
        )
        .execute();
    });
    loaded.push(table);
  }
  return { loaded };
}

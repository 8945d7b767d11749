import type { Database } from '../database.js';
import type { ReferenceRepository } from '../../../services/ports.js';

const dated = <T extends { valid_from: string | null; valid_to: string | null }>(r: T) => ({
  validFrom: r.valid_from,
  validTo: r.valid_to,
});

const escapeLike = (q: string): string => q.replace(/[\\%_]/g, (c) => `\\${c}`);

export function referenceRepository(db: Database): ReferenceRepository {
  return {
    async procedureTypes() {
      const rows = await db.selectFrom('procedure_types').selectAll().execute();
      return rows
        .map((r) => ({ code: r.code, description: r.description, ...dated(r) }))
        .sort((a, b) => Number(a.code) - Number(b.code));
    },
    async urgencyReasons() {
      const rows = await db.selectFrom('urgency_reasons').selectAll().execute();
      return rows
        .map((r) => ({ code: r.code, description: r.description, ...dated(r) }))
        .sort((a, b) => Number(a.code) - Number(b.code));
    },
    async procedureTypeExists(code) {
      return (await db.selectFrom('procedure_types').select('code').where('code', '=', code).executeTakeFirst()) !== undefined;
    },
    async cpvExists(code) {
      return (await db.selectFrom('cpv_codes').select('code').where('code', '=', code).executeTakeFirst()) !== undefined;
    },
    async findPlace(code) {
      const r = await db.selectFrom('istat_places').selectAll().where('code', '=', code).executeTakeFirst();
      return r && { code: r.code, name: r.name, ...dated(r) };
    },
    async searchCpv(q, limit) {
      const pattern = `%${escapeLike(q)}%`;
      const rows = await db
        .selectFrom('cpv_codes')
        .selectAll()
        .where((eb) => eb.or([eb('code', 'like', `${escapeLike(q)}%`), eb('description_it', 'ilike', pattern)]))
        .orderBy('code')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ code: r.code, descriptionIt: r.description_it, descriptionEn: r.description_en }));
    },
    async searchPlaces(q, limit) {
      const rows = await db
        .selectFrom('istat_places')
        .selectAll()
        .where((eb) => eb.or([eb('code', '=', q), eb('name', 'ilike', `${escapeLike(q)}%`)]))
        .orderBy('name')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ code: r.code, name: r.name, ...dated(r) }));
    },
  };
}

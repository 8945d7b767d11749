import type { Database } from '../database.js';
import type { ReferenceRepository } from '../../../services/ports.js';

const dated = <T extends { valid_from: string | null; valid_to: string | null }>(r: T) => ({
  validFrom: r.valid_from,
  validTo: r.valid_to,
});

const escapeLike = (q: string): string => q.replace(/[\\%_]/g, (c) => `\\${c}`);

type Place = { code: string; name: string; validFrom: string | null; validTo: string | null };

/**
 * The code lists change only when the shipped reference data is synced (at start-up), so lookups used
 * on every request (CPV and place checks) are answered from memory after a first load.
 */
export class ReferenceCache {
  #cpv: Set<string> | undefined;
  #places: Map<string, Place> | undefined;
  #procedureTypes: Set<string> | undefined;
  #loading: Promise<void> | undefined;

  async ensure(db: Database): Promise<void> {
    if (this.#cpv) return;
    this.#loading ??= (async () => {
      const [cpv, places, types] = await Promise.all([
        db.selectFrom('cpv_codes').select('code').execute(),
        db.selectFrom('istat_places').selectAll().execute(),
        db.selectFrom('procedure_types').select('code').execute(),
      ]);
      this.#places = new Map(places.map((p) => [p.code, { code: p.code, name: p.name, ...dated(p) }]));
      this.#procedureTypes = new Set(types.map((t) => t.code));
      this.#cpv = new Set(cpv.map((c) => c.code));
    })().finally(() => {
      this.#loading = undefined;
    });
    await this.#loading;
  }
  hasCpv = (code: string) => this.#cpv?.has(code) ?? false;
  place = (code: string) => this.#places?.get(code);
  hasProcedureType = (code: string) => this.#procedureTypes?.has(code) ?? false;
  /** After a reference sync in this process. */
  clear(): void {
    this.#cpv = undefined;
    this.#places = undefined;
    this.#procedureTypes = undefined;
  }
}

export function referenceRepository(db: Database, cache: ReferenceCache): ReferenceRepository {
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
      await cache.ensure(db);
      return cache.hasProcedureType(code);
    },
    async cpvExists(code) {
      await cache.ensure(db);
      return cache.hasCpv(code);
    },
    async findPlace(code) {
      await cache.ensure(db);
      return cache.place(code);
    },
    async searchCpv(q, limit) {
      const pattern = `%${escapeLike(q)}%`;
      const rows = await db
        .selectFrom('cpv_codes')
        .selectAll()
        .where((eb) =>
          eb.or([eb('code', 'like', `${escapeLike(q)}%`), eb('description_it', 'ilike', pattern)]),
        )
        .orderBy('code')
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        code: r.code,
        descriptionIt: r.description_it,
        descriptionEn: r.description_en,
      }));
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

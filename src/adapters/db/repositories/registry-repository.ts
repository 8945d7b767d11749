import { sql, type Selectable } from 'kysely';
import type { Database } from '../database.js';
import type { EconomicOperatorsTable, RegionalSectionsTable, UsersTable } from '../schema.js';
import type { RegistryRepository } from '../../../services/ports.js';
import type {
  ContractingAuthority,
  EconomicOperator,
  RegionalSection,
  User,
} from '../../../domain/registry/registry.js';

const toSection = (r: Selectable<RegionalSectionsTable>): RegionalSection => ({
  code: r.code,
  name: r.name,
  regionName: r.region_name,
  regionIstat: r.region_istat,
  provinceIstat: r.province_istat,
  city: r.city,
  pec: r.pec,
  aooCode: r.aoo_code,
  letterheadOffices: r.letterhead_offices === '' ? [] : r.letterhead_offices.split('\n'),
  website: r.website,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toUser = (r: Selectable<UsersTable>): User => ({
  id: r.id,
  name: r.name,
  email: r.email,
  fiscalCode: r.fiscal_code,
  role: r.role,
  contractingAuthorityId: r.contracting_authority_id,
  economicOperatorId: r.economic_operator_id,
  regionalSectionCode: r.regional_section_code,
  active: r.active,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toOperator = (r: Selectable<EconomicOperatorsTable>): EconomicOperator => ({
  id: r.id,
  fiscalCode: r.fiscal_code,
  vatNumber: r.vat_number,
  name: r.name,
  pec: r.pec,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const escapeLike = (q: string): string => q.replace(/[\\%_]/g, (c) => `\\${c}`);

export function registryRepository(db: Database): RegistryRepository {
  const selectAuthorities = () =>
    db
      .selectFrom('contracting_authorities as ca')
      .innerJoin('istat_places as p', 'p.code', 'ca.istat_place_code')
      .selectAll('ca')
      .select('p.name as place_name');

  async function withCostCentres(
    rows: Awaited<ReturnType<ReturnType<typeof selectAuthorities>['execute']>>,
  ): Promise<ContractingAuthority[]> {
    if (rows.length === 0) return [];
    const centres = await db
      .selectFrom('cost_centres')
      .selectAll()
      .where(
        'contracting_authority_id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('code')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      fiscalCode: r.fiscal_code,
      ausaCode: r.ausa_code,
      name: r.name,
      istatPlaceCode: r.istat_place_code,
      placeName: r.place_name,
      regionalSectionCode: r.regional_section_code,
      pec: r.pec,
      active: r.active,
      costCentres: centres
        .filter((c) => c.contracting_authority_id === r.id)
        .map((c) => ({ id: c.id, code: c.code, name: c.name, active: c.active })),
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    }));
  }

  return {
    async listSections() {
      return (
        await db.selectFrom('regional_sections').selectAll().orderBy('region_istat').orderBy('code').execute()
      ).map(toSection);
    },
    async findSectionByAoo(aooCode) {
      const row = await db
        .selectFrom('regional_sections')
        .selectAll()
        .where('aoo_code', '=', aooCode)
        .executeTakeFirst();
      return row && toSection(row);
    },
    async findSection(code) {
      const row = await db
        .selectFrom('regional_sections')
        .selectAll()
        .where('code', '=', code)
        .executeTakeFirst();
      return row && toSection(row);
    },
    async upsertSection(s, at) {
      const values = {
        name: s.name,
        region_name: s.regionName,
        region_istat: s.regionIstat,
        province_istat: s.provinceIstat,
        city: s.city,
        pec: s.pec,
        aoo_code: s.aooCode,
        updated_at: at,
      };
      await db
        .insertInto('regional_sections')
        .values({ code: s.code, ...values, created_at: at })
        .onConflict((oc) => oc.column('code').doUpdateSet(values))
        .execute();
    },
    async updateSection(code, changes, at) {
      await db
        .updateTable('regional_sections')
        .set({
          ...(changes.name !== undefined ? { name: changes.name } : {}),
          ...(changes.pec !== undefined ? { pec: changes.pec } : {}),
          ...(changes.aooCode !== undefined ? { aoo_code: changes.aooCode } : {}),
          ...(changes.city !== undefined ? { city: changes.city } : {}),
          ...(changes.letterheadOffices !== undefined
            ? { letterhead_offices: changes.letterheadOffices.join('\n') }
            : {}),
          ...(changes.website !== undefined ? { website: changes.website } : {}),
          updated_at: at,
        })
        .where('code', '=', code)
        .execute();
    },

    async insertContractingAuthority(ca) {
      await db
        .insertInto('contracting_authorities')
        .values({
          id: ca.id,
          fiscal_code: ca.fiscalCode,
          ausa_code: ca.ausaCode,
          name: ca.name,
          istat_place_code: ca.istatPlaceCode,
          regional_section_code: ca.regionalSectionCode,
          pec: ca.pec,
          created_at: ca.createdAt,
          updated_at: ca.createdAt,
        })
        .execute();
    },
    async updateContractingAuthority(id, c, at) {
      await db
        .updateTable('contracting_authorities')
        .set({
          ...(c.name !== undefined ? { name: c.name } : {}),
          ...(c.istatPlaceCode !== undefined ? { istat_place_code: c.istatPlaceCode } : {}),
          ...(c.regionalSectionCode !== undefined ? { regional_section_code: c.regionalSectionCode } : {}),
          ...(c.pec !== undefined ? { pec: c.pec } : {}),
          ...(c.active !== undefined ? { active: c.active } : {}),
          updated_at: at,
        })
        .where('id', '=', id)
        .execute();
    },
    async findContractingAuthority(id) {
      return (await withCostCentres(await selectAuthorities().where('ca.id', '=', id).execute()))[0];
    },
    async findContractingAuthorityByFiscalCode(fiscalCode) {
      return (
        await withCostCentres(await selectAuthorities().where('ca.fiscal_code', '=', fiscalCode).execute())
      )[0];
    },
    async listContractingAuthorities(filter) {
      let query = selectAuthorities();
      if (filter.regionalSectionCode)
        query = query.where('ca.regional_section_code', '=', filter.regionalSectionCode);
      if (filter.q) {
        const q = filter.q;
        query = query.where((eb) =>
          eb.or([
            eb('ca.name', 'ilike', `%${escapeLike(q)}%`),
            eb('ca.fiscal_code', '=', q),
            eb('ca.ausa_code', '=', q),
          ]),
        );
      }
      const [rows, count] = await Promise.all([
        query.orderBy('ca.name').orderBy('ca.id').limit(filter.limit).offset(filter.offset).execute(),
        query
          .clearSelect()
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow(),
      ]);
      return { items: await withCostCentres(rows), total: Number(count.n) };
    },
    async insertCostCentre(caId, centre, at) {
      await db
        .insertInto('cost_centres')
        .values({
          id: centre.id,
          contracting_authority_id: caId,
          code: centre.code,
          name: centre.name,
          created_at: at,
        })
        .execute();
    },

    async insertEconomicOperator(oe) {
      await db
        .insertInto('economic_operators')
        .values({
          id: oe.id,
          fiscal_code: oe.fiscalCode,
          vat_number: oe.vatNumber,
          name: oe.name,
          pec: oe.pec,
          created_at: oe.createdAt,
          updated_at: oe.createdAt,
        })
        .execute();
    },
    async updateEconomicOperator(id, c, at) {
      await db
        .updateTable('economic_operators')
        .set({
          ...(c.name !== undefined ? { name: c.name } : {}),
          ...(c.pec !== undefined ? { pec: c.pec } : {}),
          updated_at: at,
        })
        .where('id', '=', id)
        .execute();
    },
    async findEconomicOperator(id) {
      const row = await db
        .selectFrom('economic_operators')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toOperator(row);
    },
    async findEconomicOperatorByFiscalCode(fiscalCode) {
      const row = await db
        .selectFrom('economic_operators')
        .selectAll()
        .where((eb) => eb.or([eb('fiscal_code', '=', fiscalCode), eb('vat_number', '=', fiscalCode)]))
        .executeTakeFirst();
      return row && toOperator(row);
    },
    async listEconomicOperators(filter) {
      let query = db.selectFrom('economic_operators').selectAll();
      if (filter.q) {
        const q = filter.q;
        query = query.where((eb) =>
          eb.or([
            eb('name', 'ilike', `%${escapeLike(q)}%`),
            eb('fiscal_code', '=', q),
            eb('vat_number', '=', q),
          ]),
        );
      }
      const [rows, count] = await Promise.all([
        query.orderBy('name').orderBy('id').limit(filter.limit).offset(filter.offset).execute(),
        query
          .clearSelect()
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow(),
      ]);
      return { items: rows.map(toOperator), total: Number(count.n) };
    },

    async insertUser(u) {
      await db
        .insertInto('users')
        .values({
          id: u.id,
          name: u.name,
          email: u.email,
          fiscal_code: u.fiscalCode,
          role: u.role,
          contracting_authority_id: u.contractingAuthorityId,
          economic_operator_id: u.economicOperatorId,
          regional_section_code: u.regionalSectionCode,
          created_at: u.createdAt,
          updated_at: u.createdAt,
        })
        .execute();
    },
    async updateUser(id, c, at) {
      await db
        .updateTable('users')
        .set({
          ...(c.name !== undefined ? { name: c.name } : {}),
          ...(c.email !== undefined ? { email: c.email } : {}),
          ...(c.active !== undefined ? { active: c.active } : {}),
          updated_at: at,
        })
        .where('id', '=', id)
        .execute();
    },
    async findUser(id) {
      const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toUser(row);
    },
    async listUsers(filter) {
      let query = db.selectFrom('users').selectAll();
      if (filter.role) query = query.where('role', '=', filter.role);
      if (filter.contractingAuthorityId)
        query = query.where('contracting_authority_id', '=', filter.contractingAuthorityId);
      const [rows, count] = await Promise.all([
        query.orderBy('name').orderBy('id').limit(filter.limit).offset(filter.offset).execute(),
        query
          .clearSelect()
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow(),
      ]);
      return { items: rows.map(toUser), total: Number(count.n) };
    },

    async findUsersByIdentity({ fiscalCode, email }) {
      if (fiscalCode === undefined && email === undefined) return [];
      const rows = await db
        .selectFrom('users')
        .selectAll()
        .where((eb) =>
          eb.or([
            ...(fiscalCode !== undefined ? [eb('fiscal_code', '=', fiscalCode)] : []),
            ...(email !== undefined ? [eb(sql<string>`lower(email)`, '=', email.toLowerCase())] : []),
          ]),
        )
        .orderBy('id')
        .limit(100)
        .execute();
      return rows.map(toUser);
    },

    async insertToken(t) {
      await db
        .insertInto('api_tokens')
        .values({
          id: t.id,
          user_id: t.userId,
          token_sha256: t.sha256,
          label: t.label,
          created_at: t.createdAt,
          expires_at: t.expiresAt,
          revoked_at: null,
        })
        .execute();
    },
    async revokeTokens(userId, at) {
      const result = await db
        .updateTable('api_tokens')
        .set({ revoked_at: at })
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
    async insertWebSession(session) {
      await db
        .insertInto('web_sessions')
        .values({
          token_sha256: session.tokenSha256,
          user_id: session.userId,
          created_at: session.createdAt,
          expires_at: session.expiresAt,
          ended_at: null,
          sign_in: session.signIn,
        })
        .execute();
    },
    async findUserByWebSession(sha256, now) {
      const row = await db
        .selectFrom('web_sessions as s')
        .innerJoin('users as u', 'u.id', 's.user_id')
        .selectAll('u')
        .where('s.token_sha256', '=', sha256)
        .where('s.ended_at', 'is', null)
        .where('s.expires_at', '>', now)
        .where('u.active', '=', true)
        .executeTakeFirst();
      return row && toUser(row);
    },
    async endWebSession(sha256, at) {
      const result = await db
        .updateTable('web_sessions')
        .set({ ended_at: at })
        .where('token_sha256', '=', sha256)
        .where('ended_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async findUserByToken(sha256, now) {
      const row = await db
        .selectFrom('api_tokens as k')
        .innerJoin('users as u', 'u.id', 'k.user_id')
        .selectAll('u')
        .select('k.expires_at as token_expires_at')
        .where('k.token_sha256', '=', sha256)
        .where('k.revoked_at', 'is', null)
        .where((eb) => eb.or([eb('k.expires_at', 'is', null), eb('k.expires_at', '>', now)]))
        .where('u.active', '=', true)
        .executeTakeFirst();
      return row && { ...toUser(row), tokenExpiresAt: row.token_expires_at };
    },
  };
}

import type { Database } from '../database.js';
import type { SmartCigRepository } from '../../../services/ports.js';
import type { SmartCig } from '../../../domain/tenders/tender.js';

function selectSmartCigs(db: Database) {
  return db
    .selectFrom('smart_cigs as s')
    .innerJoin('contracting_authorities as ca', 'ca.id', 's.contracting_authority_id')
    .selectAll('s')
    .select([
      'ca.name as ca_name',
      'ca.fiscal_code as ca_fiscal_code',
      'ca.regional_section_code as ca_section',
    ]);
}

type Row = Awaited<ReturnType<ReturnType<typeof selectSmartCigs>['executeTakeFirstOrThrow']>>;

const toSmartCig = (r: Row): SmartCig => ({
  id: r.id,
  cig: r.cig,
  contractingAuthorityId: r.contracting_authority_id,
  contractingAuthorityName: r.ca_name,
  contractingAuthorityFiscalCode: r.ca_fiscal_code,
  regionalSectionCode: r.ca_section,
  rupUserId: r.rup_user_id,
  contractType: r.contract_type,
  contractObject: r.contract_object,
  procedureTypeCode: r.procedure_type_code,
  object: r.object,
  amountCents: r.amount_cents,
  cup: r.cup,
  state: r.state,
  createdAt: r.created_at,
  cancelledAt: r.cancelled_at,
});

export function smartCigRepository(db: Database): SmartCigRepository {
  return {
    async insert(s) {
      await db
        .insertInto('smart_cigs')
        .values({
          id: s.id,
          cig: s.cig,
          contracting_authority_id: s.contractingAuthorityId,
          rup_user_id: s.rupUserId,
          contract_type: s.contractType,
          contract_object: s.contractObject,
          procedure_type_code: s.procedureTypeCode,
          object: s.object,
          amount_cents: s.amountCents,
          cup: s.cup,
          created_at: s.createdAt,
          cancelled_at: null,
        })
        .execute();
    },
    async findByCig(cig) {
      const row = await selectSmartCigs(db).where('s.cig', '=', cig).executeTakeFirst();
      return row && toSmartCig(row);
    },
    async list(filter) {
      let query = selectSmartCigs(db);
      if (filter.contractingAuthorityId)
        query = query.where('s.contracting_authority_id', '=', filter.contractingAuthorityId);
      const [rows, count] = await Promise.all([
        query
          .orderBy('s.created_at', 'desc')
          .orderBy('s.cig', 'desc')
          .limit(filter.limit)
          .offset(filter.offset)
          .execute(),
        query
          .clearSelect()
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow(),
      ]);
      return { items: rows.map(toSmartCig), total: Number(count.n) };
    },
  };
}

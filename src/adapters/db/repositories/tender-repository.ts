import { sql, type Selectable } from 'kysely';
import type { Database } from '../database.js';
import type { LotsTable, TendersTable } from '../schema.js';
import type {
  Cancellation,
  Lot,
  LotPerfection,
  LotRepository,
  NewLot,
  NewTender,
  Tender,
  TenderRepository,
} from '../../../services/ports.js';

type TenderRow = Selectable<TendersTable> & { ca_name: string; ca_fiscal_code: string; ca_section: string };

const toTender = (r: TenderRow): Tender => ({
  id: r.id,
  tenderNumber: r.tender_number,
  contractingAuthorityId: r.contracting_authority_id,
  contractingAuthorityName: r.ca_name,
  contractingAuthorityFiscalCode: r.ca_fiscal_code,
  regionalSectionCode: r.ca_section,
  costCentreId: r.cost_centre_id,
  rupUserId: r.rup_user_id,
  object: r.object,
  procedureTypeCode: r.procedure_type_code,
  sector: r.sector,
  contractObject: r.contract_object,
  state: r.state,
  lotCount: r.lot_count,
  cancelReason: r.cancel_reason,
  cancelNote: r.cancel_note,
  cancelledAt: r.cancelled_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

function selectTenders(db: Database) {
  return db
    .selectFrom('tenders as t')
    .innerJoin('contracting_authorities as ca', 'ca.id', 't.contracting_authority_id')
    .selectAll('t')
    .select(['ca.name as ca_name', 'ca.fiscal_code as ca_fiscal_code', 'ca.regional_section_code as ca_section']);
}

export function tenderRepository(db: Database): TenderRepository {
  return {
    async insert(t: NewTender) {
      await db
        .insertInto('tenders')
        .values({
          id: t.id,
          tender_number: t.tenderNumber,
          contracting_authority_id: t.contractingAuthorityId,
          cost_centre_id: t.costCentreId,
          rup_user_id: t.rupUserId,
          object: t.object,
          procedure_type_code: t.procedureTypeCode,
          sector: t.sector,
          contract_object: t.contractObject,
          cancel_reason: null,
          cancel_note: null,
          cancelled_at: null,
          cancelled_by: null,
          created_at: t.createdAt,
          updated_at: t.createdAt,
        })
        .execute();
    },
    async findByNumber(tenderNumber) {
      const row = await selectTenders(db).where('t.tender_number', '=', tenderNumber).executeTakeFirst();
      return row && toTender(row);
    },
    async lockByNumber(tenderNumber) {
      const row = await selectTenders(db)
        .where('t.tender_number', '=', tenderNumber)
        .forUpdate('t')
        .executeTakeFirst();
      return row && toTender(row);
    },
    async takeLotNumber(tenderNumber, contractingAuthorityId, at) {
      let query = db
        .updateTable('tenders')
        .set({ lot_count: sql`lot_count + 1`, updated_at: at })
        .where('tender_number', '=', tenderNumber)
        .where('state', '=', 'active');
      if (contractingAuthorityId !== null) query = query.where('contracting_authority_id', '=', contractingAuthorityId);
      const row = await query
        .returning((eb) => [
          'id',
          'lot_count',
          'tender_number',
          'contracting_authority_id',
          'procedure_type_code',
          eb
            .selectFrom('contracting_authorities as ca')
            .select('ca.regional_section_code')
            .whereRef('ca.id', '=', 'tenders.contracting_authority_id')
            .as('section'),
        ])
        .executeTakeFirst();
      return (
        row && {
          lotNumber: row.lot_count,
          tender: {
            tenderId: row.id,
            tenderNumber: row.tender_number,
            tenderState: 'active' as const,
            contractingAuthorityId: row.contracting_authority_id,
            procedureTypeCode: row.procedure_type_code,
            regionalSectionCode: row.section ?? '',
          },
        }
      );
    },
    async cancel(tenderId, c: Cancellation) {
      const result = await db
        .updateTable('tenders')
        .set({
          state: 'cancelled',
          cancel_reason: c.reason,
          cancel_note: c.note,
          cancelled_at: c.cancelledAt,
          cancelled_by: c.cancelledBy,
          updated_at: c.cancelledAt,
        })
        .where('id', '=', tenderId)
        .where('state', '=', 'active')
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async list(filter) {
      let query = selectTenders(db);
      if (filter.contractingAuthorityId) query = query.where('t.contracting_authority_id', '=', filter.contractingAuthorityId);
      if (filter.regionalSectionCode) query = query.where('ca.regional_section_code', '=', filter.regionalSectionCode);
      if (filter.state) query = query.where('t.state', '=', filter.state);
      const [rows, count] = await Promise.all([
        query.orderBy('t.created_at', 'desc').orderBy('t.tender_number', 'desc').limit(filter.limit).offset(filter.offset).execute(),
        query.clearSelect().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return { items: rows.map(toTender), total: Number(count.n) };
    },
  };
}

type LotRow = Selectable<LotsTable> & {
  tender_number: number;
  tender_state: 'active' | 'cancelled';
  contracting_authority_id: string;
  procedure_type_code: string;
  ca_section: string;
};

const toLot = (r: LotRow): Lot => ({
  id: r.id,
  tenderId: r.tender_id,
  tenderNumber: r.tender_number,
  tenderState: r.tender_state,
  contractingAuthorityId: r.contracting_authority_id,
  regionalSectionCode: r.ca_section,
  procedureTypeCode: r.procedure_type_code,
  lotNumber: r.lot_number,
  cig: r.cig,
  object: r.object,
  amountCents: r.amount_cents,
  cpvCode: r.cpv_code,
  istatPlaceCode: r.istat_place_code,
  state: r.state,
  acquiredAt: r.acquired_at,
  perfectionDeadline: r.perfection_deadline,
  publicationDate: r.publication_date,
  invitationDate: r.invitation_date,
  bidDeadline: r.bid_deadline,
  perfectedAt: r.perfected_at,
  cancelReason: r.cancel_reason,
  cancelNote: r.cancel_note,
  cancelledAt: r.cancelled_at,
});

function selectLots(db: Database) {
  return db
    .selectFrom('lots as l')
    .innerJoin('tenders as t', 't.id', 'l.tender_id')
    .innerJoin('contracting_authorities as ca', 'ca.id', 't.contracting_authority_id')
    .selectAll('l')
    .select([
      't.tender_number',
      't.state as tender_state',
      't.contracting_authority_id',
      't.procedure_type_code',
      'ca.regional_section_code as ca_section',
    ]);
}

export function lotRepository(db: Database): LotRepository {
  return {
    async insert(lot: NewLot, lotNumber: number) {
      await db
        .insertInto('lots')
        .values({
          id: lot.id,
          tender_id: lot.tenderId,
          lot_number: lotNumber,
          cig: lot.cig,
          object: lot.object,
          amount_cents: lot.amountCents,
          cpv_code: lot.cpvCode,
          istat_place_code: lot.istatPlaceCode,
          acquired_at: lot.acquiredAt,
          perfection_deadline: lot.perfectionDeadline,
          publication_date: null,
          invitation_date: null,
          bid_deadline: null,
          perfected_at: null,
          perfected_by: null,
          cancel_reason: null,
          cancel_note: null,
          cancelled_at: null,
          cancelled_by: null,
          created_by: lot.createdBy,
        })
        .execute();
    },
    async findByCig(cig) {
      const row = await selectLots(db).where('l.cig', '=', cig).executeTakeFirst();
      return row && toLot(row);
    },
    async lockByCig(cig) {
      const row = await selectLots(db).where('l.cig', '=', cig).forUpdate('l').executeTakeFirst();
      return row && toLot(row);
    },
    async listByTender(tenderId) {
      const rows = await selectLots(db).where('l.tender_id', '=', tenderId).orderBy('l.lot_number').execute();
      return rows.map(toLot);
    },
    async perfect(lotId, p: LotPerfection) {
      const result = await db
        .updateTable('lots')
        .set({
          state: 'perfected',
          publication_date: p.publicationDate,
          invitation_date: p.invitationDate,
          bid_deadline: p.bidDeadline,
          perfected_at: p.perfectedAt,
          perfected_by: p.perfectedBy,
        })
        .where('id', '=', lotId)
        .where('state', '=', 'issued')
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async cancel(lotId, c: Cancellation) {
      const result = await db
        .updateTable('lots')
        .set({
          state: 'cancelled',
          cancel_reason: c.reason,
          cancel_note: c.note,
          cancelled_at: c.cancelledAt,
          cancelled_by: c.cancelledBy,
        })
        .where('id', '=', lotId)
        .where('state', '=', 'issued')
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async listExpired(today, limit) {
      const rows = await selectLots(db)
        .where('l.state', '=', 'issued')
        .where('l.perfection_deadline', '<', today)
        .orderBy('l.perfection_deadline')
        .orderBy('l.cig')
        .limit(limit)
        .execute();
      return rows.map(toLot);
    },
  };
}

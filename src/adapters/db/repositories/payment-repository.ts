import { sql, type Selectable } from 'kysely';
import type { Database } from '../database.js';
import type { PaymentPositionsTable, ReceiptsTable } from '../schema.js';
import type {
  GroupingRepository,
  PaymentPosition,
  PaymentRepository,
  ReportingFlowRepository,
  StoredReceipt,
} from '../../../services/payments/ports.js';

type PositionRow = Selectable<PaymentPositionsTable> & {
  cig: string | null;
  ca_id: string;
  ca_section: string;
};

const toPosition = (r: PositionRow): PaymentPosition => ({
  id: r.id,
  kind: r.kind,
  iuv: r.iuv,
  noticeNumber: r.notice_number,
  creditorFiscalCode: r.creditor_fiscal_code,
  debtorFiscalCode: r.debtor_fiscal_code,
  debtorName: r.debtor_name,
  debtorType: r.debtor_type,
  economicOperatorId: r.economic_operator_id,
  lotId: r.lot_id,
  cig: r.cig,
  groupingId: r.grouping_id,
  contractingAuthorityId: r.ca_id,
  regionalSectionCode: r.ca_section,
  subject: r.subject,
  amountCents: r.amount_cents,
  dueDate: r.due_date,
  feeTable: r.fee_table,
  state: r.state,
  activatedAt: r.activated_at,
  paidAt: r.paid_at,
  paidReceiptId: r.paid_receipt_id,
  settledAt: r.settled_at,
  settlementFlowId: r.settlement_flow_id,
  createdAt: r.created_at,
});

function selectPositions(db: Database) {
  return db
    .selectFrom('payment_positions as p')
    .leftJoin('lots as l', 'l.id', 'p.lot_id')
    .leftJoin('tenders as t', 't.id', 'l.tender_id')
    .leftJoin('sa_groupings as g', 'g.id', 'p.grouping_id')
    .innerJoin('contracting_authorities as ca', (join) =>
      join.on((eb) =>
        eb('ca.id', '=', eb.fn.coalesce('t.contracting_authority_id', 'g.contracting_authority_id')),
      ),
    )
    .selectAll('p')
    .select(['l.cig as cig', 'ca.id as ca_id', 'ca.regional_section_code as ca_section']);
}

const toReceipt = (r: Omit<Selectable<ReceiptsTable>, 'raw_xml'>): StoredReceipt => ({
  id: r.id,
  positionId: r.position_id,
  status: r.status,
  faultCode: r.fault_code,
  version: r.version,
  receiptId: r.receipt_id,
  noticeNumber: r.notice_number,
  creditorFiscalCode: r.creditor_fiscal_code,
  outcome: r.outcome,
  amountCents: r.amount_cents,
  pspId: r.psp_id,
  pspName: r.psp_name,
  channelId: r.channel_id,
  paymentMethod: r.payment_method,
  paymentDateTime: r.payment_date_time,
  payerFiscalCode: r.payer_fiscal_code,
  receivedAt: r.received_at,
});

const receiptColumns = [
  'id',
  'position_id',
  'status',
  'fault_code',
  'version',
  'receipt_id',
  'notice_number',
  'creditor_fiscal_code',
  'outcome',
  'amount_cents',
  'psp_id',
  'psp_name',
  'channel_id',
  'payment_method',
  'payment_date_time',
  'payer_fiscal_code',
  'received_at',
] as const;

export function paymentRepository(db: Database): PaymentRepository {
  return {
    async nextIuvSequence() {
      const { rows } = await sql<{ n: number }>`SELECT nextval('iuv_seq') AS n`.execute(db);
      return Number(rows[0]?.n);
    },
    async insertPosition(p) {
      await db
        .insertInto('payment_positions')
        .values({
          id: p.id,
          kind: p.kind,
          iuv: p.iuv,
          notice_number: p.noticeNumber,
          creditor_fiscal_code: p.creditorFiscalCode,
          debtor_fiscal_code: p.debtorFiscalCode,
          debtor_name: p.debtorName,
          debtor_type: p.debtorType,
          economic_operator_id: p.economicOperatorId,
          lot_id: p.lotId,
          grouping_id: p.groupingId,
          subject: p.subject,
          amount_cents: p.amountCents,
          due_date: p.dueDate,
          fee_table: p.feeTable,
          activated_at: null,
          paid_at: null,
          paid_receipt_id: null,
          settled_at: null,
          settlement_flow_id: null,
          created_at: p.createdAt,
          created_by: p.createdBy,
        })
        .execute();
    },
    async findByNoticeNumber(noticeNumber) {
      const row = await selectPositions(db).where('p.notice_number', '=', noticeNumber).executeTakeFirst();
      return row && toPosition(row);
    },
    async findByIuvs(iuvs) {
      if (iuvs.length === 0) return [];
      return (await selectPositions(db).where('p.iuv', 'in', iuvs).execute()).map(toPosition);
    },
    async lockByNoticeNumber(noticeNumber) {
      const row = await selectPositions(db)
        .where('p.notice_number', '=', noticeNumber)
        .forUpdate('p')
        .executeTakeFirst();
      return row && toPosition(row);
    },
    async lockByNoticeNumbers(noticeNumbers) {
      if (noticeNumbers.length === 0) return [];
      const rows = await selectPositions(db)
        .where('p.notice_number', 'in', [...noticeNumbers].sort())
        .orderBy('p.notice_number')
        .forUpdate('p')
        .execute();
      return rows.map(toPosition);
    },
    async findForLot(lotId, debtorFiscalCode) {
      const row = await selectPositions(db)
        .where('p.lot_id', '=', lotId)
        .where('p.debtor_fiscal_code', '=', debtorFiscalCode)
        .executeTakeFirst();
      return row && toPosition(row);
    },
    async listForLot(lotId) {
      return (await selectPositions(db).where('p.lot_id', '=', lotId).orderBy('p.created_at').execute()).map(
        toPosition,
      );
    },
    async listForOperator(economicOperatorId, page) {
      const query = selectPositions(db).where('p.economic_operator_id', '=', economicOperatorId);
      const [rows, count] = await Promise.all([
        query.orderBy('p.created_at', 'desc').limit(page.limit).offset(page.offset).execute(),
        db
          .selectFrom('payment_positions')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('economic_operator_id', '=', economicOperatorId)
          .executeTakeFirstOrThrow(),
      ]);
      return { items: rows.map(toPosition), total: Number(count.n) };
    },
    async markActivated(positionId, at) {
      await db
        .updateTable('payment_positions')
        .set({ activated_at: at })
        .where('id', '=', positionId)
        .execute();
    },
    async markPaid(positionId, receiptId, paidAt) {
      const result = await db
        .updateTable('payment_positions')
        .set({ state: 'paid', paid_at: paidAt, paid_receipt_id: receiptId })
        .where('id', '=', positionId)
        .where('state', '=', 'open')
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async markSettled(positionIds, flowId, at) {
      if (positionIds.length === 0) return;
      await db
        .updateTable('payment_positions')
        .set({ settled_at: at, settlement_flow_id: flowId })
        .where('id', 'in', positionIds)
        .where('settled_at', 'is', null)
        .execute();
    },
    async markPaidMany(payments) {
      if (payments.length === 0) return [];
      const { rows } = await sql<{ id: string }>`
        UPDATE payment_positions p SET state = 'paid', paid_at = x.paid_at, paid_receipt_id = x.receipt_id
        FROM unnest(${payments.map((x) => x.positionId)}::uuid[], ${payments.map((x) => x.receiptId)}::text[],
                    ${payments.map((x) => x.paidAt.toISOString())}::timestamptz[]) AS x(id, receipt_id, paid_at)
        WHERE p.id = x.id AND p.state = 'open'
        RETURNING p.id`.execute(db);
      return rows.map((r) => r.id);
    },
    async cancel(positionId) {
      const result = await db
        .updateTable('payment_positions')
        .set({ state: 'cancelled' })
        .where('id', '=', positionId)
        .where('state', '=', 'open')
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async insertReceipts(receipts) {
      if (receipts.length === 0) return;
      await db
        .insertInto('receipts')
        .values(
          receipts.map((r) => ({
            id: r.id,
            position_id: r.positionId,
            status: r.status,
            fault_code: r.faultCode,
            version: r.version,
            receipt_id: r.receiptId,
            notice_number: r.noticeNumber,
            creditor_fiscal_code: r.creditorFiscalCode,
            outcome: r.outcome,
            amount_cents: r.amountCents,
            psp_id: r.pspId,
            psp_name: r.pspName,
            channel_id: r.channelId,
            payment_method: r.paymentMethod,
            payment_date_time: r.paymentDateTime,
            payer_fiscal_code: r.payerFiscalCode,
            raw_xml: r.rawXml,
            received_at: r.receivedAt,
          })),
        )
        .execute();
    },
    async findAppliedReceipt(positionId) {
      const row = await db
        .selectFrom('receipts')
        .select(receiptColumns)
        .where('position_id', '=', positionId)
        .where('status', '=', 'applied')
        .executeTakeFirst();
      return row && toReceipt(row);
    },
    async listReceipts(filter) {
      let query = db.selectFrom('receipts').select(receiptColumns);
      if (filter.status) query = query.where('status', '=', filter.status);
      const [rows, count] = await Promise.all([
        query.orderBy('received_at', 'desc').limit(filter.limit).offset(filter.offset).execute(),
        query
          .clearSelect()
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow(),
      ]);
      return { items: rows.map(toReceipt), total: Number(count.n) };
    },
  };
}

export function groupingRepository(db: Database): GroupingRepository {
  return {
    async listUngroupedTenders(from, to) {
      const rows = await db
        .selectFrom('tenders as t')
        .innerJoin('lots as l', 'l.tender_id', 't.id')
        .leftJoin('sa_grouping_items as gi', 'gi.tender_id', 't.id')
        .select(['t.id', 't.tender_number', 't.contracting_authority_id', 't.created_at'])
        .select((eb) => eb.fn.sum<number>('l.amount_cents').as('total'))
        .where('t.state', '=', 'active')
        .where('l.state', '<>', 'cancelled')
        .where('t.created_at', '>=', from)
        .where('t.created_at', '<', to)
        .where('gi.tender_id', 'is', null)
        .groupBy(['t.id', 't.tender_number', 't.contracting_authority_id', 't.created_at'])
        .orderBy('t.contracting_authority_id')
        .orderBy('t.tender_number')
        .execute();
      return rows.map((r) => ({
        tenderId: r.id,
        tenderNumber: r.tender_number,
        contractingAuthorityId: r.contracting_authority_id,
        createdAt: r.created_at,
        totalCents: Number(r.total),
      }));
    },
    async insertGrouping(g, items) {
      const inserted = await db
        .insertInto('sa_groupings')
        .values({
          id: g.id,
          contracting_authority_id: g.contractingAuthorityId,
          period: g.period,
          amount_cents: g.amountCents,
          tender_count: g.tenderCount,
          created_at: g.createdAt,
        })
        .onConflict((oc) => oc.columns(['contracting_authority_id', 'period']).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inserted) return false;
      await db
        .insertInto('sa_grouping_items')
        .values(
          items.map((i) => ({
            grouping_id: g.id,
            tender_id: i.tenderId,
            tender_amount_cents: i.tenderAmountCents,
            fee_cents: i.feeCents,
            fee_table: i.feeTable,
          })),
        )
        .execute();
      return true;
    },
    async listGroupings(filter) {
      let query = db
        .selectFrom('sa_groupings as g')
        .leftJoin('payment_positions as p', 'p.grouping_id', 'g.id')
        .selectAll('g')
        .select('p.notice_number');
      if (filter.contractingAuthorityId)
        query = query.where('g.contracting_authority_id', '=', filter.contractingAuthorityId);
      const [rows, count] = await Promise.all([
        query.orderBy('g.period', 'desc').orderBy('g.id').limit(filter.limit).offset(filter.offset).execute(),
        query
          .clearSelect()
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow(),
      ]);
      return {
        items: rows.map((r) => ({
          id: r.id,
          contractingAuthorityId: r.contracting_authority_id,
          period: r.period,
          amountCents: r.amount_cents,
          tenderCount: r.tender_count,
          createdAt: r.created_at,
          noticeNumber: r.notice_number,
        })),
        total: Number(count.n),
      };
    },
  };
}

export function reportingFlowRepository(db: Database): ReportingFlowRepository {
  return {
    async findFlow(flowId) {
      const flow = await db
        .selectFrom('reporting_flows')
        .selectAll()
        .where('flow_id', '=', flowId)
        .executeTakeFirst();
      if (!flow) return undefined;
      const lines = await db
        .selectFrom('reporting_flow_lines')
        .selectAll()
        .where('flow_id', '=', flowId)
        .orderBy('line')
        .execute();
      return {
        flowId: flow.flow_id,
        flowDateTime: flow.flow_date_time,
        settlementId: flow.settlement_id,
        settlementDate: flow.settlement_date,
        pspId: flow.psp_id,
        totalPayments: flow.total_payments,
        totalAmountCents: flow.total_amount_cents,
        settledCount: flow.settled_count,
        unknownCount: flow.unknown_count,
        mismatchCount: flow.mismatch_count,
        importedAt: flow.imported_at,
        lines: lines.map((l) => ({
          line: l.line,
          iuv: l.iuv,
          receiptId: l.receipt_id,
          amountCents: l.amount_cents,
          outcome: l.outcome,
          outcomeDate: l.outcome_date,
          positionId: l.position_id,
          result: l.result,
          expectedAmountCents: l.expected_amount_cents,
        })),
      };
    },
    async insertFlow(flow, lines) {
      const inserted = await db
        .insertInto('reporting_flows')
        .values({
          flow_id: flow.flowId,
          flow_date_time: flow.flowDateTime,
          settlement_id: flow.settlementId,
          settlement_date: flow.settlementDate,
          psp_id: flow.pspId,
          total_payments: flow.totalPayments,
          total_amount_cents: flow.totalAmountCents,
          settled_count: flow.settledCount,
          unknown_count: flow.unknownCount,
          mismatch_count: flow.mismatchCount,
          raw_xml: flow.rawXml,
          imported_at: flow.importedAt,
          imported_by: flow.importedBy,
        })
        .onConflict((oc) => oc.column('flow_id').doNothing())
        .returning('flow_id')
        .executeTakeFirst();
      if (!inserted) return false;
      for (let i = 0; i < lines.length; i += 1000) {
        await db
          .insertInto('reporting_flow_lines')
          .values(
            lines.slice(i, i + 1000).map((l) => ({
              flow_id: flow.flowId,
              line: l.line,
              iuv: l.iuv,
              receipt_id: l.receiptId,
              amount_cents: l.amountCents,
              outcome: l.outcome,
              outcome_date: l.outcomeDate,
              position_id: l.positionId,
              result: l.result,
              expected_amount_cents: l.expectedAmountCents,
            })),
          )
          .execute();
      }
      return true;
    },
  };
}

import { CompiledQuery, sql, type ExpressionBuilder, type QueryResult } from 'kysely';
import { pagesOf } from '../../../services/opendata/paged.js';
import type { Database } from '../database.js';
import type { DB } from '../schema.js';
import type {
  AuthorityExportRow,
  CigExportRow,
  InstantRange,
  OcdsLotRow,
  OcdsTenderRow,
  OpendataRepository,
  SmartCigExportRow,
} from '../../../services/opendata/ports.js';

/** Rows fetched from the CIG cursor at a time (about 1 ms of work for the event loop each). */
const CURSOR_BATCH = 1000;

/** A lot with an event in the range: acquired (month and delta), perfected or cancelled (delta). */
function lotInRange(range: InstantRange, mode: 'month' | 'delta') {
  return (eb: ExpressionBuilder<DB & { l: DB['lots'] }, 'l'>) => {
    const within = (column: 'l.acquired_at' | 'l.perfected_at' | 'l.cancelled_at') =>
      eb.and([eb(column, '>=', range.from), eb(column, '<', range.to)]);
    return mode === 'month'
      ? within('l.acquired_at')
      : eb.or([within('l.acquired_at'), within('l.perfected_at'), within('l.cancelled_at')]);
  };
}

/**
 * `streaming` (PostgreSQL): the CIG file's rows are read through a cursor on a connection of their own;
 * otherwise (PGlite, one connection shared with the API) by keyset pages, the next one read while the
 * previous one is written.
 */
export function opendataRepository(db: Database, options: { streaming?: boolean } = {}): OpendataRepository {
  const streaming = options.streaming ?? false;
  async function lotsOf(tenderIds: string[]): Promise<Map<string, OcdsLotRow[]>> {
    const byTender = new Map<string, OcdsLotRow[]>();
    if (tenderIds.length === 0) return byTender;
    const rows = await db
      .selectFrom('lots as l')
      .leftJoin('cpv_codes as cpv', 'cpv.code', 'l.cpv_code')
      .select([
        'l.tender_id',
        'l.cig',
        'l.lot_number',
        'l.object',
        'l.amount_cents',
        'l.cpv_code',
        'cpv.description_it as cpv_description',
        'l.istat_place_code',
        'l.acquired_at',
        'l.publication_date',
        'l.invitation_date',
        'l.bid_deadline',
        'l.perfected_at',
        'l.cancelled_at',
        'l.cancel_reason',
      ])
      .where('l.tender_id', 'in', tenderIds)
      .orderBy('l.tender_id')
      .orderBy('l.lot_number')
      .execute();
    for (const r of rows) {
      const list = byTender.get(r.tender_id) ?? [];
      list.push({
        cig: r.cig,
        lotNumber: r.lot_number,
        object: r.object,
        amountCents: Number(r.amount_cents),
        cpvCode: r.cpv_code,
        cpvDescription: r.cpv_description,
        istatPlaceCode: r.istat_place_code,
        acquiredAt: r.acquired_at,
        publicationDate: r.publication_date,
        invitationDate: r.invitation_date,
        bidDeadline: r.bid_deadline,
        perfectedAt: r.perfected_at,
        cancelledAt: r.cancelled_at,
        cancelReason: r.cancel_reason,
      });
      byTender.set(r.tender_id, list);
    }
    return byTender;
  }

  function selectOcdsTenders() {
    return db
      .selectFrom('tenders as t')
      .innerJoin('contracting_authorities as ca', 'ca.id', 't.contracting_authority_id')
      .leftJoin('procedure_types as pt', 'pt.code', 't.procedure_type_code')
      .leftJoin('provisional_procedures as pp', 'pp.tender_id', 't.id')
      .select([
        't.id',
        't.tender_number',
        't.object',
        't.procedure_type_code',
        'pt.description as procedure_type_name',
        't.contract_object',
        't.state',
        't.created_at',
        't.cancelled_at',
        't.cancel_reason',
        'ca.fiscal_code',
        'ca.name as ca_name',
        'pp.registered_at',
      ]);
  }

  async function withLots(
    rows: Awaited<ReturnType<ReturnType<typeof selectOcdsTenders>['execute']>>,
  ): Promise<OcdsTenderRow[]> {
    const lots = await lotsOf(rows.map((r) => r.id));
    return rows.map((r) => ({
      id: r.id,
      tenderNumber: r.tender_number,
      object: r.object,
      procedureTypeCode: r.procedure_type_code,
      procedureTypeName: r.procedure_type_name,
      contractObject: r.contract_object,
      state: r.state,
      createdAt: r.created_at,
      cancelledAt: r.cancelled_at,
      cancelReason: r.cancel_reason,
      authorityFiscalCode: r.fiscal_code,
      authorityName: r.ca_name,
      provisionalRegisteredAt: r.registered_at,
      lots: lots.get(r.id) ?? [],
    }));
  }

  /** The "cig" dataset's columns: a lot with its tender, authority and code lists. */
  function selectCig() {
    return db
      .selectFrom('lots as l')
      .innerJoin('tenders as t', 't.id', 'l.tender_id')
      .innerJoin('contracting_authorities as ca', 'ca.id', 't.contracting_authority_id')
      .leftJoin('regional_sections as rs', 'rs.code', 'ca.regional_section_code')
      .leftJoin('cost_centres as cc', 'cc.id', 't.cost_centre_id')
      .leftJoin('procedure_types as pt', 'pt.code', 't.procedure_type_code')
      .leftJoin('cpv_codes as cpv', 'cpv.code', 'l.cpv_code')
      .leftJoin('provisional_procedures as pp', 'pp.tender_id', 't.id')
      .select([
        'l.cig',
        't.tender_number',
        't.object as tender_object',
        'l.tender_id',
        't.lot_count',
        'l.object',
        'l.amount_cents',
        't.contract_object',
        'l.state',
        't.sector',
        'l.istat_place_code',
        'l.acquired_at',
        'l.publication_date',
        'l.invitation_date',
        'l.bid_deadline',
        't.procedure_type_code',
        'pt.description as procedure_type_name',
        'ca.ausa_code',
        'ca.fiscal_code',
        'ca.name as ca_name',
        'rs.name as section_name',
        'cc.code as cc_code',
        'cc.name as cc_name',
        'l.cpv_code',
        'cpv.description_it as cpv_description',
        'l.cancel_reason',
        'l.cancelled_at',
        'l.perfected_at',
        'pp.urgency_reason_code',
      ]);
  }
  type CigSelectRow = Awaited<ReturnType<ReturnType<typeof selectCig>['execute']>>[number];

  const toCigRow = (r: CigSelectRow, tenderAmountCents: number): CigExportRow => ({
    cig: r.cig,
    tenderNumber: r.tender_number,
    tenderObject: r.tender_object,
    tenderAmountCents,
    lotCount: r.lot_count,
    lotObject: r.object,
    amountCents: Number(r.amount_cents),
    contractObject: r.contract_object,
    state: r.state,
    sector: r.sector,
    istatPlaceCode: r.istat_place_code,
    acquiredAt: r.acquired_at,
    publicationDate: r.publication_date,
    invitationDate: r.invitation_date,
    bidDeadline: r.bid_deadline,
    procedureTypeCode: r.procedure_type_code,
    procedureTypeName: r.procedure_type_name,
    ausaCode: r.ausa_code,
    authorityFiscalCode: r.fiscal_code,
    authorityName: r.ca_name,
    sectionName: r.section_name,
    costCentreCode: r.cc_code,
    costCentreName: r.cc_name,
    cpvCode: r.cpv_code,
    cpvDescription: r.cpv_description,
    cancelReason: r.cancel_reason,
    cancelledAt: r.cancelled_at,
    perfectedAt: r.perfected_at,
    urgencyReasonCode: r.urgency_reason_code,
  });

  /** The lots of the range in CIG order, `limit` after `afterCig` (keyset pagination). */
  async function cigPage(
    range: InstantRange,
    mode: 'month' | 'delta',
    afterCig: string,
    limit: number,
  ): Promise<CigExportRow[]> {
    const rows = await selectCig()
      .where(lotInRange(range, mode))
      .where('l.cig', '>', afterCig)
      .orderBy('l.cig')
      .limit(limit)
      .execute();
    if (rows.length === 0) return [];
    // The tenders' totals in a second query, once per tender of the page: a subquery per row cost as
    // much as the page itself (and pushed its estimated cost over PostgreSQL's JIT threshold).
    const sums = await db
      .selectFrom('lots as x')
      .select(['x.tender_id', (eb) => eb.fn.sum<string>('x.amount_cents').as('cents')])
      .where('x.tender_id', 'in', (eb) =>
        eb
          .selectFrom('lots as l')
          .select('l.tender_id')
          .where(lotInRange(range, mode))
          .where('l.cig', '>', afterCig)
          .orderBy('l.cig')
          .limit(limit),
      )
      .groupBy('x.tender_id')
      .execute();
    const totals = new Map(sums.map((s) => [s.tender_id, Number(s.cents)]));
    return rows.map((r) => toCigRow(r, totals.get(r.tender_id)!));
  }

  /**
   * PostgreSQL: the whole range in one query read through a cursor, in a read-only repeatable-read
   * transaction on a connection of its own (one consistent snapshot; the planner joins the month with
   * hashes instead of a page of nested loops per round trip; no JIT, which cost seconds here).
   */
  async function* cigCursor(
    range: InstantRange,
    mode: 'month' | 'delta',
    batch: number,
  ): AsyncIterable<CigExportRow[]> {
    const query = selectCig()
      .innerJoin(
        (eb) =>
          eb
            .selectFrom('lots as x')
            .select(['x.tender_id', (e) => e.fn.sum<string>('x.amount_cents').as('tender_amount_cents')])
            .where('x.tender_id', 'in', (e) =>
              e.selectFrom('lots as l').select('l.tender_id').where(lotInRange(range, mode)),
            )
            .groupBy('x.tender_id')
            .as('tot'),
        (join) => join.onRef('tot.tender_id', '=', 'l.tender_id'),
      )
      .select('tot.tender_amount_cents')
      .where(lotInRange(range, mode))
      .orderBy('l.cig')
      .compile();
    const trx = await db
      .startTransaction()
      .setIsolationLevel('repeatable read')
      .setAccessMode('read only')
      .execute();
    let finished = false;
    try {
      await sql`SET LOCAL jit = off`.execute(trx);
      // Read to the end: plan for all the rows, not for the first ones; a statement may take a while.
      await sql`SET LOCAL cursor_tuple_fraction = 1`.execute(trx);
      // The month's hash joins and sort in memory rather than in temporary files (4 MB by default).
      await sql`SET LOCAL work_mem = '64MB'`.execute(trx);
      await sql`SET LOCAL statement_timeout = '10min'`.execute(trx);
      await trx.executeQuery(
        CompiledQuery.raw(`DECLARE opendata_cig NO SCROLL CURSOR FOR ${query.sql}`, [...query.parameters]),
      );
      // Small batches: each is turned into rows in one run of the event loop, which the API waits on.
      const size = Math.max(1, Math.min(Math.trunc(batch), CURSOR_BATCH));
      const fetch = CompiledQuery.raw(`FETCH ${size} FROM opendata_cig`, []);
      const next = () => {
        const answer = trx.executeQuery(fetch) as Promise<
          QueryResult<CigSelectRow & { tender_amount_cents: string }>
        >;
        answer.catch(() => undefined); // awaited below, or abandoned with the transaction
        return answer;
      };
      // The next batch is fetched while this one is encoded.
      for (let pending = next(); ;) {
        const { rows } = await pending;
        const more = rows.length >= size;
        if (more) pending = next();
        if (rows.length > 0) yield rows.map((r) => toCigRow(r, Number(r.tender_amount_cents)));
        if (!more) break;
      }
      finished = true;
      await trx.commit().execute();
    } finally {
      // An error, or a consumer that stopped early: the transaction (and its connection) is released.
      if (!finished)
        await trx
          .rollback()
          .execute()
          .catch(() => undefined);
    }
  }

  return {
    cigPage,

    async *cigBatches(range, mode, batch) {
      if (streaming) {
        yield* cigCursor(range, mode, batch);
        return;
      }
      yield* pagesOf(
        (after: string, limit) => cigPage(range, mode, after, limit),
        (row) => row.cig,
        '',
        batch,
      );
    },

    async smartCigPage(range, mode, afterCig, limit): Promise<SmartCigExportRow[]> {
      const rows = await db
        .selectFrom('smart_cigs as s')
        .innerJoin('contracting_authorities as ca', 'ca.id', 's.contracting_authority_id')
        .leftJoin('procedure_types as pt', 'pt.code', 's.procedure_type_code')
        .select([
          's.cig',
          's.contract_type',
          's.contract_object',
          's.procedure_type_code',
          'pt.description as procedure_type_name',
          's.object',
          's.amount_cents',
          's.cup',
          's.state',
          's.created_at',
          's.cancelled_at',
          'ca.ausa_code',
          'ca.fiscal_code',
          'ca.name as ca_name',
        ])
        .where((eb) => {
          const within = (column: 's.created_at' | 's.cancelled_at') =>
            eb.and([eb(column, '>=', range.from), eb(column, '<', range.to)]);
          return mode === 'month'
            ? within('s.created_at')
            : eb.or([within('s.created_at'), within('s.cancelled_at')]);
        })
        .where('s.cig', '>', afterCig)
        .orderBy('s.cig')
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        cig: r.cig,
        contractType: r.contract_type,
        contractObject: r.contract_object,
        procedureTypeCode: r.procedure_type_code,
        procedureTypeName: r.procedure_type_name,
        object: r.object,
        amountCents: Number(r.amount_cents),
        cup: r.cup,
        state: r.state,
        createdAt: r.created_at,
        cancelledAt: r.cancelled_at,
        ausaCode: r.ausa_code,
        authorityFiscalCode: r.fiscal_code,
        authorityName: r.ca_name,
      }));
    },

    async authorityPage(before, afterFiscalCode, limit): Promise<AuthorityExportRow[]> {
      const rows = await db
        .selectFrom('contracting_authorities as ca')
        .leftJoin('regional_sections as rs', 'rs.code', 'ca.regional_section_code')
        .select([
          'ca.fiscal_code',
          'ca.ausa_code',
          'ca.name',
          'ca.istat_place_code',
          'ca.regional_section_code',
          'rs.name as section_name',
          'ca.active',
          'ca.created_at',
        ])
        .where('ca.created_at', '<', before)
        .where('ca.fiscal_code', '>', afterFiscalCode)
        .orderBy('ca.fiscal_code')
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        fiscalCode: r.fiscal_code,
        ausaCode: r.ausa_code,
        name: r.name,
        istatPlaceCode: r.istat_place_code,
        sectionCode: r.regional_section_code,
        sectionName: r.section_name,
        active: r.active,
        createdAt: r.created_at,
      }));
    },

    async ocdsTenderPage(range, afterTenderNumber, limit) {
      const rows = await selectOcdsTenders()
        .where((eb) =>
          eb.or([
            eb.and([eb('t.created_at', '>=', range.from), eb('t.created_at', '<', range.to)]),
            eb.and([eb('t.cancelled_at', '>=', range.from), eb('t.cancelled_at', '<', range.to)]),
            eb.exists(
              eb
                .selectFrom('lots as l')
                .select(sql`1`.as('one'))
                .whereRef('l.tender_id', '=', 't.id')
                .where(lotInRange(range, 'delta')),
            ),
          ]),
        )
        .where('t.tender_number', '>', afterTenderNumber)
        .orderBy('t.tender_number')
        .limit(limit)
        .execute();
      return withLots(rows);
    },

    async ocdsTender(tenderNumber) {
      const rows = await selectOcdsTenders().where('t.tender_number', '=', tenderNumber).execute();
      const [tender] = await withLots(rows);
      return tender ?? null;
    },

    async claimExportRun(period, holder, now, leaseUntil) {
      const { rows } = await sql<{ holder: string }>`
        INSERT INTO opendata_export_runs (period, holder, started_at, lease_until)
        VALUES (${period}, ${holder}, ${now}, ${leaseUntil})
        ON CONFLICT (period) DO UPDATE
          SET holder = EXCLUDED.holder, started_at = EXCLUDED.started_at, lease_until = EXCLUDED.lease_until
          WHERE opendata_export_runs.lease_until <= EXCLUDED.started_at
        RETURNING holder`.execute(db);
      return rows.length === 1;
    },

    async releaseExportRun(period, holder) {
      await sql`DELETE FROM opendata_export_runs WHERE period = ${period} AND holder = ${holder}`.execute(db);
    },
  };
}

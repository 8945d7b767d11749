import { sql, type RawBuilder, type Selectable } from 'kysely';
import type { Database } from '../database.js';
import type { Batcher } from '../../../services/batcher.js';
import type { LotsTable, TendersTable } from '../schema.js';
import type {
  Cancellation,
  LotPerfection,
  LotRepository,
  NewTender,
  TenderRepository,
} from '../../../services/ports.js';
import type { Lot, Tender } from '../../../domain/tenders/tender.js';

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
    .select([
      'ca.name as ca_name',
      'ca.fiscal_code as ca_fiscal_code',
      'ca.regional_section_code as ca_section',
    ]);
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
      if (filter.contractingAuthorityId)
        query = query.where('t.contracting_authority_id', '=', filter.contractingAuthorityId);
      if (filter.regionalSectionCode)
        query = query.where('ca.regional_section_code', '=', filter.regionalSectionCode);
      if (filter.state) query = query.where('t.state', '=', filter.state);
      const [rows, count] = await Promise.all([
        query
          .orderBy('t.created_at', 'desc')
          .orderBy('t.tender_number', 'desc')
          .limit(filter.limit)
          .offset(filter.offset)
          .execute(),
        query
          .clearSelect()
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow(),
      ]);
      return { items: rows.map(toTender), total: Number(count.n) };
    },
  };
}

type LotRow = Selectable<LotsTable> & {
  tender_number: number;
  tender_created_at: Date;
  tender_state: 'active' | 'cancelled';
  contracting_authority_id: string;
  procedure_type_code: string;
  ca_section: string;
  ca_name: string;
  ca_fiscal_code: string;
};

const toLot = (r: LotRow): Lot => ({
  id: r.id,
  tenderId: r.tender_id,
  tenderNumber: r.tender_number,
  tenderState: r.tender_state,
  tenderCreatedAt: r.tender_created_at,
  contractingAuthorityId: r.contracting_authority_id,
  contractingAuthorityName: r.ca_name,
  contractingAuthorityFiscalCode: r.ca_fiscal_code,
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

interface IssuedRow {
  ord: number;
  id: string;
  created_at: Date;
  tender_number: number;
  lot_number: number;
  contracting_authority_id: string;
  procedure_type_code: string;
  ca_name: string;
  ca_fiscal_code: string;
  ca_section: string;
}

function selectLots(db: Database) {
  return db
    .selectFrom('lots as l')
    .innerJoin('tenders as t', 't.id', 'l.tender_id')
    .innerJoin('contracting_authorities as ca', 'ca.id', 't.contracting_authority_id')
    .selectAll('l')
    .select([
      't.tender_number',
      't.created_at as tender_created_at',
      't.state as tender_state',
      't.contracting_authority_id',
      't.procedure_type_code',
      'ca.regional_section_code as ca_section',
      'ca.name as ca_name',
      'ca.fiscal_code as ca_fiscal_code',
    ]);
}

export type IssueInput = Parameters<LotRepository['issue']>[0];
export type IssueOutput = Awaited<ReturnType<LotRepository['issue']>>;

/** An issuance with, optionally, data for `also` (a JSON value, `i.extra`); its `claim` is LotRepository's. */
export type BatchIssueInput = IssueInput & { extra?: unknown };

/**
 * Issues lots in one statement, atomic without BEGIN/COMMIT: the tender rows are locked in tender
 * number order (so concurrent batches cannot deadlock), each takes its next lot number, and the lots
 * and their audit entries are written from what the UPDATE returns. An item whose tender is not active
 * (or not of the given contracting authority) gets undefined. Tenders must be distinct within a call.
 *
 * An item with a `claim` is issued only if its key is inserted in the same statement (after the
 * tender locks, in key order; a key claimed before, or being claimed by a transaction still open,
 * makes it undefined once that transaction ends): the caller reads the key then. Keys must be
 * distinct within a call. `also` adds CTEs written in the same statement; they may read `i` (the items,
 * with `extra` and `ord`) and `t` (the issued ones: `ord`, `lot_count`).
 */
export async function issueLots(
  db: Database,
  items: BatchIssueInput[],
  also?: RawBuilder<unknown>,
): Promise<IssueOutput[]> {
  const { rows } = await issueLotsStatement(items, also).execute(db);
  const byOrdinal = new Map(rows.map((r) => [Number(r.ord), r]));
  return items.map((_, index) => {
    const row = byOrdinal.get(index + 1);
    return (
      row && {
        lotNumber: row.lot_number,
        tender: {
          tenderId: row.id,
          tenderNumber: row.tender_number,
          tenderState: 'active' as const,
          tenderCreatedAt: new Date(row.created_at),
          contractingAuthorityId: row.contracting_authority_id,
          contractingAuthorityName: row.ca_name,
          contractingAuthorityFiscalCode: row.ca_fiscal_code,
          regionalSectionCode: row.ca_section,
          procedureTypeCode: row.procedure_type_code,
        },
      }
    );
  });
}

/**
 * issueLots for items whose keys may repeat within the batch (one key sent for two tenders at once): a
 * repeated key is issued by a following statement, after the others, so that it finds the key claimed.
 */
export async function issueClaimedLots(
  db: Database,
  items: BatchIssueInput[],
  also?: RawBuilder<unknown>,
): Promise<IssueOutput[]> {
  const seen = new Set<string>();
  const repeated = items.map((item) => {
    if (!item.claim) return false;
    const key = `${item.claim.userId} ${item.claim.key}`;
    const again = seen.has(key);
    seen.add(key);
    return again;
  });
  if (!repeated.includes(true)) return issueLots(db, items, also);
  const issued = await issueLots(
    db,
    items.filter((_, i) => !repeated[i]),
    also,
  );
  const later = await issueClaimedLots(
    db,
    items.filter((_, i) => repeated[i]),
    also,
  );
  let n = 0;
  let m = 0;
  return repeated.map((again) => (again ? later[m++] : issued[n++]));
}

/** The statement of `issueLots` (exported so that a test can read its plan). */
export function issueLotsStatement(
  items: BatchIssueInput[],
  also?: RawBuilder<unknown>,
): RawBuilder<IssuedRow> {
  const col = <T>(f: (i: BatchIssueInput) => T) => items.map(f);
  const extended = also !== undefined || items.some((x) => x.claim !== undefined || x.extra !== undefined);
  const claimColumns = extended
    ? sql`, ${col((x) => x.claim?.userId ?? null)}::uuid[], ${col((x) => x.claim?.key ?? null)}::text[],
        ${col((x) => x.claim?.requestSha256 ?? null)}::text[], ${col((x) => x.claim?.at.toISOString() ?? null)}::timestamptz[],
        ${col((x) => (x.claim ? JSON.stringify(x.claim.response) : null))}::jsonb[],
        ${col((x) => (x.extra === undefined ? null : JSON.stringify(x.extra)))}::jsonb[]`
    : sql``;
  const claimNames = extended
    ? sql`, claim_user, claim_key, claim_sha, claim_at, claim_response, extra`
    : sql``;
  const claim = extended
    ? sql`, c AS (
      INSERT INTO idempotency_keys (user_id, key, request_sha256, status_code, response, created_at)
      SELECT i.claim_user, i.claim_key, i.claim_sha, 201,
             i.claim_response || jsonb_build_object('lotNumber', k.lot_count + 1)
               || CASE WHEN i.claim_response ? 'contractingAuthorityFiscalCode'
                       THEN jsonb_build_object('contractingAuthorityFiscalCode', ca.fiscal_code) ELSE '{}'::jsonb END,
             i.claim_at
      FROM i JOIN locked k ON k.tender_number = i.tn JOIN contracting_authorities ca ON ca.id = k.contracting_authority_id
      WHERE i.claim_key IS NOT NULL AND k.state = 'active' AND (i.ca IS NULL OR k.contracting_authority_id = i.ca)
      ORDER BY i.claim_user, i.claim_key
      ON CONFLICT (user_id, key) DO NOTHING
      RETURNING user_id, key
    )`
    : sql``;
  const claimed = extended
    ? sql`AND (i.claim_key IS NULL OR EXISTS (SELECT 1 FROM c WHERE c.user_id = i.claim_user AND c.key = i.claim_key))`
    : sql``;
  return sql<IssuedRow>`
    WITH i AS (
      SELECT * FROM unnest(
        ${col((x) => x.tenderNumber)}::int[], ${col((x) => x.contractingAuthorityId)}::uuid[],
        ${col((x) => x.lot.id)}::uuid[], ${col((x) => x.lot.cig)}::text[], ${col((x) => x.lot.object)}::text[],
        ${col((x) => x.lot.amountCents)}::bigint[], ${col((x) => x.lot.cpvCode)}::text[],
        ${col((x) => x.lot.istatPlaceCode)}::text[], ${col((x) => x.lot.acquiredAt.toISOString())}::timestamptz[],
        ${col((x) => x.lot.perfectionDeadline)}::date[], ${col((x) => x.lot.createdBy)}::uuid[],
        ${col((x) => x.audit.occurredAt.toISOString())}::timestamptz[], ${col((x) => x.audit.actorUserId)}::uuid[],
        ${col((x) => x.audit.actor)}::text[], ${col((x) => x.audit.action)}::text[],
        ${col((x) => x.audit.entityType)}::text[], ${col((x) => x.audit.entityId)}::text[],
        ${col((x) => JSON.stringify(x.audit.after ?? {}))}::jsonb[], ${col((x) => x.audit.requestId)}::text[]${claimColumns}
      ) WITH ORDINALITY AS i(tn, ca, id, cig, object, amount_cents, cpv_code, place, acquired_at, deadline, created_by,
                             occurred_at, actor_user_id, actor, action, entity_type, entity_id, after, request_id${claimNames}, ord)
    ), locked AS (
      SELECT id, tender_number, lot_count, state, contracting_authority_id
      FROM tenders WHERE tender_number IN (SELECT tn FROM i) ORDER BY tender_number FOR UPDATE
    )${claim}, t AS (
      -- The rows as locked (their latest versions, which nothing else may change until the commit) decide;
      -- tenders is reached by primary key only: a condition on its own state let the planner scan every
      -- active tender per batch (from an estimate of one row where statistics are missing or stale).
      UPDATE tenders SET lot_count = tenders.lot_count + 1, updated_at = i.acquired_at
      FROM locked JOIN i ON i.tn = locked.tender_number
      WHERE tenders.id = locked.id AND locked.state = 'active'
        AND (i.ca IS NULL OR locked.contracting_authority_id = i.ca) ${claimed}
      RETURNING tenders.id, tenders.tender_number, tenders.lot_count, tenders.contracting_authority_id,
                tenders.procedure_type_code, tenders.created_at, i.ord
    ), l AS (
      INSERT INTO lots (id, tender_id, lot_number, cig, object, amount_cents, cpv_code, istat_place_code,
                        acquired_at, perfection_deadline, created_by)
      SELECT i.id, t.id, t.lot_count, i.cig, i.object, i.amount_cents, i.cpv_code, i.place, i.acquired_at, i.deadline,
             i.created_by
      FROM i JOIN t ON t.ord = i.ord
      RETURNING cig
    ), a AS (
      INSERT INTO audit_log (occurred_at, actor_user_id, actor, action, entity_type, entity_id, before, after, request_id)
      SELECT i.occurred_at, i.actor_user_id, i.actor, i.action, i.entity_type, i.entity_id, NULL,
             i.after || jsonb_build_object('lotNumber', t.lot_count, 'tenderNumber', t.tender_number), i.request_id
      FROM i JOIN t ON t.ord = i.ord
    )${also ? sql`, ${also}` : sql``}
    SELECT t.ord, t.id, t.tender_number, t.lot_count AS lot_number, t.contracting_authority_id, t.procedure_type_code,
           t.created_at,
           ca.name AS ca_name, ca.fiscal_code AS ca_fiscal_code, ca.regional_section_code AS ca_section,
           (SELECT count(*) FROM l) AS inserted
    FROM t JOIN contracting_authorities ca ON ca.id = t.contracting_authority_id`;
}

export function lotRepository(db: Database, issuer?: Batcher<IssueInput, IssueOutput>): LotRepository {
  return {
    issue(input) {
      // Outside a transaction, concurrent issuances are grouped into one statement (see Batcher), their
      // idempotency claims included.
      return db.isTransaction || !issuer ? issueLots(db, [input]).then((r) => r[0]) : issuer.submit(input);
    },
    async findByCig(cig) {
      const row = await selectLots(db).where('l.cig', '=', cig).executeTakeFirst();
      return row && toLot(row);
    },
    async findWithTenderTotal(cig) {
      const row = await selectLots(db)
        .select(
          sql<string>`(SELECT coalesce(sum(o.amount_cents), 0) FROM lots o WHERE o.tender_id = l.tender_id AND o.state <> 'cancelled')`.as(
            'tender_total_cents',
          ),
        )
        .where('l.cig', '=', cig)
        .executeTakeFirst();
      return row && { lot: toLot(row), tenderTotalCents: Number(row.tender_total_cents) };
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
    async listOpenForBids(now, limit) {
      const rows = await selectLots(db)
        .where('l.state', '=', 'perfected')
        .where('l.bid_deadline', '>', now)
        .orderBy('l.bid_deadline')
        .limit(limit)
        .execute();
      return rows.map(toLot);
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

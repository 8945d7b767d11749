import { sql } from 'kysely';
import type { Database } from '../database.js';
import { transactionScope } from '../pglite-dialect.js';
import { createStore, type StoreShared } from '../store.js';
import { Batcher } from '../../../services/batcher.js';
import type {
  SimogLot,
  SimogLotIssue,
  SimogRepository,
  SimogTender,
  SimogUnitOfWork,
} from '../../../services/simog/ports.js';
import { issueClaimedLots, type IssueOutput } from './tender-repository.js';
import type { User } from '../../../services/ports.js';

type SimogTables = {
  simog_tickets: {
    ticket_sha256: string;
    api_token_sha256: string;
    user_id: string;
    cf_rup: string | null;
    issued_at: Date;
    expires_at: Date;
    revoked_at: Date | null;
  };
  simog_tenders: {
    tender_number: number;
    tender_id: string | null;
    contracting_authority_id: string;
    rup_user_id: string;
    object: string;
    amount_cents: string | number;
    attributes: unknown;
    perfected_at: Date | null;
    cancelled_at: Date | null;
    cancel_reason: number | null;
    cancel_note: string | null;
    created_at: Date;
    updated_at: Date;
  };
  simog_lots: {
    cig: string;
    attributes: unknown;
    cup: unknown;
    publication: unknown;
    updated_at: Date;
  };
};

type Row = {
  tender_number: number;
  tender_id: string | null;
  contracting_authority_id: string;
  rup_user_id: string;
  object: string;
  amount_cents: string | number;
  attributes: unknown;
  perfected_at: Date | null;
  cancelled_at: Date | null;
  cancel_reason: number | null;
  cancel_note: string | null;
  created_at: Date;
};

const json = (value: unknown) => sql`${JSON.stringify(value)}::jsonb`;
const parsed = <T>(value: unknown): T =>
  typeof value === 'string' ? (JSON.parse(value) as T) : (value as T);

function toTender(row: Row): SimogTender {
  const stored = parsed<{ values: Record<string, string>; categories: string[] }>(row.attributes);
  return {
    tenderNumber: row.tender_number,
    tenderId: row.tender_id,
    contractingAuthorityId: row.contracting_authority_id,
    rupUserId: row.rup_user_id,
    object: row.object,
    amountCents: Number(row.amount_cents),
    attributes: stored.values,
    categories: stored.categories,
    perfectedAt: row.perfected_at,
    cancellation:
      row.cancelled_at === null
        ? null
        : { at: row.cancelled_at, reason: Number(row.cancel_reason), note: row.cancel_note },
    createdAt: row.created_at,
  };
}

export function simogRepository(database: Database): SimogRepository {
  const s = database.withTables<SimogTables>();
  return {
    async insertTicket(t) {
      await s
        .insertInto('simog_tickets')
        .values({
          ticket_sha256: t.ticketSha256,
          api_token_sha256: t.apiTokenSha256,
          user_id: t.userId,
          cf_rup: t.cfRup,
          issued_at: t.issuedAt,
          expires_at: t.expiresAt,
          revoked_at: null,
        })
        .execute();
    },
    async findSession(ticketSha256, now) {
      const row = await s
        .selectFrom('simog_tickets as t')
        .innerJoin('api_tokens as k', 'k.token_sha256', 't.api_token_sha256')
        .innerJoin('users as u', 'u.id', 't.user_id')
        .selectAll('u')
        .select(['t.cf_rup', 't.expires_at as ticket_expires_at'])
        .where('t.ticket_sha256', '=', ticketSha256)
        .where('t.revoked_at', 'is', null)
        .where('t.expires_at', '>', now)
        .where('k.revoked_at', 'is', null)
        .where((eb) => eb.or([eb('k.expires_at', 'is', null), eb('k.expires_at', '>', now)]))
        .where('u.active', '=', true)
        .executeTakeFirst();
      if (!row) return undefined;
      const user: User = {
        id: row.id,
        name: row.name,
        email: row.email,
        fiscalCode: row.fiscal_code,
        role: row.role as User['role'],
        contractingAuthorityId: row.contracting_authority_id,
        economicOperatorId: row.economic_operator_id,
        regionalSectionCode: row.regional_section_code,
        active: row.active,
        createdAt: row.created_at,
        updatedAt: row.updated_at,
      };
      return { user, cfRup: row.cf_rup, expiresAt: row.ticket_expires_at };
    },
    async revokeTicket(ticketSha256, at) {
      const result = await s
        .updateTable('simog_tickets')
        .set({ revoked_at: at })
        .where('ticket_sha256', '=', ticketSha256)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async insertTender(t) {
      await s
        .insertInto('simog_tenders')
        .values({
          tender_number: t.tenderNumber,
          tender_id: null,
          contracting_authority_id: t.contractingAuthorityId,
          rup_user_id: t.rupUserId,
          object: t.object,
          amount_cents: t.amountCents,
          attributes: json({ values: t.attributes, categories: t.categories }),
          perfected_at: null,
          cancelled_at: null,
          cancel_reason: null,
          cancel_note: null,
          created_at: t.createdAt,
          updated_at: t.createdAt,
        })
        .execute();
    },
    async findTender(tenderNumber) {
      const row = await s
        .selectFrom('simog_tenders')
        .selectAll()
        .where('tender_number', '=', tenderNumber)
        .executeTakeFirst();
      return row && toTender(row);
    },
    async lockTender(tenderNumber) {
      const row = await s
        .selectFrom('simog_tenders')
        .selectAll()
        .where('tender_number', '=', tenderNumber)
        .forUpdate()
        .executeTakeFirst();
      return row && toTender(row);
    },
    async updateTender(tenderNumber, changes, at) {
      const current = await this.findTender(tenderNumber);
      if (!current) return;
      await s
        .updateTable('simog_tenders')
        .set({
          ...(changes.tenderId !== undefined ? { tender_id: changes.tenderId } : {}),
          ...(changes.object !== undefined ? { object: changes.object } : {}),
          ...(changes.amountCents !== undefined ? { amount_cents: changes.amountCents } : {}),
          ...(changes.perfectedAt !== undefined ? { perfected_at: changes.perfectedAt } : {}),
          ...(changes.cancellation
            ? {
                cancelled_at: changes.cancellation.at,
                cancel_reason: changes.cancellation.reason,
                cancel_note: changes.cancellation.note,
              }
            : {}),
          ...(changes.attributes !== undefined || changes.categories !== undefined
            ? {
                attributes: json({
                  values: changes.attributes ?? current.attributes,
                  categories: changes.categories ?? current.categories,
                }),
              }
            : {}),
          updated_at: at,
        })
        .where('tender_number', '=', tenderNumber)
        .execute();
    },
    async findLots(cigs) {
      if (cigs.length === 0) return [];
      const rows = await s.selectFrom('simog_lots').selectAll().where('cig', 'in', cigs).execute();
      return rows.map((r): SimogLot => ({
        cig: r.cig,
        attributes: parsed(r.attributes),
        cup: r.cup === null ? null : parsed(r.cup),
        publication: r.publication === null ? null : parsed(r.publication),
      }));
    },
    async saveLot(lot, at) {
      const values = {
        cig: lot.cig,
        attributes: json(lot.attributes),
        cup: lot.cup === null ? null : json(lot.cup),
        publication: lot.publication === null ? null : json(lot.publication),
        updated_at: at,
      };
      await s
        .insertInto('simog_lots')
        .values(values)
        .onConflict((oc) =>
          oc.column('cig').doUpdateSet({
            attributes: values.attributes,
            cup: values.cup,
            publication: values.publication,
            updated_at: at,
          }),
        )
        .execute();
    },
  };
}

/** The lot's SIMOG data, written by the issuance statement itself (issueLots' `also`). */
const simogLotOfIssued = sql`s AS (
  INSERT INTO simog_lots (cig, attributes, cup, publication, updated_at)
  SELECT i.cig, i.extra->'attributes', NULLIF(i.extra->'cup', 'null'::jsonb), NULL, i.acquired_at
  FROM i JOIN t ON t.ord = i.ord
)`;

/**
 * inserisciLotto's issuances in one statement each batch: the idempotency claim, the lot, its audit
 * entry and its simog_lots row (a key repeated within the batch: see issueClaimedLots).
 */
const issueSimogLots = (db: Database, items: SimogLotIssue[]): Promise<IssueOutput[]> =>
  issueClaimedLots(
    db,
    items.map((x) => ({ ...x, extra: x.simogLot })),
    simogLotOfIssued,
  );

/** gara's Store and the SIMOG repository over one database, sharing its transactions. */
export function simogUnitOfWork(
  db: Database,
  shared: StoreShared,
  options: { maxConcurrentBatches?: number } = {},
): SimogUnitOfWork {
  // Outside a transaction, concurrent inserisciLotto are grouped as REST issuances are (see Batcher).
  const issuer = new Batcher((items: SimogLotIssue[]) => issueSimogLots(db, items), {
    maxBatch: 64,
    maxConcurrent: options.maxConcurrentBatches ?? 4,
    key: (item) => String(item.tenderNumber),
  });
  return {
    simog: simogRepository(db),
    issueLot: (input) => issuer.submit(input),
    transaction: (work) =>
      transactionScope(() =>
        db
          .transaction()
          .execute((tx) => work({ store: createStore(tx, shared), simog: simogRepository(tx) })),
      ),
  };
}

import { createHash } from 'node:crypto';
import { sql, type ExpressionBuilder, type Selectable, type SelectQueryBuilder } from 'kysely';
import type { Database } from '../database.js';
import type { NoticesTable, OutboxTable, ProtocolRegistrationsTable, RelaysTable } from '../schema.js';
import type {
  Notice,
  NoticeRepository,
  OutboxMessage,
  OutboxState,
  PecReceiptScope,
  ProtocolRegistration,
  Relay,
  Subscription,
} from '../../../services/notices/ports.js';

const toOutbox = (r: Selectable<OutboxTable>): OutboxMessage => ({
  id: r.id,
  kind: r.kind,
  channel: r.channel,
  relayId: r.relay_id,
  subscriptionId: r.subscription_id,
  eventId: r.event_id,
  recipientName: r.recipient_name,
  address: r.address,
  contractingAuthorityId: r.contracting_authority_id,
  idempotencyKey: r.idempotency_key,
  messageId: r.message_id,
  subject: r.subject,
  body: r.body,
  state: r.state,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error,
  failure: r.failure,
  acceptedAt: r.accepted_at,
  deliveredAt: r.delivered_at,
  failedAt: r.failed_at,
  createdAt: r.created_at,
});

const toRelay = (r: Omit<Selectable<RelaysTable>, 'letter_pdf'>): Relay => ({
  id: r.id,
  noticeId: r.notice_id,
  regionalSectionCode: r.regional_section_code,
  registrationId: r.registration_id,
  restorationOf: r.restoration_of,
  letterSha256: r.letter_sha256,
  recipientCount: r.recipient_count,
  createdAt: r.created_at,
});

const relayColumns = [
  'id',
  'notice_id',
  'regional_section_code',
  'registration_id',
  'restoration_of',
  'letter_sha256',
  'recipient_count',
  'created_at',
  'created_by',
] as const;

async function noticesWithServices(db: Database, rows: Selectable<NoticesTable>[]): Promise<Notice[]> {
  if (rows.length === 0) return [];
  const services = await db
    .selectFrom('notice_services')
    .selectAll()
    .where(
      'notice_id',
      'in',
      rows.map((r) => r.id),
    )
    .execute();
  return rows.map((r) => ({
    id: r.id,
    title: r.title,
    noticeDate: r.notice_date,
    body: r.body,
    kind: r.kind,
    incidentId: r.incident_id,
    maintenanceId: r.maintenance_id,
    sourceUrl: r.source_url,
    state: r.state,
    restorationOf: r.restoration_of,
    services: services.filter((s) => s.notice_id === r.id).map((s) => s.service_code),
    createdAt: r.created_at,
    publishedAt: r.published_at,
  }));
}

async function registrationsWithAnnulments(
  db: Database,
  rows: Selectable<ProtocolRegistrationsTable>[],
): Promise<ProtocolRegistration[]> {
  if (rows.length === 0) return [];
  const annulments = await db
    .selectFrom('protocol_annulments')
    .selectAll()
    .where(
      'registration_id',
      'in',
      rows.map((r) => r.id),
    )
    .execute();
  return rows.map((r) => {
    const a = annulments.find((x) => x.registration_id === r.id);
    return {
      id: r.id,
      aooCode: r.aoo_code,
      registerCode: r.register_code,
      year: r.year,
      number: r.number,
      direction: r.direction,
      registeredAt: r.registered_at,
      subject: r.subject,
      correspondents: r.correspondents as ProtocolRegistration['correspondents'],
      documentName: r.document_name,
      documentSha256: r.document_sha256,
      segnaturaXml: r.segnatura_xml,
      annulment: a
        ? { annulledAt: a.annulled_at, operatorName: a.operator_name, measure: a.measure, reason: a.reason }
        : null,
    };
  });
}

/** PEC receipts joined to the message they matched (if any). */
const receiptsWithMessage = (db: Database) =>
  db.selectFrom('pec_receipts as r').leftJoin('outbox as o', 'o.id', 'r.outbox_id');
type ReceiptsDb =
  ReturnType<typeof receiptsWithMessage> extends SelectQueryBuilder<infer D, infer _T, infer _O> ? D : never;

/** A regional officer's receipts (the one predicate for the list and the raw message): those they posted and those of their section's relays. */
const inReceiptScope = (scope: PecReceiptScope) => (eb: ExpressionBuilder<ReceiptsDb, 'r' | 'o'>) =>
  eb.or([
    eb('r.received_by', '=', scope.userId),
    eb(
      'o.relay_id',
      'in',
      eb.selectFrom('relays').select('id').where('regional_section_code', '=', scope.sectionCode),
    ),
  ]);

export function noticeRepository(db: Database): NoticeRepository {
  return {
    async insertNotice(n) {
      await db
        .insertInto('notices')
        .values({
          id: n.id,
          title: n.title,
          notice_date: n.noticeDate,
          body: n.body,
          kind: n.kind,
          incident_id: n.incidentId,
          maintenance_id: n.maintenanceId,
          source_url: n.sourceUrl,
          state: n.state,
          restoration_of: n.restorationOf,
          created_at: n.createdAt,
          created_by: n.createdBy,
          published_at: n.state === 'published' ? n.createdAt : null,
          published_by: n.state === 'published' ? n.createdBy : null,
        })
        .execute();
      if (n.services.length > 0) {
        await db
          .insertInto('notice_services')
          .values(n.services.map((s) => ({ notice_id: n.id, service_code: s })))
          .execute();
      }
    },
    async findNotice(id) {
      return (
        await noticesWithServices(
          db,
          await db.selectFrom('notices').selectAll().where('id', '=', id).execute(),
        )
      )[0];
    },
    async publishNotice(id, at, by, sourceUrl) {
      const r = await db
        .updateTable('notices')
        .set({
          state: 'published',
          published_at: at,
          published_by: by,
          ...(sourceUrl !== undefined ? { source_url: sourceUrl } : {}),
        })
        .where('id', '=', id)
        .where('state', '=', 'draft')
        .executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },
    async listPublished(page) {
      const rows = await db
        .selectFrom('notices')
        .selectAll()
        .where('state', '=', 'published')
        .orderBy('published_at', 'desc')
        .orderBy('id')
        .limit(page.limit)
        .offset(page.offset)
        .execute();
      return noticesWithServices(db, rows);
    },
    async listDrafts() {
      return noticesWithServices(
        db,
        await db
          .selectFrom('notices')
          .selectAll()
          .where('state', '=', 'draft')
          .orderBy('created_at', 'desc')
          .execute(),
      );
    },
    async listForIncident(incidentId) {
      return noticesWithServices(
        db,
        await db
          .selectFrom('notices')
          .selectAll()
          .where('incident_id', '=', incidentId)
          .orderBy('created_at')
          .execute(),
      );
    },

    async takeProtocolNumbers(aooCode, registerCode, year, count) {
      const { rows } = await sql<{ n: number }>`
        INSERT INTO protocol_counters (aoo_code, register_code, year, last_number) VALUES (${aooCode}, ${registerCode}, ${year}, ${count})
        ON CONFLICT (aoo_code, register_code, year) DO UPDATE SET last_number = protocol_counters.last_number + ${count}
        RETURNING last_number AS n`.execute(db);
      return Number(rows[0]?.n) - count + 1;
    },
    async insertRegistrations(registrations) {
      await db
        .insertInto('protocol_registrations')
        .values(
          registrations.map((r) => ({
            id: r.id,
            aoo_code: r.aooCode,
            register_code: r.registerCode,
            year: r.year,
            number: r.number,
            direction: r.direction,
            registered_at: r.registeredAt,
            subject: r.subject,
            correspondents: JSON.stringify(r.correspondents),
            correspondent_count: r.correspondents.length,
            document_name: r.documentName,
            document_sha256: r.documentSha256,
            segnatura_xml: r.segnaturaXml,
            registered_by: r.registeredBy,
          })),
        )
        .execute();
    },
    async findRegistration(id) {
      return (
        await registrationsWithAnnulments(
          db,
          await db.selectFrom('protocol_registrations').selectAll().where('id', '=', id).execute(),
        )
      )[0];
    },
    async listRegistrations(f) {
      const rows = await db
        .selectFrom('protocol_registrations')
        .selectAll()
        .where('aoo_code', '=', f.aooCode)
        .where('registered_at', '>=', f.from)
        .where('registered_at', '<', f.to)
        .orderBy('year')
        .orderBy('number')
        .execute();
      return registrationsWithAnnulments(db, rows);
    },
    async insertAnnulment(a) {
      const row = await db
        .insertInto('protocol_annulments')
        .values({
          registration_id: a.registrationId,
          annulled_at: a.annulledAt,
          operator_id: a.operatorId,
          operator_name: a.operatorName,
          measure: a.measure,
          reason: a.reason,
        })
        .onConflict((oc) => oc.column('registration_id').doNothing())
        .returning('registration_id')
        .executeTakeFirst();
      return row !== undefined;
    },
    async listAnnulments(f) {
      const rows = await db
        .selectFrom('protocol_annulments as a')
        .innerJoin('protocol_registrations as r', 'r.id', 'a.registration_id')
        .select([
          'a.registration_id',
          'a.annulled_at',
          'a.operator_name',
          'a.measure',
          'a.reason',
          'r.number',
        ])
        .where('r.aoo_code', '=', f.aooCode)
        .where('a.annulled_at', '>=', f.from)
        .where('a.annulled_at', '<', f.to)
        .orderBy('a.annulled_at')
        .execute();
      return rows.map((r) => ({
        registrationId: r.registration_id,
        number: r.number,
        annulledAt: r.annulled_at,
        operatorName: r.operator_name,
        measure: r.measure,
        reason: r.reason,
      }));
    },

    async insertRelay(r) {
      await db
        .insertInto('relays')
        .values({
          id: r.id,
          notice_id: r.noticeId,
          regional_section_code: r.regionalSectionCode,
          registration_id: r.registrationId,
          restoration_of: r.restorationOf,
          letter_pdf: r.letterPdf,
          letter_sha256: r.letterSha256,
          recipient_count: r.recipientCount,
          created_at: r.createdAt,
          created_by: r.createdBy,
        })
        .execute();
    },
    async findRelay(id) {
      const row = await db.selectFrom('relays').select(relayColumns).where('id', '=', id).executeTakeFirst();
      return row && toRelay(row);
    },
    async relayLetter(id) {
      const row = await db.selectFrom('relays').select('letter_pdf').where('id', '=', id).executeTakeFirst();
      return row ? Buffer.from(row.letter_pdf) : undefined;
    },
    async rupsOfSection(sectionCode, authorityIds) {
      let q = db
        .selectFrom('users as u')
        .innerJoin('contracting_authorities as a', 'a.id', 'u.contracting_authority_id')
        .select(['u.name as userName', 'u.email', 'a.id as authorityId', 'a.name as authorityName'])
        .where('a.regional_section_code', '=', sectionCode)
        .where('a.active', '=', true)
        .where('u.active', '=', true)
        .where('u.role', '=', 'rup');
      if (authorityIds)
        q = q.where(
          'a.id',
          'in',
          authorityIds.length > 0 ? authorityIds : ['00000000-0000-0000-0000-000000000000'],
        );
      const rows = await q.orderBy('a.name').orderBy('a.id').orderBy('u.name').orderBy('u.email').execute();
      return rows.map((r) => ({
        name: `${r.userName} - ${r.authorityName}`,
        address: r.email,
        contractingAuthorityId: r.authorityId,
      }));
    },
    async listRelays(f) {
      let q = db.selectFrom('relays').select(relayColumns);
      if (f.noticeId) q = q.where('notice_id', '=', f.noticeId);
      if (f.regionalSectionCode) q = q.where('regional_section_code', '=', f.regionalSectionCode);
      return (await q.orderBy('created_at').execute()).map(toRelay);
    },

    async insertOutbox(messages, at) {
      for (let i = 0; i < messages.length; i += 500) {
        const chunk = messages.slice(i, i + 500);
        await db
          .insertInto('outbox')
          .values(
            chunk.map((m) => ({
              id: m.id,
              kind: m.kind,
              channel: m.channel,
              relay_id: m.relayId,
              subscription_id: m.subscriptionId,
              event_id: m.eventId,
              recipient_name: m.recipientName,
              address: m.address,
              contracting_authority_id: m.contractingAuthorityId,
              idempotency_key: m.idempotencyKey,
              message_id: m.messageId,
              subject: m.subject,
              body: m.body,
              next_attempt_at: m.nextAttemptAt,
              last_error: null,
              failure: null,
              accepted_at: null,
              delivered_at: null,
              failed_at: null,
              created_at: m.createdAt,
            })),
          )
          .execute();
        await db
          .insertInto('outbox_events')
          .values(chunk.map((m) => ({ outbox_id: m.id, at, event: 'queued', detail: null })))
          .execute();
      }
    },
    async claimDue(now, limit, leaseUntil) {
      const { rows } = await sql<Selectable<OutboxTable>>`
        UPDATE outbox SET state = 'sending', attempts = attempts + 1, next_attempt_at = ${leaseUntil}
        WHERE id IN (
          SELECT id FROM outbox WHERE state IN ('queued', 'sending') AND next_attempt_at <= ${now}
          ORDER BY next_attempt_at, created_at LIMIT ${limit} FOR UPDATE SKIP LOCKED)
        RETURNING *`.execute(db);
      return rows.map(toOutbox);
    },
    // Each state change and its event in one statement: atomic, and one round trip per message.
    async markAccepted(id, at, detail) {
      await sql`
        WITH changed AS (
          UPDATE outbox SET state = 'accepted', accepted_at = ${at}, last_error = NULL, failure = NULL
           WHERE id = ${id} AND state IN ('sending', 'queued', 'failed') RETURNING id)
        INSERT INTO outbox_events (outbox_id, at, event, detail) SELECT id, ${at}, 'accepted', ${detail} FROM changed`.execute(
        db,
      );
    },
    async markDelivered(id, at, detail) {
      await sql`
        WITH changed AS (
          UPDATE outbox SET state = 'delivered', delivered_at = ${at}, accepted_at = coalesce(accepted_at, ${at}),
                 last_error = NULL, failure = NULL, failed_at = NULL
           WHERE id = ${id} RETURNING id)
        INSERT INTO outbox_events (outbox_id, at, event, detail) SELECT id, ${at}, 'delivered', ${detail} FROM changed`.execute(
        db,
      );
    },
    async markFailed(id, at, failure, error, retryAt) {
      const detail = retryAt ? `${error}; retry at ${retryAt.toISOString()}` : error;
      await sql`
        WITH changed AS (
          UPDATE outbox SET state = ${retryAt ? 'queued' : 'failed'}, last_error = ${error}, failure = ${failure},
                 next_attempt_at = coalesce(${retryAt}::timestamptz, next_attempt_at),
                 failed_at = ${retryAt ? null : at}::timestamptz
           WHERE id = ${id} RETURNING id)
        INSERT INTO outbox_events (outbox_id, at, event, detail)
        SELECT id, ${at}, ${retryAt ? 'retried' : 'failed'}, ${detail} FROM changed`.execute(db);
    },
    async releaseClaims(ids, at) {
      if (ids.length === 0) return;
      await db
        .updateTable('outbox')
        .set({ state: 'queued', next_attempt_at: at, attempts: sql`attempts - 1` })
        .where('id', 'in', ids)
        .where('state', '=', 'sending')
        .execute();
    },
    async addOutboxEvent(id, at, event, detail) {
      await db.insertInto('outbox_events').values({ outbox_id: id, at, event, detail }).execute();
    },
    async relayProgress(relayId) {
      const rows = await db
        .selectFrom('outbox')
        .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
        .where('relay_id', '=', relayId)
        .groupBy('state')
        .execute();
      const out: Record<OutboxState, number> = {
        queued: 0,
        sending: 0,
        accepted: 0,
        delivered: 0,
        failed: 0,
      };
      for (const r of rows) out[r.state] = Number(r.n);
      return out;
    },
    async relayRecipients(relayId) {
      const rows = await db
        .selectFrom('outbox')
        .selectAll()
        .where('relay_id', '=', relayId)
        .orderBy('recipient_name')
        .orderBy('address')
        .execute();
      if (rows.length === 0) return [];
      const events = await db
        .selectFrom('outbox_events as e')
        .innerJoin('outbox as o', 'o.id', 'e.outbox_id')
        .select(['e.outbox_id', 'e.at', 'e.event', 'e.detail'])
        .where('o.relay_id', '=', relayId)
        .orderBy('e.id')
        .execute();
      const byMessage = new Map<string, { at: Date; event: string; detail: string | null }[]>();
      for (const e of events) {
        const list = byMessage.get(e.outbox_id) ?? [];
        list.push({ at: e.at, event: e.event, detail: e.detail });
        byMessage.set(e.outbox_id, list);
      }
      return rows.map((r) => ({ ...toOutbox(r), events: byMessage.get(r.id) ?? [] }));
    },
    async listOutbox(f) {
      let q = db.selectFrom('outbox as o').selectAll('o');
      if (f.state) q = q.where('o.state', '=', f.state);
      if (f.kind) q = q.where('o.kind', '=', f.kind);
      if (f.sectionCode !== undefined) {
        // A relay's message belongs to the relaying section; a reminder to the section of its RUP's authority.
        const section = f.sectionCode;
        q = q.where((eb) =>
          eb.or([
            eb.exists(
              eb
                .selectFrom('relays as r')
                .select('r.id')
                .whereRef('r.id', '=', 'o.relay_id')
                .where('r.regional_section_code', '=', section),
            ),
            eb.and([
              eb('o.relay_id', 'is', null),
              eb.exists(
                eb
                  .selectFrom('contracting_authorities as a')
                  .select('a.id')
                  .whereRef('a.id', '=', 'o.contracting_authority_id')
                  .where('a.regional_section_code', '=', section),
              ),
            ]),
          ]),
        );
      }
      const rows = await q
        .orderBy('o.created_at', 'desc')
        .orderBy('o.id')
        .limit(f.limit)
        .offset(f.offset)
        .execute();
      return rows.map(toOutbox);
    },
    async retryFailed(relayId, at) {
      const rows = await db
        .updateTable('outbox')
        .set({ state: 'queued', next_attempt_at: at, failure: null, failed_at: null })
        .where('relay_id', '=', relayId)
        .where('state', '=', 'failed')
        .returning('id')
        .execute();
      if (rows.length > 0) {
        await db
          .insertInto('outbox_events')
          .values(rows.map((r) => ({ outbox_id: r.id, at, event: 'retried', detail: 'retried by staff' })))
          .execute();
      }
      return rows.length;
    },
    async findOutbox(id) {
      const row = await db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toOutbox(row);
    },
    async findOutboxByMessageId(messageId) {
      const row = await db
        .selectFrom('outbox')
        .leftJoin('relays', 'relays.id', 'outbox.relay_id')
        .selectAll('outbox')
        .select('relays.regional_section_code')
        .where('outbox.message_id', '=', messageId)
        .executeTakeFirst();
      return row && { ...toOutbox(row), sectionCode: row.regional_section_code ?? null };
    },
    async insertPecReceipt(r) {
      const inserted = await db
        .insertInto('pec_receipts')
        .values({
          id: r.id,
          outbox_id: r.outboxId,
          kind: r.kind,
          reference_message_id: r.referenceMessageId,
          recipient: r.recipient,
          conformant: r.conformant,
          problems: JSON.stringify(r.problems),
          raw: r.raw,
          raw_sha256: createHash('sha256').update(r.raw).digest('hex'),
          received_at: r.receivedAt,
          status: r.status,
          signer: r.signer,
          received_by: r.receivedBy,
        })
        .onConflict((oc) => oc.column('raw_sha256').doNothing())
        .returning('id')
        .executeTakeFirst();
      return inserted !== undefined;
    },
    async findPecReceipt(raw) {
      const row = await db
        .selectFrom('pec_receipts as r')
        .leftJoin('outbox as o', 'o.id', 'r.outbox_id')
        .select(['r.id', 'r.outbox_id', 'o.state', 'r.status', 'r.problems'])
        .where('r.raw_sha256', '=', createHash('sha256').update(raw).digest('hex'))
        .executeTakeFirst();
      return (
        row && {
          id: row.id,
          outboxId: row.outbox_id,
          state: row.state ?? null,
          status: row.status,
          problems: row.problems as string[],
        }
      );
    },
    async listPecReceipts(f) {
      let q = receiptsWithMessage(db).select([
        'r.id',
        'r.kind',
        'r.reference_message_id',
        'r.recipient',
        'r.conformant',
        'r.problems',
        'r.received_at',
        'r.outbox_id',
        'o.relay_id',
        'o.address',
        'r.status',
        'r.signer',
      ]);
      if (f.unmatched) q = q.where('r.outbox_id', 'is', null);
      if (f.status) q = q.where('r.status', '=', f.status);
      const scope = f.scope;
      if (scope) {
        q = q.where(inReceiptScope(scope));
      }
      const rows = await q
        .orderBy('r.received_at', 'desc')
        .orderBy('r.id')
        .limit(f.limit)
        .offset(f.offset)
        .execute();
      return rows.map((r) => ({
        id: r.id,
        kind: r.kind,
        referenceMessageId: r.reference_message_id,
        recipient: r.recipient,
        conformant: r.conformant,
        problems: r.problems as string[],
        receivedAt: r.received_at,
        outboxId: r.outbox_id,
        relayId: r.relay_id ?? null,
        address: r.address ?? null,
        status: r.status,
        signer: r.signer,
      }));
    },
    async pecReceiptRaw(id, scope) {
      let q = receiptsWithMessage(db).select('r.raw').where('r.id', '=', id);
      if (scope) {
        q = q.where(inReceiptScope(scope));
      }
      return (await q.executeTakeFirst())?.raw;
    },

    async insertSubscription(s) {
      await db
        .insertInto('subscriptions')
        .values({
          id: s.id,
          channel: s.channel,
          address: s.address,
          secret: s.secret,
          state: s.state,
          confirm_token_sha256: s.confirmTokenSha256,
          created_at: s.createdAt,
          confirmed_at: s.state === 'active' ? s.createdAt : null,
          unsubscribed_at: null,
        })
        .execute();
      await db
        .insertInto('subscription_services')
        .values(s.services.map((c) => ({ subscription_id: s.id, service_code: c })))
        .execute();
    },
    async findSubscriptionByToken(tokenSha256) {
      const row = await db
        .selectFrom('subscriptions')
        .selectAll()
        .where('confirm_token_sha256', '=', tokenSha256)
        .executeTakeFirst();
      if (!row) return undefined;
      const services = await db
        .selectFrom('subscription_services')
        .select('service_code')
        .where('subscription_id', '=', row.id)
        .execute();
      return {
        id: row.id,
        channel: row.channel,
        address: row.address,
        secret: row.secret,
        state: row.state,
        services: services.map((s) => s.service_code),
        createdAt: row.created_at,
      };
    },
    async lockPendingSubscription(address, since) {
      await sql`SELECT pg_advisory_xact_lock(hashtext(${`subscription:${address}`}))`.execute(db);
      const row = await db
        .selectFrom('subscriptions')
        .select('confirm_token_sha256')
        .where('channel', '=', 'email')
        .where('address', '=', address)
        .where('state', '=', 'pending')
        .where('created_at', '>', since)
        .orderBy('created_at', 'desc')
        .executeTakeFirst();
      return row && this.findSubscriptionByToken(row.confirm_token_sha256);
    },
    async setSubscriptionState(id, state, at) {
      await db
        .updateTable('subscriptions')
        .set(state === 'active' ? { state, confirmed_at: at } : { state, unsubscribed_at: at })
        .where('id', '=', id)
        .execute();
    },
    async webhookSecret(subscriptionId) {
      const row = await db
        .selectFrom('subscriptions')
        .select('secret')
        .where('id', '=', subscriptionId)
        .executeTakeFirst();
      return row?.secret ?? undefined;
    },
    async activeSubscriptions(services) {
      if (services.length === 0) return [];
      const rows = await db
        .selectFrom('subscriptions as s')
        .innerJoin('subscription_services as ss', 'ss.subscription_id', 's.id')
        .select(['s.id', 's.channel', 's.address', 's.secret', 's.state', 's.created_at'])
        .select((eb) => eb.fn.agg<string[]>('array_agg', ['ss.service_code']).as('services'))
        .where('s.state', '=', 'active')
        .where('ss.service_code', 'in', services)
        .groupBy(['s.id', 's.channel', 's.address', 's.secret', 's.state', 's.created_at'])
        .execute();
      return rows.map((r): Subscription => ({
        id: r.id,
        channel: r.channel,
        address: r.address,
        secret: r.secret,
        state: r.state,
        services: r.services,
        createdAt: r.created_at,
      }));
    },
    async insertEvent(e) {
      const row = await db
        .insertInto('notification_events')
        .values({
          id: e.id,
          event_key: e.eventKey,
          kind: e.kind,
          services: e.services,
          payload: JSON.stringify(e.payload),
          created_at: e.createdAt,
        })
        .onConflict((oc) => oc.column('event_key').doNothing())
        .returning('id')
        .executeTakeFirst();
      return row ? e : undefined;
    },
  };
}

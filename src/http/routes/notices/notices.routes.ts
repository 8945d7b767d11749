import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { serviceCodes } from '../../../domain/continuity/continuity-rules.js';
import { DomainError, invalidField } from '../../../domain/shared/errors.js';
import { requireRole, type ServiceDeps, type UserActor } from '../../../services/context.js';
import { approveDraft, getNotice, listNotices, publishNotice } from '../../../services/notices/notices.js';
import type {
  Notice,
  OutboxMessage,
  PecReceiptScope,
  ProtocolRegistration,
} from '../../../services/notices/ports.js';
import { annulRegistration } from '../../../services/notices/annul-registration.js';
import { dailyRegister } from '../../../services/notices/daily-register.js';
import { getRegistration } from '../../../services/notices/get-registration.js';
import { listRegister } from '../../../services/notices/list-register.js';
import { protocolLabel } from '../../../services/notices/protocol-register.js';
import { ProtocolRegistrar } from '../../../services/notices/register-outgoing.js';
import { registerDocument } from '../../../services/notices/register-document.js';
import { bodyIsServed, getOutboxMessage, listOutbox } from '../../../services/notices/outbox.js';
import { receivePecReceipt } from '../../../services/notices/receipts.js';
import { relayNotice } from '../../../services/notices/relay-notice.js';
import { getRelay, retryFailedRecipients } from '../../../services/notices/relays.js';
import { approveRestoration } from '../../../services/notices/restoration.js';
import { confirmSubscription, subscribe } from '../../../services/notices/subscriptions.js';
import { MAX_PEC_RECEIPT_BYTES } from '../../../adapters/mail/pec-receipt.js';
import { emlFileName } from '../../../adapters/mail/mailer.js';
import { renderNoticeFeed } from '../../status/notices-pages.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DateTime,
  IdempotencyHeaders,
  IsoDate,
  Nullable,
  Offset,
  Uuid,
  errors,
} from '../../common.schemas.js';
import { actorOf, sendCreated } from '../../request-context.js';
import { relayReportCsv } from '../../relay-report.js';

const security = [{ bearer: [] }];

/** The optional `{ "sourceUrl": "https://…" }` of an approval (no body at all is an approval too). */
function sourceUrlOf(body: unknown): string | undefined {
  if (body === undefined || body === null) return undefined;
  const value = typeof body === 'object' ? (body as { sourceUrl?: unknown }).sourceUrl : body;
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > 2000)
    throw invalidField('sourceUrl', 'sourceUrl must be an http(s) URL of at most 2,000 characters');
  return value;
}
const ServiceCode = Type.Union(serviceCodes.map((c) => Type.Literal(c)));
const IdParams = Type.Object({ id: Uuid });

const NoticeView = Type.Object({
  id: Type.String(),
  title: Type.String(),
  noticeDate: Type.String(),
  body: Type.String(),
  kind: Type.String(),
  incidentId: Nullable(Type.String()),
  sourceUrl: Nullable(Type.String()),
  state: Type.String(),
  restorationOf: Nullable(Type.String()),
  services: Type.Array(Type.String()),
  publishedAt: Nullable(DateTime),
});
const presentNotice = (n: Notice) => ({
  id: n.id,
  title: n.title,
  noticeDate: n.noticeDate,
  body: n.body,
  kind: n.kind,
  incidentId: n.incidentId,
  sourceUrl: n.sourceUrl,
  state: n.state,
  restorationOf: n.restorationOf,
  services: n.services,
  publishedAt: n.publishedAt?.toISOString() ?? null,
});

const RegistrationView = Type.Object({
  id: Type.String(),
  label: Type.String(),
  number: Type.Integer(),
  year: Type.Integer(),
  register: Type.String(),
  direction: Type.String(),
  registeredAt: DateTime,
  subject: Type.String(),
  correspondents: Type.Array(Type.Object({ name: Type.String(), address: Type.String() })),
  document: Type.Object({ name: Type.String(), sha256: Type.String() }),
  annulment: Nullable(
    Type.Object({
      annulledAt: DateTime,
      operator: Type.String(),
      measure: Type.String(),
      reason: Type.String(),
    }),
  ),
});
const presentRegistration = (r: ProtocolRegistration) => ({
  id: r.id,
  label: protocolLabel(r.aooCode, r.number),
  number: r.number,
  year: r.year,
  register: r.registerCode,
  direction: r.direction,
  registeredAt: r.registeredAt.toISOString(),
  subject: r.subject,
  correspondents: r.correspondents,
  document: { name: r.documentName, sha256: r.documentSha256 },
  annulment: r.annulment
    ? {
        annulledAt: r.annulment.annulledAt.toISOString(),
        operator: r.annulment.operatorName,
        measure: r.annulment.measure,
        reason: r.annulment.reason,
      }
    : null,
});

const RelayView = Type.Object({
  id: Type.String(),
  noticeId: Type.String(),
  regionalSection: Type.String(),
  protocol: Type.String(),
  restorationOf: Nullable(Type.String()),
  letterSha256: Type.String(),
  recipients: Type.Integer(),
  progress: Type.Object({
    queued: Type.Integer(),
    sending: Type.Integer(),
    accepted: Type.Integer(),
    delivered: Type.Integer(),
    failed: Type.Integer(),
  }),
  done: Type.Boolean(),
  createdAt: DateTime,
});

const RecipientView = Type.Object({
  name: Type.String(),
  address: Type.String(),
  state: Type.String(),
  attempts: Type.Integer(),
  lastError: Nullable(Type.String()),
  failure: Nullable(Type.String()),
  acceptedAt: Nullable(DateTime),
  deliveredAt: Nullable(DateTime),
  failedAt: Nullable(DateTime),
  messageId: Type.String(),
  events: Type.Array(Type.Object({ at: DateTime, event: Type.String(), detail: Nullable(Type.String()) })),
});
const presentRecipient = (
  m: OutboxMessage & { events: { at: Date; event: string; detail: string | null }[] },
) => ({
  name: m.recipientName,
  address: m.address,
  state: m.state,
  attempts: m.attempts,
  lastError: m.lastError,
  failure: m.failure,
  acceptedAt: m.acceptedAt?.toISOString() ?? null,
  deliveredAt: m.deliveredAt?.toISOString() ?? null,
  failedAt: m.failedAt?.toISOString() ?? null,
  messageId: m.messageId,
  events: m.events.map((e) => ({ at: e.at.toISOString(), event: e.event, detail: e.detail })),
});

const OutboxView = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  channel: Type.String(),
  relayId: Nullable(Type.String()),
  recipient: Type.String(),
  address: Type.String(),
  subject: Type.String(),
  messageId: Type.String(),
  state: Type.String(),
  attempts: Type.Integer(),
  lastError: Nullable(Type.String()),
  createdAt: DateTime,
  eml: Nullable(Type.String({ description: 'Embedded mailer: where to download the message as written' })),
});

export const noticeRoutes: FastifyPluginAsyncTypebox<{
  deps: ServiceDeps;
  linkBase: () => string;
  mailDir: string | null;
  /** Webhook subscriptions may target http:// URLs (otherwise https only). */
  webhookLocalReceivers?: boolean;
  /** Whether a webhook's host resolves to public addresses only (checked at subscription). */
  webhookHostIsPublic?: (hostname: string) => Promise<boolean>;
}> = async (app, { deps, linkBase, mailDir, webhookLocalReceivers = false, webhookHostIsPublic }) => {
  const registrar = new ProtocolRegistrar(deps);
  /** The API's view of a relay (access checked by the service). */
  async function relayView(request: Parameters<typeof actorOf>[0], id: string) {
    const { relay, protocol, progress, done } = await getRelay(deps, id, actorOf(request));
    return {
      relay,
      view: {
        id: relay.id,
        noticeId: relay.noticeId,
        regionalSection: relay.regionalSectionCode,
        protocol,
        restorationOf: relay.restorationOf,
        letterSha256: relay.letterSha256,
        recipients: relay.recipientCount,
        progress,
        done,
        createdAt: relay.createdAt.toISOString(),
      },
    };
  }

  app.get(
    '/notices',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['Notices'],
        summary: 'The archive of published comunicati, newest first (public)',
        querystring: Type.Object(
          {
            limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
            offset: Offset,
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(NoticeView) }) },
      },
    },
    async (request) => ({ items: (await listNotices(deps, request.query)).map(presentNotice) }),
  );
  app.get(
    '/notices/:id',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['Notices'],
        summary: 'A comunicato (drafts: staff only)',
        params: IdParams,
        response: { 200: NoticeView, ...errors(404) },
      },
    },
    async (request) => presentNotice(await getNotice(deps, request.params.id, request.actor)),
  );
  app.post(
    '/notices',
    {
      schema: {
        tags: ['Notices'],
        summary: 'Publish a comunicato (Authority staff)',
        security,
        headers: IdempotencyHeaders,
        body: Type.Object(
          {
            title: Type.String({ minLength: 1, maxLength: 300 }),
            noticeDate: IsoDate,
            body: Type.String({ minLength: 1, maxLength: 20000 }),
            kind: Type.Union(
              ['outage', 'maintenance', 'restoration', 'information'].map((k) => Type.Literal(k)),
            ),
            incident: Type.Optional(Type.String({ maxLength: 64 })),
            services: Type.Optional(Type.Array(ServiceCode, { maxItems: 6 })),
            sourceUrl: Type.Optional(Type.String({ maxLength: 2000 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: NoticeView, ...errors(400, 401, 403) },
      },
    },
    async (request, reply) =>
      sendCreated(deps, request, reply, async (store) =>
        presentNotice(
          await publishNotice(
            { ...deps, store },
            { ...request.body, kind: request.body.kind as Notice['kind'] },
            actorOf(request),
          ),
        ),
      ),
  );
  app.post(
    '/notices/:id/approval',
    {
      schema: {
        tags: ['Notices'],
        summary:
          'Approve a drafted notice; a restoration notice then goes to the recipients of the original relays (Authority staff)',
        security,
        params: IdParams,
        response: {
          200: Type.Object({
            notice: NoticeView,
            relays: Type.Array(
              Type.Object({ id: Type.String(), protocol: Type.String(), recipients: Type.Integer() }),
            ),
          }),
          ...errors(400, 401, 403, 404, 409),
        },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const draft = await getNotice(deps, request.params.id, actor);
      if (draft.kind === 'restoration' && draft.restorationOf) {
        const { notice, relays } = await approveRestoration(deps, draft.id, actor, {
          sourceUrl: sourceUrlOf(request.body),
        });
        return {
          notice: presentNotice(notice),
          relays: relays.map((r) => ({
            id: r.relay.id,
            protocol: protocolLabel(r.registration.aooCode, r.registration.number),
            recipients: r.recipients,
          })),
        };
      }
      return {
        notice: presentNotice(
          await approveDraft(deps, draft.id, actor, { sourceUrl: sourceUrlOf(request.body) }),
        ),
        relays: [],
      };
    },
  );
  app.get(
    '/notice-drafts',
    {
      schema: {
        tags: ['Notices'],
        summary: 'Drafted notices waiting for approval, e.g. restoration notices (staff)',
        security,
        response: { 200: Type.Object({ items: Type.Array(NoticeView) }), ...errors(401, 403) },
      },
    },
    async (request) => {
      requireRole(actorOf(request), 'authority_staff', 'admin', 'regional_staff');
      return { items: (await deps.store.notices.listDrafts()).map(presentNotice) };
    },
  );

  app.post(
    '/notices/:id/relays',
    {
      schema: {
        tags: ['Notices'],
        summary:
          "Relay a comunicato to the RUPs of the section's region (regional staff): letter, protocol, e-mails",
        security,
        headers: IdempotencyHeaders,
        params: IdParams,
        body: Type.Object(
          { contractingAuthorityIds: Type.Optional(Type.Array(Uuid, { minItems: 1, maxItems: 10000 })) },
          { additionalProperties: false },
        ),
        response: { 201: RelayView, ...errors(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) =>
      sendCreated(deps, request, reply, async (store) => {
        const outcome = await relayNotice(
          { ...deps, store },
          { noticeId: request.params.id, contractingAuthorityIds: request.body.contractingAuthorityIds },
          actorOf(request),
        );
        const progress = await store.notices.relayProgress(outcome.relay.id);
        return {
          id: outcome.relay.id,
          noticeId: outcome.relay.noticeId,
          regionalSection: outcome.relay.regionalSectionCode,
          protocol: `${protocolLabel(outcome.registration.aooCode, outcome.registration.number)} Protocollo Uscita`,
          restorationOf: outcome.relay.restorationOf,
          letterSha256: outcome.relay.letterSha256,
          recipients: outcome.recipients,
          progress,
          done: false,
          createdAt: outcome.relay.createdAt.toISOString(),
        };
      }),
  );
  app.get(
    '/relays/:id',
    {
      schema: {
        tags: ['Notices'],
        summary: 'A relay and its dispatch progress',
        security,
        params: IdParams,
        response: { 200: RelayView, ...errors(401, 404) },
      },
    },
    async (request) => {
      return (await relayView(request, request.params.id)).view;
    },
  );
  app.get(
    '/relays/:id/letter.pdf',
    {
      schema: {
        tags: ['Notices'],
        summary: 'The transmission letter (PDF)',
        security,
        params: IdParams,
        produces: ['application/pdf'],
        response: { 200: Type.Unknown(), ...errors(401, 404) },
      },
    },
    async (request, reply) => {
      const { relay } = await relayView(request, request.params.id);
      const pdf = await deps.store.notices.relayLetter(relay.id);
      return reply.type('application/pdf').send(pdf);
    },
  );
  app.get(
    '/relays/:id/report',
    {
      schema: {
        tags: ['Notices'],
        summary: 'Per-recipient delivery report (JSON, or CSV with ?format=csv)',
        security,
        params: IdParams,
        querystring: Type.Object(
          { format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ relay: RelayView, recipients: Type.Array(RecipientView) }),
          ...errors(401, 404),
        },
      },
    },
    async (request, reply) => {
      const { relay, view } = await relayView(request, request.params.id);
      const messages = await deps.store.notices.relayRecipients(relay.id);
      if (request.query.format === 'csv')
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="relay-${relay.id}.csv"`)
          .send(relayReportCsv(messages) as never);
      return { relay: view, recipients: messages.map(presentRecipient) };
    },
  );
  app.post(
    '/relays/:id/retry',
    {
      schema: {
        tags: ['Notices'],
        summary: 'Send again to the recipients that failed (only those)',
        security,
        params: IdParams,
        response: { 200: Type.Object({ retried: Type.Integer() }), ...errors(401, 404) },
      },
    },
    async (request) => {
      return { retried: await retryFailedRecipients(deps, request.params.id, actorOf(request)) };
    },
  );

  // Protocol register
  app.get(
    '/protocol/:aoo/registrations',
    {
      schema: {
        tags: ['Protocol'],
        summary: "A day's registrations of an AOO's register (protocol officers)",
        security,
        params: Type.Object({ aoo: Type.String({ pattern: '^[A-Za-z0-9_]{1,16}$' }) }),
        querystring: Type.Object({ date: IsoDate }, { additionalProperties: false }),
        response: {
          200: Type.Object({ items: Type.Array(RegistrationView) }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) => ({
      items: (
        await listRegister(deps, { aooCode: request.params.aoo, date: request.query.date }, actorOf(request))
      ).map(presentRegistration),
    }),
  );
  app.post(
    '/protocol/:aoo/registrations',
    {
      schema: {
        tags: ['Protocol'],
        summary:
          "Register an outgoing document (PDF) in the AOO's register: number, fingerprint, signed segnatura",
        security,
        headers: IdempotencyHeaders,
        params: Type.Object({ aoo: Type.String({ pattern: '^[A-Za-z0-9_]{1,16}$' }) }),
        body: Type.Object(
          {
            subject: Type.String({ minLength: 1, maxLength: 1000 }),
            correspondents: Type.Array(
              Type.Object(
                {
                  name: Type.String({ minLength: 1, maxLength: 300 }),
                  address: Type.String({ minLength: 3, maxLength: 320 }),
                },
                { additionalProperties: false },
              ),
              { minItems: 1, maxItems: 10000 },
            ),
            document: Type.Object(
              {
                fileName: Type.String({ minLength: 5, maxLength: 204 }),
                contentBase64: Type.String({
                  minLength: 8,
                  maxLength: 14_000_000,
                  contentEncoding: 'base64',
                }),
              },
              { additionalProperties: false },
            ),
          },
          { additionalProperties: false },
        ),
        response: { 201: RegistrationView, ...errors(400, 401, 403, 404) },
      },
      bodyLimit: 15 * 1024 * 1024,
    },
    async (request, reply) =>
      sendCreated(deps, request, reply, async (store) => {
        const { subject, correspondents, document } = request.body;
        // With an Idempotency-Key the registration shares the key's transaction; without, the registrar batches.
        const keyed = typeof request.headers['idempotency-key'] === 'string';
        if (!/^[A-Za-z0-9+/]*={0,2}$/.test(document.contentBase64)) {
          throw new DomainError('validation_failed', 'document.contentBase64 is not base64', {
            field: 'document.contentBase64',
          });
        }
        const outcome = await registerDocument(
          { ...deps, store },
          keyed ? undefined : registrar,
          {
            aooCode: request.params.aoo,
            subject,
            correspondents,
            fileName: document.fileName,
            content: Buffer.from(document.contentBase64, 'base64'),
          },
          actorOf(request),
        );
        return presentRegistration(outcome.registration);
      }),
  );
  app.get(
    '/protocol/registrations/:id/segnatura.xml',
    {
      schema: {
        tags: ['Protocol'],
        summary: 'The signed segnatura XML of a registration',
        security,
        params: IdParams,
        response: { 200: Type.Unknown(), ...errors(401, 404) },
      },
    },
    async (request, reply) => {
      const r = await getRegistration(deps, request.params.id, actorOf(request));
      return reply.type('application/xml; charset=utf-8').send(r.segnaturaXml);
    },
  );
  app.post(
    '/protocol/registrations/:id/annulment',
    {
      schema: {
        tags: ['Protocol'],
        summary: 'Annul a registration: it stays visible with date, operator and authorising measure',
        security,
        params: IdParams,
        body: Type.Object(
          {
            measure: Type.String({ minLength: 1, maxLength: 500 }),
            reason: Type.String({ minLength: 1, maxLength: 2000 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: RegistrationView, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) =>
      presentRegistration(
        await annulRegistration(
          deps,
          { registrationId: request.params.id, ...request.body },
          actorOf(request),
        ),
      ),
  );
  app.get(
    '/protocol/:aoo/daily-registers/:date',
    {
      schema: {
        tags: ['Protocol'],
        summary: 'The daily register: JSON (with its SHA-256 in X-Content-SHA256) or PDF (?format=pdf)',
        security,
        params: Type.Object({ aoo: Type.String({ pattern: '^[A-Za-z0-9_]{1,16}$' }), date: IsoDate }),
        querystring: Type.Object(
          { format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('pdf')])) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Unknown(), ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const out = await dailyRegister(
        deps,
        { aooCode: request.params.aoo, date: request.params.date },
        actorOf(request),
      );
      reply.header('x-content-sha256', out.sha256);
      if (request.query.format === 'pdf') return reply.type('application/pdf').send(out.pdf);
      return reply.type('application/json; charset=utf-8').send(out.json);
    },
  );

  // Certified e-mail receipts (inbound channel over HTTP) and the outbox
  app.post(
    '/pec-receipts',
    {
      schema: {
        tags: ['Notices'],
        summary:
          'Inbound channel for PEC receipts: the raw message (message/rfc822, at most 4 MB); kept even when not matched; it changes a delivery state only when its S/MIME signature verifies and daticert.xml backs it',
        security,
        consumes: ['message/rfc822'],
        response: {
          201: Type.Object({
            matched: Type.Boolean(),
            duplicate: Type.Boolean({ description: 'The same receipt was received before (kept once)' }),
            kind: Type.String(),
            conformant: Type.Boolean(),
            problems: Type.Array(Type.String()),
            state: Nullable(
              Type.String({ description: "The recipient's delivery state after this receipt" }),
            ),
            status: Type.Union([Type.Literal('applied'), Type.Literal('review')], {
              description: 'applied, or kept for review (it changed nothing)',
            }),
            signer: Nullable(Type.String({ description: 'The PEC provider whose signature verified' })),
            reviewReasons: Type.Array(Type.String()),
          }),
          ...errors(400, 401, 403, 413),
        },
      },
      bodyLimit: MAX_PEC_RECEIPT_BYTES,
    },
    async (request, reply) => {
      const raw = Buffer.isBuffer(request.body)
        ? request.body
        : Buffer.from(typeof request.body === 'string' ? request.body : '');
      if (raw.length === 0)
        throw new DomainError('validation_failed', 'send the raw receipt message as the body', {
          field: 'body',
        });
      const parsed = await deps.pecReceipts.read(raw, deps.clock.now());
      if (parsed.refused) {
        throw new DomainError('payload_too_large', parsed.refused, { field: 'body', reason: 'xml_limit' });
      }
      const result = await receivePecReceipt(deps, { raw, parsed }, actorOf(request));
      return reply.status(201).send({
        matched: result.matched,
        duplicate: result.duplicate,
        kind: parsed.kind,
        conformant: parsed.conformant,
        problems: parsed.problems,
        state: result.state,
        status: result.status,
        signer: parsed.signature.signer,
        reviewReasons: result.reviewReasons,
      });
    },
  );
  app.get(
    '/pec-receipts',
    {
      schema: {
        tags: ['Notices'],
        summary:
          'Receipts received, newest first; ?unmatched=true for those no message claims, ?status=review for those kept for review; a regional officer sees those of their section and those they posted',
        security,
        querystring: Type.Object(
          {
            unmatched: Type.Boolean({ default: false }),
            status: Type.Optional(Type.Union([Type.Literal('applied'), Type.Literal('review')])),
            limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
            offset: Offset,
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                id: Type.String(),
                kind: Type.String(),
                referenceMessageId: Nullable(Type.String()),
                recipient: Nullable(Type.String()),
                conformant: Type.Boolean(),
                problems: Type.Array(Type.String()),
                receivedAt: DateTime,
                relayId: Nullable(Type.String()),
                address: Nullable(Type.String()),
                status: Type.Union([Type.Literal('applied'), Type.Literal('review')]),
                signer: Nullable(Type.String()),
              }),
            ),
          }),
          ...errors(400, 401, 403),
        },
      },
    },
    async (request) => {
      const staff = requireRole(actorOf(request), 'authority_staff', 'admin', 'regional_staff');
      const items = await deps.store.notices.listPecReceipts({
        ...request.query,
        scope: receiptScope(staff),
      });
      return {
        items: items.map(({ outboxId: _o, ...r }) => ({ ...r, receivedAt: r.receivedAt.toISOString() })),
      };
    },
  );
  app.get(
    '/pec-receipts/:id/message.eml',
    {
      schema: {
        tags: ['Notices'],
        summary: 'A receipt exactly as it was received',
        security,
        params: IdParams,
        produces: ['message/rfc822'],
        response: { 200: Type.Unknown(), ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const staff = requireRole(actorOf(request), 'authority_staff', 'admin', 'regional_staff');
      const raw = await deps.store.notices.pecReceiptRaw(request.params.id, receiptScope(staff));
      if (!raw) throw new DomainError('not_found', 'receipt not found');
      return reply.type('message/rfc822').send(raw);
    },
  );

  app.get(
    '/outbox',
    {
      schema: {
        tags: ['Notices'],
        summary: 'Outgoing messages, newest first; without SMTP each links to the .eml file written (staff)',
        security,
        querystring: Type.Object(
          {
            state: Type.Optional(
              Type.Union(
                ['queued', 'sending', 'accepted', 'delivered', 'failed'].map((k) => Type.Literal(k)),
              ),
            ),
            kind: Type.Optional(
              Type.Union(['relay', 'notification', 'confirmation'].map((k) => Type.Literal(k))),
            ),
            limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
            offset: Offset,
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(OutboxView) }), ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const { state, kind, limit, offset } = request.query;
      const items = await listOutbox(
        deps,
        {
          state: state as OutboxMessage['state'] | undefined,
          kind: kind as OutboxMessage['kind'] | undefined,
          limit,
          offset,
        },
        actorOf(request),
      );
      return {
        items: items.map((m) => ({
          id: m.id,
          kind: m.kind,
          channel: m.channel,
          relayId: m.relayId,
          recipient: m.recipientName,
          address: m.address,
          subject: m.subject,
          messageId: m.messageId,
          state: m.state,
          attempts: m.attempts,
          lastError: m.lastError,
          createdAt: m.createdAt.toISOString(),
          eml:
            mailDir &&
            m.channel === 'email' &&
            bodyIsServed(m) &&
            existsSync(join(mailDir, emlFileName(m.messageId)))
              ? `${linkBase()}/api/v1/outbox/${m.id}/message.eml`
              : null,
        })),
      };
    },
  );
  app.get(
    '/outbox/:id/message.eml',
    {
      schema: {
        tags: ['Notices'],
        summary: 'A message as the embedded mailer wrote it (message/rfc822)',
        security,
        params: IdParams,
        produces: ['message/rfc822'],
        response: { 200: Type.Unknown(), ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const message = await getOutboxMessage(deps, request.params.id, actorOf(request));
      const file = mailDir ? join(mailDir, emlFileName(message.messageId)) : null;
      if (!file || !existsSync(file))
        throw new DomainError('not_found', 'no .eml file for this message (sent by SMTP, or not sent yet)');
      return reply.type('message/rfc822').send(readFileSync(file));
    },
  );

  // Subscriptions to service notifications
  app.post(
    '/subscriptions',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['Notices'],
        summary: 'Subscribe to service notifications: e-mail (double opt-in) or signed webhook',
        body: Type.Object(
          {
            channel: Type.Union([Type.Literal('email'), Type.Literal('webhook')]),
            address: Type.String({ minLength: 3, maxLength: 2000 }),
            services: Type.Array(ServiceCode, { minItems: 1, maxItems: 6 }),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            id: Type.String(),
            state: Type.String(),
            secret: Nullable(Type.String({ description: 'Webhooks: the HMAC-SHA256 secret, shown once' })),
            cancellationToken: Nullable(Type.String()),
          }),
          ...errors(400),
        },
      },
    },
    async (request, reply) => {
      const { subscription, token, secret } = await subscribe(deps, {
        ...request.body,
        linkBase: linkBase(),
        allowLocalReceivers: webhookLocalReceivers,
        isPublicHost: webhookHostIsPublic,
      });
      return reply.status(201).send({
        id: subscription.id,
        state: subscription.state,
        secret,
        cancellationToken: subscription.channel === 'webhook' ? token : null,
      });
    },
  );
  for (const [path, cancel] of [
    ['/subscriptions/confirmation', false],
    ['/subscriptions/cancellation', true],
  ] as const) {
    app.get(
      path,
      {
        config: { auth: 'public' },
        schema: {
          tags: ['Notices'],
          summary: cancel
            ? 'Cancel a subscription (link in the confirmation message; webhooks: the cancellationToken)'
            : 'Confirm an e-mail subscription (link in the confirmation message)',
          querystring: Type.Object(
            { token: Type.String({ minLength: 10, maxLength: 100 }) },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({ state: Type.String(), message: Type.String() }),
            ...errors(400, 404, 409),
          },
        },
      },
      async (request) => {
        const s = await confirmSubscription(deps, request.query.token, cancel);
        return {
          state: s.state,
          message: cancel
            ? 'Iscrizione annullata.'
            : 'Iscrizione confermata: riceverai gli avvisi sullo stato dei servizi.',
        };
      },
    );
  }
};

/** The Atom feed of the comunicati (/comunicati/feed.atom); the HTML archive is the portal's. */
export const noticeFeed: FastifyPluginAsyncTypebox<{ deps: ServiceDeps; baseUrl: () => string }> = async (
  app,
  { deps, baseUrl },
) => {
  app.get(
    '/comunicati/feed.atom',
    { config: { auth: 'public' }, schema: { hide: true } },
    async (_request, reply) =>
      reply.type('application/atom+xml; charset=utf-8').send(
        renderNoticeFeed(await listNotices(deps, { limit: 50, offset: 0 }), {
          baseUrl: baseUrl(),
          now: deps.clock.now(),
        }),
      ),
  );
};

/** A regional officer's view of the receipts: their section's messages and what they posted. */
function receiptScope(staff: UserActor): PecReceiptScope | undefined {
  return staff.role === 'regional_staff'
    ? { sectionCode: staff.regionalSectionCode ?? '', userId: staff.userId }
    : undefined;
}

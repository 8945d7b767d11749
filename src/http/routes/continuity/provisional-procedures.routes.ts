import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { PROVISIONAL_REFERENCE_PATTERN, serviceCodes } from '../../../domain/continuity/continuity-rules.js';
import { serviceStateLabels } from '../../../domain/continuity/status-view.js';
import { formatDateIt, formatDateTimeIt } from '../../../domain/shared/dates.js';
import { formatAmount } from '../../../domain/shared/money.js';
import { DomainError } from '../../../domain/shared/errors.js';
import { requireRole, type ServiceDeps } from '../../../services/context.js';
import { daysLeft } from '../../../services/continuity/provisional.js';
import { getProvisional } from '../../../services/continuity/get-provisional.js';
import { listProvisional } from '../../../services/continuity/list-provisional.js';
import { lotReserves } from '../../../services/continuity/lot-reserves.js';
import { myReminders } from '../../../services/continuity/my-reminders.js';
import { outageAffectedLots } from '../../../services/continuity/outage-affected-lots.js';
import { recordReserve } from '../../../services/continuity/record-reserve.js';
import { registerUrgentProcedure } from '../../../services/continuity/register-urgent-procedure.js';
import {
  regulariseProcedure,
  type RegularisationRecord,
} from '../../../services/continuity/regularise-procedure.js';
import { getIncident, openIncident, updateIncident } from '../../../services/continuity/incidents.js';
import { cancelMaintenance, scheduleMaintenance } from '../../../services/continuity/maintenance.js';
import type { ProvisionalProcedure, Reserve } from '../../../services/continuity/ports.js';
import { presentIncident } from '../../../services/continuity/status.js';
import type { StatusMonitor } from '../../../services/status/status-monitor.js';
import { renderStatusFeed } from '../../status/status-feed.js';
import { renderStatusPage } from '../../status/status-page.js';
import { DateTime, IdempotencyHeaders, IsoDate, Nullable, errors } from '../../common.schemas.js';
import { PROBLEM_TYPE_BASE } from '../../problem.js';
import { actorOf, sendCreated } from '../../request-context.js';
import { CigParams, LotBody } from '../tenders.schemas.js';

const security = [{ bearer: [] }];
const ServiceCode = Type.Union(serviceCodes.map((c) => Type.Literal(c)));
const IncidentState = Type.Union(
  ['investigating', 'identified', 'monitoring', 'resolved'].map((s) => Type.Literal(s)),
);
const Impact = Type.Union(['degraded', 'partial_outage', 'major_outage'].map((s) => Type.Literal(s)));
const ReferenceParams = Type.Object({
  reference: Type.String({
    pattern: PROVISIONAL_REFERENCE_PATTERN,
    description: 'Provisional reference, e.g. PROV-2021-000123',
  }),
});

const IncidentView = Type.Object({
  id: Type.String(),
  code: Type.String(),
  title: Type.String(),
  impact: Type.String(),
  state: Type.String(),
  services: Type.Array(Type.String()),
  startedAt: DateTime,
  resolvedAt: Nullable(DateTime),
  source: Type.String(),
  updates: Type.Array(Type.Object({ at: DateTime, state: Type.String(), message: Type.String() })),
});

const ProvisionalView = Type.Object({
  reference: Type.String(),
  wording: Type.String({ description: 'What to print in the tender documents' }),
  state: Type.Union([Type.Literal('pending'), Type.Literal('regularised')]),
  contractingAuthority: Type.Object({ id: Type.String(), name: Type.String() }),
  object: Type.String(),
  procedureType: Type.String(),
  urgencyReason: Type.String(),
  motivation: Type.String(),
  incident: Type.String(),
  registeredAt: DateTime,
  regularisationDeadline: Type.String(),
  daysLeft: Type.Integer(),
  regularisedAt: Nullable(DateTime),
  tenderNumber: Nullable(Type.String()),
  lots: Type.Array(
    Type.Object({
      lotNumber: Type.Integer(),
      object: Type.String(),
      amount: Type.String(),
      publicationDate: Nullable(Type.String()),
      invitationDate: Nullable(Type.String()),
      bidDeadline: DateTime,
      cig: Nullable(Type.String()),
    }),
  ),
});

const ReserveView = Type.Object({
  id: Type.String(),
  cig: Type.String(),
  fiscalCode: Type.String(),
  bidderName: Type.String(),
  incident: Type.String(),
  state: Type.Union([Type.Literal('open'), Type.Literal('lifted'), Type.Literal('expired')]),
  deadline: Type.String(),
  note: Nullable(Type.String()),
  recordedAt: DateTime,
  liftedAt: Nullable(DateTime),
  liftedByReceipt: Nullable(Type.String()),
  expiredAt: Nullable(DateTime),
});

const RecordView = Type.Object({
  reference: Type.String(),
  tenderNumber: Type.String(),
  regularisedAt: DateTime,
  incident: Type.Object({
    code: Type.String(),
    title: Type.String(),
    startedAt: DateTime,
    resolvedAt: Nullable(DateTime),
  }),
  lots: Type.Array(
    Type.Object({
      lotNumber: Type.Integer(),
      cig: Type.String(),
      publicationDate: Nullable(Type.String()),
      invitationDate: Nullable(Type.String()),
      bidDeadline: DateTime,
      acquiredAt: DateTime,
      publicationInsideOutage: Type.Boolean(),
    }),
  ),
  text: Type.String({ description: 'The record in Italian, for the tender file' }),
});

export const PENDING_CIG_WORDING = 'CIG in fase di acquisizione';

export const continuityRoutes: FastifyPluginAsyncTypebox<{
  deps: ServiceDeps;
  monitor: StatusMonitor;
}> = async (app, { deps, monitor }) => {
  const presentProvisional = (p: ProvisionalProcedure) => ({
    reference: p.reference,
    wording: `${PENDING_CIG_WORDING} (riferimento provvisorio ${p.reference})`,
    state: p.state,
    contractingAuthority: { id: p.contractingAuthorityId, name: p.contractingAuthorityName },
    object: p.object,
    procedureType: p.procedureTypeCode,
    urgencyReason: p.urgencyReasonCode,
    motivation: p.motivation,
    incident: p.incidentCode,
    registeredAt: p.registeredAt.toISOString(),
    regularisationDeadline: p.regularisationDeadline,
    daysLeft: daysLeft(p, deps.clock.now()),
    regularisedAt: p.regularisedAt?.toISOString() ?? null,
    tenderNumber: p.tenderNumber === null ? null : String(p.tenderNumber),
    lots: p.lots.map((l) => ({
      lotNumber: l.lotNumber,
      object: l.object,
      amount: formatAmount(l.amountCents),
      publicationDate: l.publicationDate,
      invitationDate: l.invitationDate,
      bidDeadline: l.bidDeadline.toISOString(),
      cig: l.cig,
    })),
  });
  const presentReserve = (r: Reserve) => ({
    id: r.id,
    cig: r.cig,
    fiscalCode: r.fiscalCode,
    bidderName: r.bidderName,
    incident: r.incidentCode,
    state: r.state,
    deadline: r.deadline,
    note: r.note,
    recordedAt: r.recordedAt.toISOString(),
    liftedAt: r.liftedAt?.toISOString() ?? null,
    liftedByReceipt: r.liftedByReceipt,
    expiredAt: r.expiredAt?.toISOString() ?? null,
  });
  const presentRecord = (r: RegularisationRecord) => ({
    reference: r.reference,
    tenderNumber: String(r.tenderNumber),
    regularisedAt: r.regularisedAt.toISOString(),
    incident: {
      code: r.incident.code,
      title: r.incident.title,
      startedAt: r.incident.startedAt.toISOString(),
      resolvedAt: r.incident.resolvedAt?.toISOString() ?? null,
    },
    lots: r.lots.map((l) => ({
      ...l,
      bidDeadline: l.bidDeadline.toISOString(),
      acquiredAt: l.acquiredAt.toISOString(),
    })),
    text: recordText(r),
  });
  // The status view is rebuilt from the whole database: after the change's transaction, never inside it.
  const refreshStatus = { afterCommit: () => monitor.refresh() };

  app.get(
    '/status',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['Status'],
        summary:
          'Status of the services: current state, incidents with their timeline, maintenance (history: /status/history)',
        response: {
          200: Type.Unknown({ description: 'StatusView (see src/domain/continuity/status-view.ts)' }),
        },
      },
    },
    async (_request, reply) =>
      reply
        .type('application/json; charset=utf-8')
        .header('cache-control', 'no-cache')
        .send(monitor.currentJson('summary')),
  );

  app.get(
    '/status/history',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['Status'],
        summary: 'The last 90 days per service: worst state of each day and the incidents that touched it',
        response: {
          200: Type.Unknown({
            description: '{ generatedAt, stale, services: [{ code, name, history: DayStatus[] }] }',
          }),
        },
      },
    },
    async (_request, reply) =>
      reply
        .type('application/json; charset=utf-8')
        .header('cache-control', 'no-cache')
        .send(monitor.currentJson('history')),
  );

  app.get(
    '/incidents/:code',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['Status'],
        summary: 'An incident and its timeline',
        params: Type.Object({ code: Type.String({ maxLength: 64 }) }),
        response: { 200: IncidentView, ...errors(404) },
      },
    },
    async (request) => presentIncident(await getIncident(deps, request.params.code)),
  );

  app.post(
    '/incidents',
    {
      schema: {
        tags: ['Status'],
        summary: 'Open an incident (staff): the start of an outage window',
        security,
        headers: IdempotencyHeaders,
        body: Type.Object(
          {
            title: Type.String({ minLength: 1, maxLength: 200 }),
            impact: Impact,
            services: Type.Array(ServiceCode, { minItems: 1, maxItems: 6 }),
            startedAt: Type.Optional(DateTime),
            message: Type.String({
              minLength: 1,
              maxLength: 4000,
              description: 'First update, in Italian',
            }),
          },
          { additionalProperties: false },
        ),
        response: { 201: IncidentView, ...errors(400, 401, 403, 409) },
      },
    },
    async (request, reply) =>
      sendCreated(
        deps,
        request,
        reply,
        async (store) =>
          presentIncident(
            await openIncident(
              { ...deps, store },
              {
                ...request.body,
                impact: request.body.impact as never,
                startedAt: request.body.startedAt ? new Date(request.body.startedAt) : undefined,
              },
              actorOf(request),
            ),
          ),
        refreshStatus,
      ),
  );

  app.post(
    '/incidents/:code/updates',
    {
      schema: {
        tags: ['Status'],
        summary: 'Add an update to an incident (investigating -> identified -> monitoring -> resolved)',
        security,
        headers: IdempotencyHeaders,
        params: Type.Object({ code: Type.String({ maxLength: 64 }) }),
        body: Type.Object(
          {
            state: IncidentState,
            message: Type.String({ minLength: 1, maxLength: 4000 }),
            impact: Type.Optional(Impact),
            services: Type.Optional(Type.Array(ServiceCode, { minItems: 1, maxItems: 6 })),
            resolvedAt: Type.Optional(DateTime),
          },
          { additionalProperties: false },
        ),
        response: { 200: IncidentView, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) =>
      sendCreated(
        deps,
        request,
        reply,
        async (store) =>
          presentIncident(
            await updateIncident(
              { ...deps, store },
              {
                incident: request.params.code,
                state: request.body.state as never,
                message: request.body.message,
                impact: request.body.impact as never,
                services: request.body.services,
                resolvedAt: request.body.resolvedAt ? new Date(request.body.resolvedAt) : undefined,
              },
              actorOf(request),
            ),
          ),
        { ...refreshStatus, statusCode: 200 },
      ),
  );

  app.post(
    '/maintenances',
    {
      schema: {
        tags: ['Status'],
        summary: 'Schedule maintenance (staff); it starts and ends on time by itself',
        security,
        headers: IdempotencyHeaders,
        body: Type.Object(
          {
            title: Type.String({ minLength: 1, maxLength: 200 }),
            description: Type.String({ maxLength: 4000 }),
            services: Type.Array(ServiceCode, { minItems: 1, maxItems: 6 }),
            startsAt: DateTime,
            endsAt: DateTime,
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            id: Type.String(),
            title: Type.String(),
            startsAt: DateTime,
            endsAt: DateTime,
            services: Type.Array(Type.String()),
          }),
          ...errors(400, 401, 403),
        },
      },
    },
    async (request, reply) =>
      sendCreated(
        deps,
        request,
        reply,
        async (store) => {
          const m = await scheduleMaintenance(
            { ...deps, store },
            {
              ...request.body,
              startsAt: new Date(request.body.startsAt),
              endsAt: new Date(request.body.endsAt),
            },
            actorOf(request),
          );
          return {
            id: m.id,
            title: m.title,
            startsAt: m.startsAt.toISOString(),
            endsAt: m.endsAt.toISOString(),
            services: m.services,
          };
        },
        refreshStatus,
      ),
  );

  app.post(
    '/maintenances/:id/cancellation',
    {
      schema: {
        tags: ['Status'],
        summary: 'Cancel a maintenance that has not started (staff)',
        security,
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: { 200: Type.Object({ cancelled: Type.Boolean() }), ...errors(401, 403, 404, 409) },
      },
    },
    async (request) => {
      await cancelMaintenance(deps, request.params.id, actorOf(request));
      await monitor.refresh();
      return { cancelled: true };
    },
  );

  // ---- Contingency procedures -------------------------------------------------------------
  app.post(
    '/provisional-procedures',
    {
      schema: {
        tags: ['Continuity'],
        summary:
          'During an outage of CIG issuance, register an urgent procedure and get a provisional reference (RUP)',
        security,
        headers: IdempotencyHeaders,
        body: Type.Object(
          {
            object: Type.String({ minLength: 1, maxLength: 1024 }),
            procedureType: Type.String({ pattern: '^[0-9]{1,3}$' }),
            sector: Type.Union([Type.Literal('ordinary'), Type.Literal('special')]),
            contractObject: Type.Union([
              Type.Literal('works'),
              Type.Literal('supplies'),
              Type.Literal('services'),
            ]),
            urgencyReason: Type.String({
              pattern: '^[0-9]{1,3}$',
              description: 'Code of the motivoUrgenza list',
            }),
            motivation: Type.String({ minLength: 10, maxLength: 4000 }),
            lots: Type.Array(
              Type.Object(
                {
                  ...LotBody.properties,
                  publicationDate: Type.Optional(IsoDate),
                  invitationDate: Type.Optional(IsoDate),
                  bidDeadline: DateTime,
                },
                { additionalProperties: false },
              ),
              { minItems: 1, maxItems: 200 },
            ),
          },
          { additionalProperties: false },
        ),
        response: { 201: ProvisionalView, ...errors(400, 401, 403, 409, 422) },
      },
    },
    async (request, reply) =>
      sendCreated(deps, request, reply, async (store) =>
        presentProvisional(
          await registerUrgentProcedure(
            { ...deps, store },
            {
              ...request.body,
              lots: request.body.lots.map((l) => ({ ...l, bidDeadline: new Date(l.bidDeadline) })),
            },
            actorOf(request),
          ),
        ),
      ),
  );

  app.get(
    '/provisional-procedures',
    {
      schema: {
        tags: ['Continuity'],
        summary:
          'Provisional procedures (a RUP: own; regional staff: their region; staff: all), soonest deadline first',
        security,
        querystring: Type.Object(
          {
            state: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('regularised')])),
            overdue: Type.Optional(Type.Boolean()),
            regionalSection: Type.Optional(Type.String({ pattern: '^[A-Z]{2,3}$' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(ProvisionalView) }), ...errors(400, 401, 403) },
      },
    },
    async (request) => ({
      items: (await listProvisional(deps, request.query, actorOf(request))).map(presentProvisional),
    }),
  );

  app.get(
    '/provisional-procedures/:reference',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['Continuity'],
        summary:
          'Verify a provisional reference (public): the procedure, its lots and, once regularised, their CIGs',
        params: ReferenceParams,
        response: { 200: ProvisionalView, ...errors(400, 404) },
      },
    },
    async (request) => presentProvisional(await getProvisional(deps, request.params.reference)),
  );

  app.post(
    '/provisional-procedures/:reference/regularisation',
    {
      schema: {
        tags: ['Continuity'],
        summary:
          'Regularise: bind real CIGs to the lots, record the original publication data (RUP); safe to retry',
        security,
        params: ReferenceParams,
        response: { 200: RecordView, ...errors(401, 403, 404, 409) },
      },
    },
    async (request) =>
      presentRecord(
        (await regulariseProcedure(deps, { reference: request.params.reference }, actorOf(request))).record,
      ),
  );

  app.get(
    '/provisional-procedures/:reference/regularisation-record',
    {
      schema: {
        tags: ['Continuity'],
        summary: 'The regularisation record for the tender file',
        security,
        params: ReferenceParams,
        response: { 200: RecordView, ...errors(401, 404, 409) },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const p = await getProvisional(deps, request.params.reference);
      if (actor.role === 'rup' && actor.contractingAuthorityId !== p.contractingAuthorityId) {
        throw new DomainError('not_found', `provisional reference ${p.reference} not found`);
      }
      if (p.state !== 'regularised')
        throw new DomainError('invalid_state', `${p.reference} is not regularised yet`, {
          reason: 'not_regularised',
        });
      return presentRecord(
        (
          await regulariseProcedure(
            deps,
            { reference: p.reference },
            actor.role === 'rup' ? actor : { kind: 'system', job: 'record' },
          )
        ).record,
      );
    },
  );

  // ---- Reserves -----------------------------------------------------------------------------
  app.post(
    '/lots/:cig/reserves',
    {
      schema: {
        tags: ['Continuity'],
        summary:
          'Record a bidder admitted "con riserva" because paying was impossible during an incident (RUP)',
        security,
        headers: IdempotencyHeaders,
        params: CigParams,
        body: Type.Object(
          {
            fiscalCode: Type.String({ pattern: '^([0-9]{11}|[A-Za-z0-9]{16})$' }),
            bidderName: Type.String({ minLength: 1, maxLength: 500 }),
            note: Type.Optional(Type.String({ maxLength: 2000 })),
            incident: Type.Optional(Type.String({ maxLength: 64 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: ReserveView, ...errors(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) =>
      sendCreated(deps, request, reply, async (store) =>
        presentReserve(
          await recordReserve(
            { ...deps, store },
            { cig: request.params.cig, ...request.body },
            actorOf(request),
          ),
        ),
      ),
  );

  app.get(
    '/lots/:cig/reserves',
    {
      schema: {
        tags: ['Continuity'],
        summary: 'Reserves of a lot: open, lifted (by a receipt), expired',
        security,
        params: CigParams,
        response: { 200: Type.Object({ items: Type.Array(ReserveView) }), ...errors(401, 404) },
      },
    },
    async (request) => ({
      items: (await lotReserves(deps, request.params.cig, actorOf(request))).map(presentReserve),
    }),
  );

  app.get(
    '/reminders',
    {
      schema: {
        tags: ['Continuity'],
        summary: 'My reminders (e.g. provisional procedures to regularise), newest first',
        security,
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                subjectType: Type.String(),
                subjectId: Type.String(),
                day: Type.String(),
                message: Type.String(),
                createdAt: DateTime,
              }),
            ),
          }),
          ...errors(401),
        },
      },
    },
    async (request) => ({
      items: (await myReminders(deps, actorOf(request))).map((r) => ({
        subjectType: r.subjectType,
        subjectId: r.subjectId,
        day: r.day,
        message: r.message,
        createdAt: r.createdAt.toISOString(),
      })),
    }),
  );

  app.get(
    '/outage-affected-lots',
    {
      schema: {
        tags: ['Continuity'],
        summary:
          "A RUP's lots whose bid deadline or payment window fell inside an outage (d.lgs. 36/2023 art. 25 c.2)",
        security,
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                cig: Type.String(),
                tenderNumber: Type.String(),
                object: Type.String(),
                publicationDate: Nullable(Type.String()),
                bidDeadline: DateTime,
                reasons: Type.Array(
                  Type.Object({
                    kind: Type.String(),
                    incident: Type.String(),
                    start: DateTime,
                    end: Nullable(DateTime),
                  }),
                ),
              }),
            ),
          }),
          ...errors(401, 403),
        },
      },
    },
    async (request) => ({
      items: (await outageAffectedLots(deps, actorOf(request))).map((a) => ({
        ...a,
        tenderNumber: String(a.tenderNumber),
        bidDeadline: a.bidDeadline.toISOString(),
        reasons: a.reasons.map((r) => ({
          ...r,
          start: r.start.toISOString(),
          end: r.end?.toISOString() ?? null,
        })),
      })),
    }),
  );

  app.get(
    '/regional-sections/:code/overdue-regularisations',
    {
      schema: {
        tags: ['Continuity'],
        summary: "A regional section's overdue regularisations (its staff, Authority staff)",
        security,
        params: Type.Object({ code: Type.String({ pattern: '^[A-Z]{2,3}$' }) }),
        response: { 200: Type.Object({ items: Type.Array(ProvisionalView) }), ...errors(401, 403) },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const user = requireRole(actor, 'regional_staff', 'authority_staff', 'admin');
      if (user.role === 'regional_staff' && user.regionalSectionCode !== request.params.code) {
        throw new DomainError('forbidden', 'regional staff see their own section only');
      }
      return {
        items: (
          await listProvisional(deps, { overdue: true, regionalSection: request.params.code }, actor)
        ).map(presentProvisional),
      };
    },
  );
};

/** The public status endpoints at the root: /status (AgID style), /stato (page), the Atom feed. */
export const statusRoutes: FastifyPluginAsyncTypebox<{
  monitor: StatusMonitor;
  baseUrl: () => string;
}> = async (app, { monitor, baseUrl }) => {
  // ---- Public status ----------------------------------------------------------------------------
  app.get('/status', { config: { auth: 'public' }, schema: { hide: true } }, async (_request, reply) => {
    const view = monitor.current();
    const down = view.services.filter((s) => s.state !== 'operational');
    reply.type('application/problem+json').header('cache-control', 'no-store');
    if (down.length === 0 && view.database === 'reachable') {
      return reply.status(200).send({
        type: 'about:blank',
        title: 'Servizi operativi',
        status: 200,
        detail: 'Tutti i servizi sono operativi.',
      });
    }
    return reply
      .status(503)
      .header('retry-after', '30')
      .send({
        type: `${PROBLEM_TYPE_BASE}service_unavailable`,
        title: 'Servizi non disponibili o degradati',
        status: 503,
        detail:
          down.map((s) => `${s.name}: ${serviceStateLabels[s.state]}`).join('; ') ||
          'La base dati non risponde: lo stato mostrato è l’ultimo registrato.',
        services: down.map((s) => ({ code: s.code, state: s.state })),
        database: view.database,
      });
  });
  app.get('/stato', { config: { auth: 'public' }, schema: { hide: true } }, async (_request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .send(renderStatusPage(monitor.current(), { baseUrl: baseUrl() })),
  );
  app.get(
    '/status/feed.atom',
    { config: { auth: 'public' }, schema: { hide: true } },
    async (_request, reply) =>
      reply
        .type('application/atom+xml; charset=utf-8')
        .send(renderStatusFeed(monitor.current(), { baseUrl: baseUrl() })),
  );
};

/** The regularisation record in Italian, for the tender file (dates dd/MM/yyyy, times HH:mm, Rome). */
function recordText(r: RegularisationRecord): string {
  const when = formatDateTimeIt;
  const lines = [
    `VERBALE DI REGOLARIZZAZIONE - riferimento provvisorio ${r.reference}`,
    '',
    `La procedura registrata con riferimento provvisorio ${r.reference} ("${PENDING_CIG_WORDING}") durante l'incidente ${r.incident.code} ` +
      `"${r.incident.title}" (dal ${when(r.incident.startedAt)}${r.incident.resolvedAt ? ` al ${when(r.incident.resolvedAt)}` : ', in corso'}) ` +
      `è stata regolarizzata il ${when(r.regularisedAt)} con la gara n. ${r.tenderNumber}.`,
    '',
    ...r.lots.map((l) => {
      const start = l.invitationDate
        ? `lettera di invito del ${formatDateIt(l.invitationDate)}`
        : `pubblicazione del ${formatDateIt(l.publicationDate ?? '')}`;
      return (
        `Lotto ${l.lotNumber}: CIG ${l.cig} acquisito il ${when(l.acquiredAt)}; ${start}` +
        `${l.publicationInsideOutage ? " (durante l'interruzione registrata: accettata)" : ''}; termine offerte ${when(l.bidDeadline)}.`
      );
    }),
  ];
  return lines.join('\n');
}

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ServiceDeps } from '../../../services/context.js';
import { getRelayLetter } from '../../../services/notices/get-relay-letter.js';
import { getRelayReport } from '../../../services/notices/get-relay-report.js';
import { relayNotice } from '../../../services/notices/relay-notice.js';
import { getRelay } from '../../../services/notices/get-relay.js';
import { retryFailedRecipients } from '../../../services/notices/retry-failed-recipients.js';
import { IdempotencyHeaders, errors } from '../../common.schemas.js';
import { relayReportCsv } from '../../relay-report.js';
import { actorOf, sendCreated } from '../../request-context.js';
import { IdParams, security } from './notices.schemas.js';
import {
  presentRecipient,
  presentRelay,
  RecipientView,
  RelayBody,
  RelayView,
  ReportQuery,
} from './relays.schemas.js';

/** Relays of a comunicato to the RUPs of a section: letter, protocol, e-mails, delivery report. */
export const relaysRoutes: FastifyPluginAsyncTypebox<{ deps: ServiceDeps }> = async (app, { deps }) => {
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
        body: RelayBody,
        response: { 201: RelayView, ...errors(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) =>
      sendCreated(deps, request, reply, async (store) => {
        const actor = actorOf(request);
        const outcome = await relayNotice(
          { ...deps, store },
          { noticeId: request.params.id, contractingAuthorityIds: request.body.contractingAuthorityIds },
          actor,
        );
        // Read in the relay's transaction: every message is still queued.
        const status = await getRelay({ store }, outcome.relay.id, actor);
        return { ...presentRelay(status), recipients: outcome.recipients, done: false };
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
    async (request) => presentRelay(await getRelay(deps, request.params.id, actorOf(request))),
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
    async (request, reply) =>
      reply
        .type('application/pdf')
        .send((await getRelayLetter(deps, request.params.id, actorOf(request))).pdf),
  );
  app.get(
    '/relays/:id/report',
    {
      schema: {
        tags: ['Notices'],
        summary: 'Per-recipient delivery report (JSON, or CSV with ?format=csv)',
        security,
        params: IdParams,
        querystring: ReportQuery,
        response: {
          200: Type.Object({ relay: RelayView, recipients: Type.Array(RecipientView) }),
          ...errors(401, 404),
        },
      },
    },
    async (request, reply) => {
      const { status, recipients } = await getRelayReport(deps, request.params.id, actorOf(request));
      if (request.query.format === 'csv')
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="relay-${status.relay.id}.csv"`)
          .send(relayReportCsv(recipients) as never);
      return { relay: presentRelay(status), recipients: recipients.map(presentRecipient) };
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
    async (request) => ({
      retried: await retryFailedRecipients(deps, request.params.id, actorOf(request)),
    }),
  );
};

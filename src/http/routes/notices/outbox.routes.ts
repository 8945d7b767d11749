import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ServiceDeps } from '../../../services/context.js';
import { getOutboxEml } from '../../../services/notices/get-outbox-eml.js';
import { listOutboxMessages } from '../../../services/notices/list-outbox-messages.js';
import type { OutboxMessage, SentMessageFiles } from '../../../services/notices/ports.js';
import { errors } from '../../common.schemas.js';
import { actorOf } from '../../request-context.js';
import { IdParams, security } from './notices.schemas.js';
import { OutboxQuery, OutboxView, presentOutboxMessage } from './outbox.schemas.js';

/** Outgoing messages (staff), and each one as the embedded mailer wrote it. */
export const outboxRoutes: FastifyPluginAsyncTypebox<{
  deps: ServiceDeps;
  linkBase: () => string;
  /** The .eml files of the embedded mailer; null when mail goes out by SMTP. */
  sentMail: SentMessageFiles | null;
}> = async (app, { deps, linkBase, sentMail }) => {
  app.get(
    '/outbox',
    {
      schema: {
        tags: ['Notices'],
        summary: 'Outgoing messages, newest first; without SMTP each links to the .eml file written (staff)',
        security,
        querystring: OutboxQuery,
        response: { 200: Type.Object({ items: Type.Array(OutboxView) }), ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const { state, kind, limit, offset } = request.query;
      const items = await listOutboxMessages(
        { ...deps, sentMail },
        {
          state: state as OutboxMessage['state'] | undefined,
          kind: kind as OutboxMessage['kind'] | undefined,
          limit,
          offset,
        },
        actorOf(request),
      );
      return {
        items: items.map((m) =>
          presentOutboxMessage(m, m.emlWritten ? `${linkBase()}/api/v1/outbox/${m.id}/message.eml` : null),
        ),
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
    async (request, reply) =>
      reply
        .type('message/rfc822')
        .send(await getOutboxEml({ ...deps, sentMail }, request.params.id, actorOf(request))),
  );
};

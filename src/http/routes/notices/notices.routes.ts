import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ServiceDeps } from '../../../services/context.js';
import { approveNotice } from '../../../services/notices/approve-notice.js';
import { listNoticeDrafts } from '../../../services/notices/list-notice-drafts.js';
import { getNotice } from '../../../services/notices/get-notice.js';
import { listNotices } from '../../../services/notices/list-notices.js';
import { publishNotice } from '../../../services/notices/publish-notice.js';
import type { Notice } from '../../../services/notices/ports.js';
import { protocolLabel } from '../../../services/notices/protocol-register.js';
import { IdempotencyHeaders, errors } from '../../common.schemas.js';
import { actorOf, readsFor, sendCreated } from '../../request-context.js';
import { renderNoticeFeed } from '../../status/notices-pages.js';
import {
  ApprovalView,
  IdParams,
  NoticeBody,
  NoticeListQuery,
  NoticeView,
  presentNotice,
  security,
  sourceUrlOf,
} from './notices.schemas.js';

/** The comunicati: the public archive, publication and approval of drafts (Authority staff). */
export const noticesRoutes: FastifyPluginAsyncTypebox<{
  deps: ServiceDeps;
  /** The public reads' deps (the replicas). */
  reads: ServiceDeps;
}> = async (app, { deps, reads }) => {
  app.get(
    '/notices',
    {
      config: { auth: 'public', replicaRead: true },
      schema: {
        tags: ['Notices'],
        summary: 'The archive of published comunicati, newest first (public)',
        querystring: NoticeListQuery,
        response: { 200: Type.Object({ items: Type.Array(NoticeView) }) },
      },
    },
    async (request) => ({ items: (await listNotices(reads, request.query)).map(presentNotice) }),
  );
  app.get(
    '/notices/:id',
    {
      config: { auth: 'public', replicaRead: true },
      schema: {
        tags: ['Notices'],
        summary: 'A comunicato (drafts: staff only)',
        params: IdParams,
        response: { 200: NoticeView, ...errors(404) },
      },
    },
    async (request) =>
      presentNotice(await getNotice(readsFor(request, deps, reads), request.params.id, request.actor)),
  );
  app.post(
    '/notices',
    {
      schema: {
        tags: ['Notices'],
        summary: 'Publish a comunicato (Authority staff)',
        security,
        headers: IdempotencyHeaders,
        body: NoticeBody,
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
        response: { 200: ApprovalView, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const sourceUrl = sourceUrlOf(request.body);
      const { notice, relays } = await approveNotice(deps, request.params.id, actorOf(request), {
        sourceUrl,
      });
      return {
        notice: presentNotice(notice),
        relays: relays.map((r) => ({
          id: r.relay.id,
          protocol: protocolLabel(r.registration.aooCode, r.registration.number),
          recipients: r.recipients,
        })),
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
    async (request) => ({ items: (await listNoticeDrafts(deps, actorOf(request))).map(presentNotice) }),
  );
};

/** The Atom feed of the comunicati (/comunicati/feed.atom); the HTML archive is the portal's. */
export const noticeFeed: FastifyPluginAsyncTypebox<{ deps: ServiceDeps; baseUrl: () => string }> = async (
  app,
  { deps, baseUrl },
) => {
  app.get(
    '/comunicati/feed.atom',
    { config: { auth: 'public', replicaRead: true }, schema: { hide: true } },
    async (_request, reply) =>
      reply.type('application/atom+xml; charset=utf-8').send(
        renderNoticeFeed(await listNotices(deps, { limit: 50, offset: 0 }), {
          baseUrl: baseUrl(),
          now: deps.clock.now(),
        }),
      ),
  );
};

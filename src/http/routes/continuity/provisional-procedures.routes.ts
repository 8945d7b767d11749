import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ServiceDeps } from '../../../services/context.js';
import { getProvisional } from '../../../services/continuity/get-provisional.js';
import { listProvisional } from '../../../services/continuity/list-provisional.js';
import { registerUrgentProcedure } from '../../../services/continuity/register-urgent-procedure.js';
import { IdempotencyHeaders, errors } from '../../common.schemas.js';
import { actorOf, readsFor, sendCreated } from '../../request-context.js';
import { ReferenceParams, security } from './continuity.schemas.js';
import {
  presentProvisional,
  ProvisionalListQuery,
  ProvisionalView,
  UrgentProcedureBody,
} from './provisional-procedures.schemas.js';

/** Urgent procedures registered during an outage of CIG issuance, with a provisional reference. */
export const provisionalProceduresRoutes: FastifyPluginAsyncTypebox<{
  deps: ServiceDeps;
  /** The public reads' deps (the replicas' store when configured). */
  reads: ServiceDeps;
}> = async (app, { deps, reads }) => {
  app.post(
    '/provisional-procedures',
    {
      schema: {
        tags: ['Continuity'],
        summary:
          'During an outage of CIG issuance, register an urgent procedure and get a provisional reference (RUP)',
        security,
        headers: IdempotencyHeaders,
        body: UrgentProcedureBody,
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
          deps.clock.now(),
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
        querystring: ProvisionalListQuery,
        response: { 200: Type.Object({ items: Type.Array(ProvisionalView) }), ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const items = await listProvisional(deps, request.query, actorOf(request));
      const now = deps.clock.now();
      return { items: items.map((p) => presentProvisional(p, now)) };
    },
  );

  app.get(
    '/provisional-procedures/:reference',
    {
      config: { auth: 'public', replicaRead: true },
      schema: {
        tags: ['Continuity'],
        summary:
          'Verify a provisional reference (public): the procedure, its lots and, once regularised, their CIGs',
        params: ReferenceParams,
        response: { 200: ProvisionalView, ...errors(400, 404) },
      },
    },
    async (request) =>
      presentProvisional(
        await getProvisional(readsFor(request, deps, reads), request.params.reference),
        deps.clock.now(),
      ),
  );
};

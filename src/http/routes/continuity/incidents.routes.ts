import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServiceDeps } from '../../../services/context.js';
import { getIncident, openIncident, updateIncident } from '../../../services/continuity/incidents.js';
import { presentIncident } from '../../../services/continuity/status.js';
import type { StatusMonitor } from '../../../services/status/status-monitor.js';
import { IdempotencyHeaders, errors } from '../../common.schemas.js';
import { actorOf, readsFor, sendCreated } from '../../request-context.js';
import { security } from './continuity.schemas.js';
import {
  IncidentCodeParams,
  IncidentUpdateBody,
  IncidentView,
  OpenIncidentBody,
} from './incidents.schemas.js';

/** Incidents: the outage windows and their timeline (public reading; staff open and update them). */
export const incidentsRoutes: FastifyPluginAsyncTypebox<{
  deps: ServiceDeps;
  /** The public reads' deps (the replicas' store when configured). */
  reads: ServiceDeps;
  monitor: StatusMonitor;
}> = async (app, { deps, reads, monitor }) => {
  // The status view is rebuilt from the whole database: after the change's transaction, never inside it.
  const refreshStatus = { afterCommit: () => monitor.refresh() };
  app.get(
    '/incidents/:code',
    {
      config: { auth: 'public', replicaRead: true },
      schema: {
        tags: ['Status'],
        summary: 'An incident and its timeline',
        params: IncidentCodeParams,
        response: { 200: IncidentView, ...errors(404) },
      },
    },
    async (request) =>
      presentIncident(await getIncident(readsFor(request, deps, reads), request.params.code)),
  );

  app.post(
    '/incidents',
    {
      schema: {
        tags: ['Status'],
        summary: 'Open an incident (staff): the start of an outage window',
        security,
        headers: IdempotencyHeaders,
        body: OpenIncidentBody,
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
        params: IncidentCodeParams,
        body: IncidentUpdateBody,
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
};

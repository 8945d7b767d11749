import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ServiceDeps } from '../../../services/context.js';
import { cancelMaintenance, scheduleMaintenance } from '../../../services/continuity/maintenance.js';
import type { StatusMonitor } from '../../../services/status/status-monitor.js';
import { DateTime, IdempotencyHeaders, errors } from '../../common.schemas.js';
import { actorOf, sendCreated } from '../../request-context.js';
import { security, ServiceCode } from './continuity.schemas.js';

const MaintenanceBody = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.String({ maxLength: 4000 }),
    services: Type.Array(ServiceCode, { minItems: 1, maxItems: 6 }),
    startsAt: DateTime,
    endsAt: DateTime,
  },
  { additionalProperties: false },
);
const MaintenanceView = Type.Object({
  id: Type.String(),
  title: Type.String(),
  startsAt: DateTime,
  endsAt: DateTime,
  services: Type.Array(Type.String()),
});

/** Scheduled maintenance (staff): it starts and ends by the clock. */
export const maintenancesRoutes: FastifyPluginAsyncTypebox<{
  deps: ServiceDeps;
  monitor: StatusMonitor;
}> = async (app, { deps, monitor }) => {
  app.post(
    '/maintenances',
    {
      schema: {
        tags: ['Status'],
        summary: 'Schedule maintenance (staff); it starts and ends on time by itself',
        security,
        headers: IdempotencyHeaders,
        body: MaintenanceBody,
        response: { 201: MaintenanceView, ...errors(400, 401, 403) },
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
        // The status view is rebuilt from the whole database: after the change's transaction.
        { afterCommit: () => monitor.refresh() },
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
};

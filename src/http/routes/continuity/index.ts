import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServiceDeps } from '../../../services/context.js';
import type { StatusMonitor } from '../../../services/status/status-monitor.js';
import { incidentsRoutes } from './incidents.routes.js';
import { outageCertificatesRoutes } from './certificates.routes.js';
import { maintenancesRoutes } from './maintenances.routes.js';
import { outageAffectedLotsRoutes } from './outage-affected-lots.routes.js';
import { provisionalProceduresRoutes } from './provisional-procedures.routes.js';
import { regularisationsRoutes } from './regularisations.routes.js';
import { reservesRoutes } from './reserves.routes.js';
import { statusApiRoutes } from './status.routes.js';

export { statusRoutes } from './status.routes.js';
export { certificatePagesRoutes } from './certificates.routes.js';

/** The continuity area of the API: status, incidents, maintenance, contingency procedures; one plugin per resource. */
export const continuityRoutes: FastifyPluginAsyncTypebox<{
  deps: ServiceDeps;
  /** The public reads' deps (the replicas' store when configured). */
  reads: ServiceDeps;
  monitor: StatusMonitor;
}> = async (app, { deps, reads, monitor }) => {
  await app.register(statusApiRoutes, { monitor });
  await app.register(incidentsRoutes, { deps, reads, monitor });
  await app.register(maintenancesRoutes, { deps, monitor });
  await app.register(provisionalProceduresRoutes, { deps, reads });
  await app.register(regularisationsRoutes, { deps });
  await app.register(reservesRoutes, { deps });
  await app.register(outageAffectedLotsRoutes, { deps });
  await app.register(outageCertificatesRoutes, { deps });
};

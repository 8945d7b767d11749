import type { FastifyPluginAsync } from 'fastify';
import type { ServiceDeps } from '../../../services/context.js';
import type { Metrics } from '../../metrics.js';
import { lotsRoutes } from './lots.routes.js';
import { smartCigsRoutes } from './smart-cigs.routes.js';
import { tendersRoutes } from './tenders.routes.js';

/** The tenders area: tenders, their lots (by CIG), SmartCIGs. */
export const tenderRoutes: FastifyPluginAsync<{ deps: ServiceDeps; metrics: Metrics }> = async (
  app,
  { deps, metrics },
) => {
  await app.register(tendersRoutes, { deps, metrics });
  await app.register(lotsRoutes, { deps });
  await app.register(smartCigsRoutes, { deps, metrics });
};

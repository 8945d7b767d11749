import type { FastifyPluginAsync } from 'fastify';
import type { ServiceDeps } from '../../../services/context.js';
import type { VerificationCache } from '../../../services/payments/verify-contribution.js';
import { contributionsRoutes } from './contributions.routes.js';
import { groupingsRoutes } from './groupings.routes.js';
import { positionsRoutes } from './positions.routes.js';
import { receiptsRoutes } from './receipts.routes.js';
import { reportingFlowsRoutes } from './reporting-flows.routes.js';

/** Contributions and pagoPA payments: positions, receipts, contribution checks, groupings, reporting flows. */
export const paymentRoutes: FastifyPluginAsync<{
  deps: ServiceDeps;
  verificationCache: VerificationCache;
}> = async (app, { deps, verificationCache }) => {
  await app.register(positionsRoutes, { deps });
  await app.register(receiptsRoutes, { deps });
  await app.register(contributionsRoutes, { deps, verificationCache });
  await app.register(groupingsRoutes, { deps });
  await app.register(reportingFlowsRoutes, { deps });
};

import type { FastifyPluginAsync } from 'fastify';
import type { ServiceDeps } from '../../../services/context.js';
import { cigValidationsRoutes } from './cig-validations.routes.js';
import { cigsRoutes } from './cigs.routes.js';

/** The CIG area (public): lookup and validation. */
export const cigRoutes: FastifyPluginAsync<{ deps: ServiceDeps; lookupCacheTtlMs: number }> = async (
  app,
  { deps, lookupCacheTtlMs },
) => {
  await app.register(cigsRoutes, { deps, lookupCacheTtlMs });
  await app.register(cigValidationsRoutes);
};

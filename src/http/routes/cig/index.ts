import type { FastifyPluginAsync } from 'fastify';
import type { ServiceDeps } from '../../../services/context.js';
import { cigValidationsRoutes } from './cig-validations.routes.js';
import { cigsRoutes, type CigLookupCache } from './cigs.routes.js';

/** The CIG area (public): lookup and validation. */
export const cigRoutes: FastifyPluginAsync<{
  deps: ServiceDeps;
  lookupCacheTtlMs: number;
  /** Given by the app, which drops entries when a lot changes in any process. */
  lookupCache?: CigLookupCache;
}> = async (app, { deps, lookupCacheTtlMs, lookupCache }) => {
  await app.register(cigsRoutes, { deps, lookupCacheTtlMs, lookupCache });
  await app.register(cigValidationsRoutes);
};

import type { FastifyPluginAsync } from 'fastify';
import type { TokenAuthenticator } from '../../../services/auth/authenticate.js';
import type { ServiceDeps } from '../../../services/context.js';
import { contractingAuthoritiesRoutes } from './contracting-authorities.routes.js';
import { economicOperatorsRoutes } from './economic-operators.routes.js';
import { sectionsRoutes } from './sections.routes.js';
import { usersRoutes } from './users.routes.js';

/** The registry: regional sections, contracting authorities, economic operators, users and tokens. */
export const registryRoutes: FastifyPluginAsync<{
  deps: ServiceDeps;
  /** The public reads' deps (the replicas' store when configured). */
  reads: ServiceDeps;
  authenticator: TokenAuthenticator;
}> = async (app, { deps, reads, authenticator }) => {
  await app.register(sectionsRoutes, { deps, reads });
  await app.register(contractingAuthoritiesRoutes, { deps });
  await app.register(economicOperatorsRoutes, { deps });
  await app.register(usersRoutes, { deps, authenticator });
};

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { lookupCig } from '../../../services/cig/lookup-cig.js';
import { TtlCache } from '../../../services/cig/ttl-cache.js';
import type { ServiceDeps } from '../../../services/context.js';
import { errors } from '../../common.schemas.js';
import { presentCigLookup } from './cig.presenters.js';
import { CigLookupView } from './cig.schemas.js';

/**
 * The public lookup of a CIG or SmartCIG, served from a short in-memory cache (open data). The cache
 * holds the answer as the route's response schema serialized it, so a hit is not serialized again.
 */
export type CigLookupCache = TtlCache<string>;

export const cigsRoutes: FastifyPluginAsyncTypebox<{
  deps: ServiceDeps;
  lookupCacheTtlMs: number;
  /** Given by the app, which drops entries when a lot changes in any process. */
  lookupCache?: CigLookupCache;
}> = async (app, { deps, lookupCacheTtlMs, lookupCache }) => {
  const cache: CigLookupCache = lookupCache ?? new TtlCache(lookupCacheTtlMs);
  const maxAge = Math.floor(lookupCacheTtlMs / 1000);
  app.get(
    '/cigs/:code',
    {
      config: { auth: 'public', replicaRead: true },
      schema: {
        tags: ['CIG'],
        summary: 'Look up a CIG or SmartCIG (public)',
        params: Type.Object({ code: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: { 200: CigLookupView, ...errors(400, 404) },
      },
    },
    async (request, reply) => {
      const code = request.params.code.trim().toUpperCase();
      const json = await cache.get(code, async () =>
        String(reply.serialize(presentCigLookup(await lookupCig(deps, code)))),
      );
      reply.header('cache-control', `public, max-age=${maxAge}`);
      // Already the schema's JSON: sent as it is (the type provider only knows the object form).
      return reply.type('application/json; charset=utf-8').send(json as never);
    },
  );
};

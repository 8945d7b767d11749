import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ServiceDeps } from '../../../services/context.js';
import { listProcedureTypes } from '../../../services/reference/list-procedure-types.js';
import { listUrgencyReasons } from '../../../services/reference/list-urgency-reasons.js';
import { searchCpv } from '../../../services/reference/search-cpv.js';
import { searchPlaces } from '../../../services/reference/search-places.js';
import { Nullable, errors } from '../../common.schemas.js';
import { DatedCode, SearchQuery } from './reference.schemas.js';

/** The code lists (public): procedure types, urgency reasons, CPV and ISTAT places. */
export const referenceRoutes: FastifyPluginAsyncTypebox<{ deps: ServiceDeps }> = async (app, { deps }) => {
  const publicRoute = { auth: 'public' as const, replicaRead: true };
  app.get(
    '/reference/procedure-types',
    {
      config: publicRoute,
      schema: {
        tags: ['Reference data'],
        summary: 'Procedure types (sceltaContraente)',
        response: { 200: Type.Object({ items: Type.Array(DatedCode) }) },
      },
    },
    async () => ({ items: await listProcedureTypes(deps) }),
  );
  app.get(
    '/reference/urgency-reasons',
    {
      config: publicRoute,
      schema: {
        tags: ['Reference data'],
        summary: 'Urgency reasons (motivoUrgenza)',
        response: { 200: Type.Object({ items: Type.Array(DatedCode) }) },
      },
    },
    async () => ({ items: await listUrgencyReasons(deps) }),
  );
  app.get(
    '/reference/cpv',
    {
      config: publicRoute,
      schema: {
        tags: ['Reference data'],
        summary: 'Search CPV codes by code prefix or Italian description',
        querystring: SearchQuery,
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                code: Type.String(),
                descriptionIt: Type.String(),
                descriptionEn: Type.String(),
              }),
            ),
          }),
          ...errors(400),
        },
      },
    },
    async (request) => ({ items: await searchCpv(deps, request.query.q, request.query.limit) }),
  );
  app.get(
    '/reference/places',
    {
      config: publicRoute,
      schema: {
        tags: ['Reference data'],
        summary: 'Search ISTAT places by code or name prefix',
        querystring: SearchQuery,
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                code: Type.String(),
                name: Type.String(),
                validFrom: Nullable(Type.String()),
                validTo: Nullable(Type.String()),
              }),
            ),
          }),
          ...errors(400),
        },
      },
    },
    async (request) => ({ items: await searchPlaces(deps, request.query.q, request.query.limit) }),
  );
};

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ServiceDeps } from '../../../services/context.js';
import { createEconomicOperator } from '../../../services/registry/create-economic-operator.js';
import { getEconomicOperator } from '../../../services/registry/get-economic-operator.js';
import { listEconomicOperators } from '../../../services/registry/list-economic-operators.js';
import { updateEconomicOperator } from '../../../services/registry/update-economic-operator.js';
import { IdempotencyHeaders, Nullable, errors, pageOf, pageQueryWith } from '../../common.schemas.js';
import { presentPage } from '../../presenters.js';
import { actorOf, sendCreated } from '../../request-context.js';
import { presentEconomicOperator } from './registry.presenters.js';
import { EconomicOperatorView, IdParams, Name, Pec } from './registry.schemas.js';

const security = [{ bearer: [] }];

/** Economic operators (bidders). */
export const economicOperatorsRoutes: FastifyPluginAsyncTypebox<{ deps: ServiceDeps }> = async (
  app,
  { deps },
) => {
  app.post(
    '/economic-operators',
    {
      schema: {
        tags: ['Registry'],
        summary: 'Register an economic operator (administrator)',
        security,
        headers: IdempotencyHeaders,
        body: Type.Object(
          {
            fiscalCode: Type.String({ pattern: '^([0-9]{11}|[A-Za-z0-9]{16})$' }),
            vatNumber: Type.Optional(Type.String({ pattern: '^[0-9]{11}$' })),
            name: Name,
            pec: Type.Optional(Pec),
          },
          { additionalProperties: false },
        ),
        response: { 201: EconomicOperatorView, ...errors(400, 401, 403, 409) },
      },
    },
    async (request, reply) =>
      sendCreated(deps, request, reply, async (store) =>
        presentEconomicOperator(
          await createEconomicOperator({ ...deps, store }, request.body, actorOf(request)),
        ),
      ),
  );
  app.get(
    '/economic-operators',
    {
      schema: {
        tags: ['Registry'],
        summary: 'Economic operators',
        security,
        querystring: pageQueryWith({ q: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) }),
        response: { 200: pageOf(EconomicOperatorView), ...errors(400, 401, 403) },
      },
    },
    async (request) =>
      presentPage(
        await listEconomicOperators(deps, request.query, actorOf(request)),
        request.query,
        presentEconomicOperator,
      ),
  );
  app.get(
    '/economic-operators/:id',
    {
      schema: {
        tags: ['Registry'],
        summary: 'An economic operator',
        security,
        params: IdParams,
        response: { 200: EconomicOperatorView, ...errors(400, 401, 404) },
      },
    },
    async (request) =>
      presentEconomicOperator(await getEconomicOperator(deps, request.params.id, actorOf(request))),
  );
  app.patch(
    '/economic-operators/:id',
    {
      schema: {
        tags: ['Registry'],
        summary: 'Update an economic operator (administrator)',
        security,
        params: IdParams,
        body: Type.Object(
          { name: Type.Optional(Name), pec: Type.Optional(Nullable(Pec)) },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: EconomicOperatorView, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) =>
      presentEconomicOperator(
        await updateEconomicOperator(deps, request.params.id, request.body, actorOf(request)),
      ),
  );
};

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ServiceDeps } from '../../../services/context.js';
import { addCostCentre } from '../../../services/registry/add-cost-centre.js';
import { createContractingAuthority } from '../../../services/registry/create-contracting-authority.js';
import { getContractingAuthority } from '../../../services/registry/get-contracting-authority.js';
import { listContractingAuthorities } from '../../../services/registry/list-contracting-authorities.js';
import { updateContractingAuthority } from '../../../services/registry/update-contracting-authority.js';
import { IdempotencyHeaders, errors, pageOf, pageQueryWith } from '../../common.schemas.js';
import { presentPage } from '../../presenters.js';
import { actorOf, sendCreated } from '../../request-context.js';
import { presentContractingAuthority } from './registry.presenters.js';
import { ContractingAuthorityView, CostCentreBody, IdParams, Name, Pec } from './registry.schemas.js';

const security = [{ bearer: [] }];

/** Contracting authorities and their cost centres. */
export const contractingAuthoritiesRoutes: FastifyPluginAsyncTypebox<{ deps: ServiceDeps }> = async (
  app,
  { deps },
) => {
  app.post(
    '/contracting-authorities',
    {
      schema: {
        tags: ['Registry'],
        summary: 'Register a contracting authority (administrator)',
        security,
        headers: IdempotencyHeaders,
        body: Type.Object(
          {
            fiscalCode: Type.String({
              pattern: '^[0-9]{11}$',
              description: 'Codice fiscale, 11 digits with check digit',
            }),
            ausaCode: Type.String({ pattern: '^[0-9]{10}$', description: 'AUSA code, 10 digits' }),
            name: Name,
            istatPlace: Type.String({ pattern: '^[0-9]{9}$' }),
            pec: Pec,
            regionalSection: Type.Optional(Type.String({ pattern: '^[A-Z]{2,3}$' })),
            costCentres: Type.Optional(Type.Array(CostCentreBody, { maxItems: 500 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: ContractingAuthorityView, ...errors(400, 401, 403, 409, 422) },
      },
    },
    async (request, reply) =>
      sendCreated(deps, request, reply, async (store) =>
        presentContractingAuthority(
          await createContractingAuthority({ ...deps, store }, request.body, actorOf(request)),
        ),
      ),
  );
  app.get(
    '/contracting-authorities',
    {
      schema: {
        tags: ['Registry'],
        summary: 'Contracting authorities (regional staff: their region; a RUP: their own)',
        security,
        querystring: pageQueryWith({
          q: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          regionalSection: Type.Optional(Type.String({ pattern: '^[A-Z]{2,3}$' })),
        }),
        response: { 200: pageOf(ContractingAuthorityView), ...errors(400, 401, 403) },
      },
    },
    async (request) =>
      presentPage(
        await listContractingAuthorities(deps, request.query, actorOf(request)),
        request.query,
        presentContractingAuthority,
      ),
  );
  app.get(
    '/contracting-authorities/:id',
    {
      schema: {
        tags: ['Registry'],
        summary: 'A contracting authority',
        security,
        params: IdParams,
        response: { 200: ContractingAuthorityView, ...errors(400, 401, 404) },
      },
    },
    async (request) =>
      presentContractingAuthority(await getContractingAuthority(deps, request.params.id, actorOf(request))),
  );
  app.patch(
    '/contracting-authorities/:id',
    {
      schema: {
        tags: ['Registry'],
        summary: 'Update a contracting authority (administrator)',
        security,
        params: IdParams,
        body: Type.Object(
          {
            name: Type.Optional(Name),
            istatPlace: Type.Optional(Type.String({ pattern: '^[0-9]{9}$' })),
            pec: Type.Optional(Pec),
            regionalSection: Type.Optional(Type.String({ pattern: '^[A-Z]{2,3}$' })),
            active: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: ContractingAuthorityView, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) =>
      presentContractingAuthority(
        await updateContractingAuthority(deps, request.params.id, request.body, actorOf(request)),
      ),
  );
  app.post(
    '/contracting-authorities/:id/cost-centres',
    {
      schema: {
        tags: ['Registry'],
        summary: 'Add a cost centre (administrator)',
        security,
        headers: IdempotencyHeaders,
        params: IdParams,
        body: CostCentreBody,
        response: { 201: ContractingAuthorityView, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) =>
      sendCreated(deps, request, reply, async (store) =>
        presentContractingAuthority(
          await addCostCentre({ ...deps, store }, request.params.id, request.body, actorOf(request)),
        ),
      ),
  );
};

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { TokenAuthenticator } from '../../services/auth/authenticate.js';
import type { ServiceDeps } from '../../services/context.js';
import {
  addCostCentre,
  createContractingAuthority,
  getContractingAuthority,
  listContractingAuthorities,
  updateContractingAuthority,
} from '../../services/registry/contracting-authorities.js';
import {
  createEconomicOperator,
  getEconomicOperator,
  listEconomicOperators,
  updateEconomicOperator,
} from '../../services/registry/economic-operators.js';
import { getSection, listSections, updateSection } from '../../services/registry/sections.js';
import {
  createUser,
  getUser,
  issueToken,
  listUsers,
  revokeTokens,
  updateUser,
} from '../../services/registry/users.js';
import { roles } from '../../services/ports.js';
import {
  DateTime,
  IdempotencyHeaders,
  Nullable,
  Uuid,
  errors,
  pageOf,
  pageQueryWith,
} from '../common.schemas.js';
import {
  presentContractingAuthority,
  presentEconomicOperator,
  presentPage,
  presentSection,
  presentUser,
} from '../presenters.js';
import { actorOf, sendCreated } from '../request-context.js';

const security = [{ bearer: [] }];
const IdParams = Type.Object({ id: Uuid });
const Pec = Type.String({ minLength: 3, maxLength: 254, description: 'Certified e-mail (PEC) address' });
const Name = Type.String({ minLength: 1, maxLength: 500 });
const Role = Type.Union(roles.map((r) => Type.Literal(r)));

const SectionView = Type.Object({
  code: Type.String(),
  name: Type.String(),
  regionName: Type.String(),
  regionIstat: Type.String(),
  provinceIstat: Nullable(Type.String()),
  city: Type.String(),
  pec: Type.String(),
  aooCode: Type.String(),
  letterheadOffices: Type.Array(Type.String(), {
    description: 'Letterhead lines between the region and the section (the offices above it)',
  }),
  website: Nullable(Type.String({ description: 'Web site printed at the foot of the letters' })),
});

const CostCentreBody = Type.Object(
  { code: Type.String({ minLength: 1, maxLength: 40 }), name: Type.String({ minLength: 1, maxLength: 300 }) },
  { additionalProperties: false },
);

const ContractingAuthorityView = Type.Object({
  id: Uuid,
  fiscalCode: Type.String(),
  ausaCode: Type.String(),
  name: Type.String(),
  istatPlace: Type.String(),
  placeName: Type.String(),
  regionalSection: Type.String(),
  pec: Type.String(),
  active: Type.Boolean(),
  costCentres: Type.Array(
    Type.Object({ id: Uuid, code: Type.String(), name: Type.String(), active: Type.Boolean() }),
  ),
  createdAt: DateTime,
  updatedAt: DateTime,
});

const EconomicOperatorView = Type.Object({
  id: Uuid,
  fiscalCode: Type.String(),
  vatNumber: Nullable(Type.String()),
  name: Type.String(),
  pec: Nullable(Type.String()),
  createdAt: DateTime,
  updatedAt: DateTime,
});

const UserView = Type.Object({
  id: Uuid,
  name: Type.String(),
  email: Type.String(),
  fiscalCode: Nullable(Type.String()),
  role: Type.String(),
  contractingAuthorityId: Nullable(Type.String()),
  economicOperatorId: Nullable(Type.String()),
  regionalSection: Nullable(Type.String()),
  active: Type.Boolean(),
  createdAt: DateTime,
});

export const registryRoutes: FastifyPluginAsyncTypebox<{
  deps: ServiceDeps;
  authenticator: TokenAuthenticator;
}> = async (app, { deps, authenticator }) => {
  // Regional sections
  app.get(
    '/regional-sections',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['Registry'],
        summary: 'The 21 regional sections of the Osservatorio',
        response: { 200: Type.Object({ items: Type.Array(SectionView) }) },
      },
    },
    async () => ({ items: (await listSections(deps)).map(presentSection) }),
  );
  app.get(
    '/regional-sections/:code',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['Registry'],
        summary: 'A regional section',
        params: Type.Object({ code: Type.String({ pattern: '^[A-Z]{2,3}$' }) }),
        response: { 200: SectionView, ...errors(400, 404) },
      },
    },
    async (request) => presentSection(await getSection(deps, request.params.code)),
  );
  app.patch(
    '/regional-sections/:code',
    {
      schema: {
        tags: ['Registry'],
        summary: 'Update a regional section (administrator)',
        security,
        params: Type.Object({ code: Type.String({ pattern: '^[A-Z]{2,3}$' }) }),
        body: Type.Object(
          {
            name: Type.Optional(Name),
            pec: Type.Optional(Pec),
            city: Type.Optional(Name),
            aooCode: Type.Optional(Type.String({ minLength: 1, maxLength: 16 })),
            letterheadOffices: Type.Optional(
              Type.Array(Type.String({ minLength: 1, maxLength: 150 }), { maxItems: 4 }),
            ),
            website: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 200 }))),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: SectionView, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) =>
      presentSection(await updateSection(deps, request.params.code, request.body, actorOf(request))),
  );

  // Contracting authorities
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

  // Economic operators
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

  // Users and tokens
  app.get(
    '/me',
    {
      schema: {
        tags: ['Registry'],
        summary: 'Who am I',
        security,
        response: { 200: UserView, ...errors(401) },
      },
    },
    async (request) => presentUser(await getUser(deps, actorOf(request).userId, actorOf(request))),
  );
  app.post(
    '/users',
    {
      schema: {
        tags: ['Registry'],
        summary: 'Create a user (administrator)',
        security,
        headers: IdempotencyHeaders,
        body: Type.Object(
          {
            name: Name,
            email: Type.String({ minLength: 3, maxLength: 254 }),
            fiscalCode: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9]{16}$' })),
            role: Role,
            contractingAuthorityId: Type.Optional(Uuid),
            economicOperatorId: Type.Optional(Uuid),
            regionalSection: Type.Optional(Type.String({ pattern: '^[A-Z]{2,3}$' })),
          },
          { additionalProperties: false },
        ),
        response: { 201: UserView, ...errors(400, 401, 403, 409) },
      },
    },
    async (request, reply) =>
      sendCreated(deps, request, reply, async (store) =>
        presentUser(await createUser({ ...deps, store }, request.body, actorOf(request))),
      ),
  );
  app.get(
    '/users',
    {
      schema: {
        tags: ['Registry'],
        summary: 'Users (administrator)',
        security,
        querystring: pageQueryWith({
          role: Type.Optional(Role),
          contractingAuthorityId: Type.Optional(Uuid),
        }),
        response: { 200: pageOf(UserView), ...errors(400, 401, 403) },
      },
    },
    async (request) =>
      presentPage(await listUsers(deps, request.query, actorOf(request)), request.query, presentUser),
  );
  app.get(
    '/users/:id',
    {
      schema: {
        tags: ['Registry'],
        summary: 'A user',
        security,
        params: IdParams,
        response: { 200: UserView, ...errors(400, 401, 404) },
      },
    },
    async (request) => presentUser(await getUser(deps, request.params.id, actorOf(request))),
  );
  app.patch(
    '/users/:id',
    {
      schema: {
        tags: ['Registry'],
        summary: 'Update or deactivate a user (administrator); deactivation revokes their tokens',
        security,
        params: IdParams,
        body: Type.Object(
          {
            name: Type.Optional(Name),
            email: Type.Optional(Type.String({ minLength: 3, maxLength: 254 })),
            active: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: UserView, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const user = await updateUser(deps, request.params.id, request.body, actorOf(request));
      if (request.body.active === false) authenticator.clear();
      return presentUser(user);
    },
  );
  app.post(
    '/users/:id/tokens',
    {
      schema: {
        tags: ['Registry'],
        summary: 'Issue a bearer token for a user (administrator); shown once, not idempotent by design',
        security,
        params: IdParams,
        body: Type.Object(
          { label: Type.String({ minLength: 1, maxLength: 100 }), expiresAt: Type.Optional(DateTime) },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ token: Type.String(), userId: Uuid }),
          ...errors(400, 401, 403, 404, 409),
        },
      },
    },
    async (request, reply) => {
      const { token, user } = await issueToken(
        deps,
        {
          userId: request.params.id,
          label: request.body.label,
          expiresAt: request.body.expiresAt ? new Date(request.body.expiresAt) : undefined,
        },
        actorOf(request),
      );
      return reply.status(201).send({ token, userId: user.id });
    },
  );
  app.delete(
    '/users/:id/tokens',
    {
      schema: {
        tags: ['Registry'],
        summary: "Revoke all of a user's tokens (administrator)",
        security,
        params: IdParams,
        response: { 200: Type.Object({ revoked: Type.Integer() }), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const result = await revokeTokens(deps, request.params.id, actorOf(request));
      authenticator.clear(); // other processes notice within the authenticator's cache TTL
      return result;
    },
  );
};

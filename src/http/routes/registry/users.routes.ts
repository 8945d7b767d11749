import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ServiceDeps } from '../../../services/context.js';
import type { TokenAuthenticator } from '../../../services/auth/authenticate.js';
import { createUser } from '../../../services/registry/create-user.js';
import { getUser } from '../../../services/registry/get-user.js';
import { issueToken } from '../../../services/registry/issue-token.js';
import { listUsers } from '../../../services/registry/list-users.js';
import { revokeTokens } from '../../../services/registry/revoke-tokens.js';
import { updateUser } from '../../../services/registry/update-user.js';
import { DateTime, IdempotencyHeaders, Uuid, errors, pageOf, pageQueryWith } from '../../common.schemas.js';
import { presentPage } from '../../presenters.js';
import { actorOf, sendCreated } from '../../request-context.js';
import { presentUser } from './registry.presenters.js';
import { IdParams, Name, Role, UserView } from './registry.schemas.js';

const security = [{ bearer: [] }];

/** Users, who am I, and their API tokens. */
export const usersRoutes: FastifyPluginAsyncTypebox<{
  deps: ServiceDeps;
  authenticator: TokenAuthenticator;
}> = async (app, { deps, authenticator }) => {
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

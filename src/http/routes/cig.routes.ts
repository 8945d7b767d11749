import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { cigFamilyLabels, validateCig } from '../../domain/cig/cig.js';
import { lookupCig } from '../../services/cig/lookup-cig.js';
import { TtlCache } from '../../services/cig/ttl-cache.js';
import type { ServiceDeps } from '../../services/context.js';
import { CancellationView, DateTime, Nullable, errors } from '../common.schemas.js';
import { presentCigLookup } from '../presenters.js';

const CigValidationView = Type.Object({
  code: Type.String(),
  valid: Type.Boolean(),
  family: Nullable(Type.Union([Type.Literal('simog_v1'), Type.Literal('pcp'), Type.Literal('smart_cig')])),
  familyLabel: Nullable(Type.String()),
  reason: Nullable(Type.String({ description: 'Why the code is invalid (stable code)' })),
  message: Nullable(Type.String()),
});

const CigLookupView = Type.Object({
  cig: Type.String(),
  family: Type.String(),
  familyLabel: Type.String(),
  issuedDuringIncidents: Type.Array(Type.String(), {
    description: 'Incidents under way when the code was issued: the code stays valid and is marked with them',
  }),
  kind: Type.Union([Type.Literal('lot'), Type.Literal('smart_cig')]),
  state: Type.String(),
  stateLabel: Type.String(),
  contractingAuthority: Type.Object({ name: Type.String(), fiscalCode: Type.String() }),
  tenderNumber: Nullable(Type.String()),
  lotNumber: Nullable(Type.Integer()),
  object: Type.String(),
  amount: Type.String(),
  procedureType: Type.String(),
  cpv: Nullable(Type.String()),
  place: Nullable(Type.String()),
  acquiredAt: DateTime,
  perfectionDeadline: Nullable(Type.String()),
  publicationDate: Nullable(Type.String()),
  bidDeadline: Nullable(DateTime),
  bidderContribution: Type.Object(
    { amount: Type.String(), exempt: Type.Boolean() },
    { description: 'What each bidder owes the Authority for this lot' },
  ),
  authorityContribution: Type.Object(
    { amount: Type.String(), exempt: Type.Boolean(), onAmount: Type.String() },
    {
      description:
        'What the contracting authority owes the Authority for the whole tender, on the total of its lots not cancelled (`onAmount`); a SmartCIG owes nothing',
    },
  ),
  cancellation: Nullable(CancellationView),
});

export const presentValidation = (input: string) => {
  const v = validateCig(input);
  return v.valid
    ? {
        code: v.code,
        valid: true,
        family: v.family,
        familyLabel: cigFamilyLabels[v.family],
        reason: null,
        message: null,
      }
    : { code: v.code, valid: false, family: null, familyLabel: null, reason: v.reason, message: v.message };
};

const MAX_CODES = 1000;

export type CigLookupCache = TtlCache<ReturnType<typeof presentCigLookup>>;

export const cigRoutes: FastifyPluginAsyncTypebox<{
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
      config: { auth: 'public' },
      schema: {
        tags: ['CIG'],
        summary: 'Look up a CIG or SmartCIG (public)',
        params: Type.Object({ code: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: { 200: CigLookupView, ...errors(400, 404) },
      },
    },
    async (request, reply) => {
      const code = request.params.code.trim().toUpperCase();
      const found = await cache.get(code, async () => presentCigLookup(await lookupCig(deps, code)));
      reply.header('cache-control', `public, max-age=${maxAge}`);
      return found;
    },
  );

  app.get(
    '/cig-validations/:code',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['CIG'],
        summary: 'Validate a CIG string: family (SIMOG v1, SIMOG v2/PCP, SmartCIG) or why it is invalid',
        params: Type.Object({ code: Type.String({ maxLength: 64 }) }),
        response: { 200: CigValidationView },
      },
    },
    async (request) => presentValidation(request.params.code),
  );

  app.post(
    '/cig-validations',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['CIG'],
        summary: `Validate up to ${MAX_CODES} CIG strings at once (creates nothing)`,
        body: Type.Object(
          { codes: Type.Array(Type.String({ maxLength: 64 }), { minItems: 1, maxItems: MAX_CODES }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ results: Type.Array(CigValidationView), invalid: Type.Integer() }),
          ...errors(400),
        },
      },
    },
    async (request) => {
      const results = request.body.codes.map(presentValidation);
      return { results, invalid: results.filter((r) => !r.valid).length };
    },
  );
};

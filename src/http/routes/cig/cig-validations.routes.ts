import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { validateCigs } from '../../../services/cig/validate-cigs.js';
import { errors } from '../../common.schemas.js';
import { presentValidation } from './cig.presenters.js';
import { CigValidationView } from './cig.schemas.js';

const MAX_CODES = 1000;

/** Validation of CIG strings (public; creates nothing). */
export const cigValidationsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/cig-validations/:code',
    {
      config: { auth: 'public', replicaRead: true },
      schema: {
        tags: ['CIG'],
        summary: 'Validate a CIG string: family (SIMOG v1, SIMOG v2/PCP, SmartCIG) or why it is invalid',
        params: Type.Object({ code: Type.String({ maxLength: 64 }) }),
        response: { 200: CigValidationView },
      },
    },
    async (request) => {
      const [result] = validateCigs({ codes: [request.params.code] }).map(presentValidation);
      return result;
    },
  );

  app.post(
    '/cig-validations',
    {
      config: { auth: 'public', replicaRead: true },
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
      const results = validateCigs({ codes: request.body.codes }).map(presentValidation);
      return { results, invalid: results.filter((r) => !r.valid).length };
    },
  );
};

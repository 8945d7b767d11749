import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ServiceDeps } from '../../../services/context.js';
import {
  lotContributions,
  verifyContribution,
  type VerificationCache,
} from '../../../services/payments/verify-contribution.js';
import { errors } from '../../common.schemas.js';
import { actorOf } from '../../request-context.js';
import { CigParams } from '../tenders/tenders.schemas.js';
import { presentContribution } from './payments.presenters.js';
import { ContributionView, FiscalCode } from './payments.schemas.js';

const security = [{ bearer: [] }];

/** Whether bidders paid their contribution for a lot (one bidder, or every bidder). */
export const contributionsRoutes: FastifyPluginAsyncTypebox<{
  deps: ServiceDeps;
  verificationCache: VerificationCache;
}> = async (app, { deps, verificationCache }) => {
  const cached = { ...deps, cache: verificationCache };
  app.get(
    '/lots/:cig/contributions/:fiscalCode',
    {
      schema: {
        tags: ['Contributions'],
        summary:
          "Has this bidder paid the contribution for this CIG? (the lot's RUP, the bidder itself, staff)",
        security,
        params: Type.Object({ cig: CigParams.properties.cig, fiscalCode: FiscalCode }),
        response: { 200: ContributionView, ...errors(401, 403, 404) },
      },
    },
    async (request) =>
      presentContribution(
        await verifyContribution(
          cached,
          { cig: request.params.cig.toUpperCase(), fiscalCode: request.params.fiscalCode.toUpperCase() },
          actorOf(request),
        ),
      ),
  );

  app.get(
    '/lots/:cig/contributions',
    {
      schema: {
        tags: ['Contributions'],
        summary:
          'Payment status of every bidder of a lot (those with a position, plus fiscalCodes asked for)',
        security,
        params: CigParams,
        querystring: Type.Object(
          {
            fiscalCodes: Type.Optional(
              Type.String({ pattern: '^([0-9]{11}|[A-Za-z0-9]{16})(,([0-9]{11}|[A-Za-z0-9]{16})){0,199}$' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ cig: Type.String(), items: Type.Array(ContributionView) }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const result = await lotContributions(
        deps,
        {
          cig: request.params.cig.toUpperCase(),
          fiscalCodes: request.query.fiscalCodes?.toUpperCase().split(','),
        },
        actorOf(request),
      );
      return { cig: result.cig, items: result.items.map(presentContribution) };
    },
  );
};

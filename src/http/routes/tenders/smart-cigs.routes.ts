import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServiceDeps } from '../../../services/context.js';
import { getSmartCig } from '../../../services/tenders/get-smart-cig.js';
import { listSmartCigs } from '../../../services/tenders/list-smart-cigs.js';
import { requestSmartCig } from '../../../services/tenders/request-smart-cig.js';
import { IdempotencyHeaders, PageQuery, errors, pageOf } from '../../common.schemas.js';
import type { Metrics } from '../../metrics.js';
import { presentPage } from '../../presenters.js';
import { actorOf, sendCreated } from '../../request-context.js';
import { presentSmartCig } from './tenders.presenters.js';
import { CigParams, SmartCigBody, SmartCigView } from './tenders.schemas.js';

const security = [{ bearer: [] }];

/** SmartCIGs (contracts under 40,000 EUR): request, list, read. */
export const smartCigsRoutes: FastifyPluginAsyncTypebox<{ deps: ServiceDeps; metrics: Metrics }> = async (
  app,
  { deps, metrics },
) => {
  app.post(
    '/smart-cigs',
    {
      schema: {
        tags: ['SmartCIG'],
        summary: 'Request a SmartCIG for a contract under 40,000 EUR (RUP)',
        security,
        headers: IdempotencyHeaders,
        body: SmartCigBody,
        response: { 201: SmartCigView, ...errors(400, 401, 403, 409, 422, 429) },
      },
    },
    async (request, reply) =>
      sendCreated(deps, request, reply, async (store) => {
        const smartCig = await requestSmartCig({ ...deps, store }, request.body, actorOf(request));
        metrics.codesIssued.inc({ family: 'smart_cig' });
        return presentSmartCig(smartCig);
      }),
  );

  app.get(
    '/smart-cigs',
    {
      schema: {
        tags: ['SmartCIG'],
        summary: 'SmartCIGs of my contracting authority',
        security,
        querystring: PageQuery,
        response: { 200: pageOf(SmartCigView), ...errors(400, 401, 403) },
      },
    },
    async (request) =>
      presentPage(await listSmartCigs(deps, request.query, actorOf(request)), request.query, presentSmartCig),
  );

  app.get(
    '/smart-cigs/:cig',
    {
      schema: {
        tags: ['SmartCIG'],
        summary: 'A SmartCIG',
        security,
        params: CigParams,
        response: { 200: SmartCigView, ...errors(401, 404) },
      },
    },
    async (request) =>
      presentSmartCig(await getSmartCig(deps, request.params.cig.toUpperCase(), actorOf(request))),
  );
};

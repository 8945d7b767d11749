import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ServiceDeps } from '../../../services/context.js';
import { listGroupings } from '../../../services/payments/list-groupings.js';
import { runMonthlyGroupings } from '../../../services/payments/run-monthly-groupings.js';
import { PageQuery, Period, errors, pageOf } from '../../common.schemas.js';
import { presentPage } from '../../presenters.js';
import { actorOf } from '../../request-context.js';
import { presentGrouping } from './payments.presenters.js';
import { GroupingView } from './payments.schemas.js';

const security = [{ bearer: [] }];

/** Monthly groupings of the contracting authorities' contributions. */
export const groupingsRoutes: FastifyPluginAsyncTypebox<{ deps: ServiceDeps }> = async (app, { deps }) => {
  app.get(
    '/sa-groupings',
    {
      schema: {
        tags: ['Contributions'],
        summary: "Monthly groupings of a contracting authority's contributions (a RUP: their own)",
        security,
        querystring: PageQuery,
        response: {
          200: pageOf(GroupingView),
          ...errors(401, 403),
        },
      },
    },
    async (request) =>
      presentPage(await listGroupings(deps, request.query, actorOf(request)), request.query, presentGrouping),
  );

  app.post(
    '/sa-groupings/runs',
    {
      schema: {
        tags: ['Contributions'],
        summary: 'Build the monthly groupings of a period now (staff; the job does it every month)',
        security,
        body: Type.Object({ period: Period }, { additionalProperties: false }),
        response: {
          200: Type.Object({ period: Type.String(), created: Type.Integer(), tenders: Type.Integer() }),
          ...errors(400, 401, 403),
        },
      },
    },
    async (request) => runMonthlyGroupings(deps, { period: request.body.period }, actorOf(request)),
  );
};

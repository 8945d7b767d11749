import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ServiceDeps } from '../../../services/context.js';
import { getReportingFlow } from '../../../services/payments/get-reporting-flow.js';
import { importReportingFlowDocument } from '../../../services/payments/import-reporting-flow-document.js';
import { errors } from '../../common.schemas.js';
import { actorOf } from '../../request-context.js';
import { presentFlow } from './payments.presenters.js';
import { FlowReportView } from './payments.schemas.js';

const security = [{ bearer: [] }];

/** pagoPA reporting flows: import (XML body) and the report of an imported one. */
export const reportingFlowsRoutes: FastifyPluginAsyncTypebox<{ deps: ServiceDeps }> = async (
  app,
  { deps },
) => {
  app.post(
    '/reporting-flows',
    {
      schema: {
        tags: ['Contributions'],
        summary:
          'Import a pagoPA reporting flow (FlussoRiversamento 1.0.4 XML body); importing it again changes nothing',
        security,
        consumes: ['application/xml', 'text/xml'],
        response: { 200: FlowReportView, 201: FlowReportView, ...errors(400, 401, 403, 413, 422) },
      },
      bodyLimit: deps.reportingFlows.maxBytes,
    },
    async (request, reply) => {
      const report = await importReportingFlowDocument(
        deps,
        { xml: typeof request.body === 'string' ? request.body : '' },
        actorOf(request),
      );
      return reply.status(report.alreadyImported ? 200 : 201).send(presentFlow(report));
    },
  );

  app.get(
    '/reporting-flows/:flowId',
    {
      schema: {
        tags: ['Contributions'],
        summary: 'The report of an imported flow',
        security,
        params: Type.Object({ flowId: Type.String({ minLength: 1, maxLength: 35 }) }),
        response: { 200: FlowReportView, ...errors(401, 403, 404) },
      },
    },
    async (request) => presentFlow(await getReportingFlow(deps, request.params.flowId, actorOf(request))),
  );
};

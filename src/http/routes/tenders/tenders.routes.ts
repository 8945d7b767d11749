import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ServiceDeps } from '../../../services/context.js';
import { cancelTender } from '../../../services/tenders/cancel-tender.js';
import { createTender } from '../../../services/tenders/create-tender.js';
import { getTenderHistory } from '../../../services/tenders/get-tender-history.js';
import { getTender } from '../../../services/tenders/get-tender.js';
import { listTenders } from '../../../services/tenders/list-tenders.js';
import { issueLotIdempotently } from '../../../services/tenders/issue-lot-idempotently.js';
import { IdempotencyHeaders, errors, pageOf, pageQueryWith } from '../../common.schemas.js';
import type { Metrics } from '../../metrics.js';
import { presentPage } from '../../presenters.js';
import { actorOf, idempotentRequestOf, sendCreated, sendResult } from '../../request-context.js';
import { presentHistory, presentLot, presentTender, presentTenderSummary } from './tenders.presenters.js';
import {
  CancelBody,
  CreateTenderBody,
  HistoryView,
  LotBody,
  LotView,
  TenderNumberParams,
  TenderSummaryView,
  TenderView,
} from './tenders.schemas.js';

const security = [{ bearer: [] }];

/** Tenders: creation with their lots, listing, reading, history, a new lot, cancellation. */
export const tendersRoutes: FastifyPluginAsyncTypebox<{ deps: ServiceDeps; metrics: Metrics }> = async (
  app,
  { deps, metrics },
) => {
  app.post(
    '/tenders',
    {
      schema: {
        tags: ['Tenders'],
        summary: 'Create a tender with its lots; every lot gets its CIG (RUP)',
        security,
        headers: IdempotencyHeaders,
        body: CreateTenderBody,
        response: { 201: TenderView, ...errors(400, 401, 403, 409, 422, 429) },
      },
    },
    async (request, reply) =>
      sendCreated(deps, request, reply, async (store) => {
        const created = await createTender({ ...deps, store }, request.body, actorOf(request));
        metrics.codesIssued.inc({ family: 'pcp' }, created.lots.length);
        return presentTender(created);
      }),
  );

  app.get(
    '/tenders',
    {
      schema: {
        tags: ['Tenders'],
        summary: 'Tenders I may see (a RUP: those of their contracting authority)',
        security,
        querystring: pageQueryWith({
          state: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('cancelled')])),
        }),
        response: { 200: pageOf(TenderSummaryView), ...errors(400, 401) },
      },
    },
    async (request) =>
      presentPage(
        await listTenders(deps, request.query, actorOf(request)),
        request.query,
        presentTenderSummary,
      ),
  );

  app.get(
    '/tenders/:tenderNumber',
    {
      schema: {
        tags: ['Tenders'],
        summary: 'A tender with its lots',
        security,
        params: TenderNumberParams,
        response: { 200: TenderView, ...errors(401, 404) },
      },
    },
    async (request) =>
      presentTender(await getTender(deps, Number(request.params.tenderNumber), actorOf(request))),
  );

  app.get(
    '/tenders/:tenderNumber/history',
    {
      schema: {
        tags: ['Tenders'],
        summary: 'Audit trail of a tender',
        security,
        params: TenderNumberParams,
        response: { 200: HistoryView, ...errors(401, 404) },
      },
    },
    async (request) =>
      presentHistory(await getTenderHistory(deps, Number(request.params.tenderNumber), actorOf(request))),
  );

  app.post(
    '/tenders/:tenderNumber/lots',
    {
      schema: {
        tags: ['Tenders'],
        summary: 'Add a lot to a tender and get its CIG (RUP)',
        security,
        headers: IdempotencyHeaders,
        params: TenderNumberParams,
        body: LotBody,
        response: { 201: LotView, ...errors(400, 401, 403, 404, 409, 422, 429) },
      },
    },
    async (request, reply) => {
      const result = await issueLotIdempotently(
        deps,
        { tenderNumber: Number(request.params.tenderNumber), lot: request.body },
        actorOf(request),
        idempotentRequestOf(request),
        presentLot,
      );
      if (!result.replayed) metrics.codesIssued.inc({ family: 'pcp' });
      return sendResult(reply, result);
    },
  );

  app.post(
    '/tenders/:tenderNumber/cancellation',
    {
      schema: {
        tags: ['Tenders'],
        summary: 'Cancel a tender whose lots are all cancelled (reasons 5-8)',
        security,
        headers: IdempotencyHeaders,
        params: TenderNumberParams,
        body: CancelBody,
        response: { 200: TenderView, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) =>
      sendCreated(
        deps,
        request,
        reply,
        async (store) =>
          presentTender(
            await cancelTender(
              { ...deps, store },
              { tenderNumber: Number(request.params.tenderNumber), ...request.body },
              actorOf(request),
            ),
          ),
        { statusCode: 200 },
      ),
  );
};

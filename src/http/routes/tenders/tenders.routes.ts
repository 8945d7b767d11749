import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ServiceDeps } from '../../services/context.js';
import { cancelLot } from '../../services/tenders/cancel-lot.js';
import { cancelTender } from '../../services/tenders/cancel-tender.js';
import { createTender } from '../../services/tenders/create-tender.js';
import { getLot, getTender, listTenders } from '../../services/tenders/get-tender.js';
import { issueLot } from '../../services/tenders/issue-lot.js';
import { perfectLot } from '../../services/tenders/perfect-lot.js';
import { getSmartCig, listSmartCigs, requestSmartCig } from '../../services/tenders/smart-cigs.js';
import { IdempotencyHeaders, PageQuery, errors, pageOf, pageQueryWith } from '../common.schemas.js';
import type { Metrics } from '../metrics.js';
import {
  presentLot,
  presentPage,
  presentSmartCig,
  presentTender,
  presentTenderSummary,
} from '../presenters.js';
import { actorOf, sendCreated } from '../request-context.js';
import {
  CancelBody,
  CigParams,
  CreateTenderBody,
  HistoryView,
  LotBody,
  LotView,
  PerfectLotBody,
  SmartCigBody,
  SmartCigView,
  TenderNumberParams,
  TenderSummaryView,
  TenderView,
} from './tenders.schemas.js';

const security = [{ bearer: [] }];

export const tenderRoutes: FastifyPluginAsyncTypebox<{ deps: ServiceDeps; metrics: Metrics }> = async (
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
        const { tender, lots } = await createTender({ ...deps, store }, request.body, actorOf(request));
        metrics.codesIssued.inc({ family: 'pcp' }, lots.length);
        return presentTender(tender, lots);
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
    async (request) => {
      const { tender, lots } = await getTender(deps, Number(request.params.tenderNumber), actorOf(request));
      return presentTender(tender, lots);
    },
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
    async (request) => {
      const { tender } = await getTender(deps, Number(request.params.tenderNumber), actorOf(request));
      return presentHistory(await deps.store.audit.listForEntity('tender', String(tender.tenderNumber)));
    },
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
    async (request, reply) =>
      sendCreated(deps, request, reply, async (store) => {
        const lot = await issueLot(
          { ...deps, store },
          { tenderNumber: Number(request.params.tenderNumber), lot: request.body },
          actorOf(request),
        );
        metrics.codesIssued.inc({ family: 'pcp' });
        return presentLot(lot);
      }),
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
        async (store) => {
          const tender = await cancelTender(
            { ...deps, store },
            { tenderNumber: Number(request.params.tenderNumber), ...request.body },
            actorOf(request),
          );
          return presentTender(tender, await store.lots.listByTender(tender.id));
        },
        { statusCode: 200 },
      ),
  );

  app.get(
    '/lots/:cig',
    {
      schema: {
        tags: ['Tenders'],
        summary: 'A lot, by CIG',
        security,
        params: CigParams,
        response: { 200: LotView, ...errors(401, 404) },
      },
    },
    async (request) => presentLot(await getLot(deps, request.params.cig.toUpperCase(), actorOf(request))),
  );

  app.get(
    '/lots/:cig/history',
    {
      schema: {
        tags: ['Tenders'],
        summary: 'Audit trail of a lot',
        security,
        params: CigParams,
        response: { 200: HistoryView, ...errors(401, 404) },
      },
    },
    async (request) => {
      const lot = await getLot(deps, request.params.cig.toUpperCase(), actorOf(request));
      return presentHistory(await deps.store.audit.listForEntity('lot', lot.cig));
    },
  );

  app.post(
    '/lots/:cig/perfection',
    {
      schema: {
        tags: ['Tenders'],
        summary: 'Perfect a lot: publication (or invitation) date and bid deadline, within the window',
        security,
        headers: IdempotencyHeaders,
        params: CigParams,
        body: PerfectLotBody,
        response: { 200: LotView, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) =>
      sendCreated(
        deps,
        request,
        reply,
        async (store) =>
          presentLot(
            await perfectLot(
              { ...deps, store },
              {
                cig: request.params.cig.toUpperCase(),
                publicationDate: request.body.publicationDate,
                invitationDate: request.body.invitationDate,
                bidDeadline: new Date(request.body.bidDeadline),
              },
              actorOf(request),
            ),
          ),
        { statusCode: 200 },
      ),
  );

  app.post(
    '/lots/:cig/cancellation',
    {
      schema: {
        tags: ['Tenders'],
        summary: 'Cancel a lot not yet perfected (reasons 1-4; note required for 4)',
        security,
        headers: IdempotencyHeaders,
        params: CigParams,
        body: CancelBody,
        response: { 200: LotView, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) =>
      sendCreated(
        deps,
        request,
        reply,
        async (store) =>
          presentLot(
            await cancelLot(
              { ...deps, store },
              { cig: request.params.cig.toUpperCase(), ...request.body },
              actorOf(request),
            ),
          ),
        { statusCode: 200 },
      ),
  );

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

function presentHistory(
  records: { occurredAt: Date; actor: string; action: string; before: unknown; after: unknown }[],
) {
  return {
    items: records.map((r) => ({
      at: r.occurredAt.toISOString(),
      actor: r.actor,
      action: r.action,
      before: r.before,
      after: r.after,
    })),
  };
}

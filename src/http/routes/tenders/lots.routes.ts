import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServiceDeps } from '../../../services/context.js';
import { cancelLot } from '../../../services/tenders/cancel-lot.js';
import { getLotHistory } from '../../../services/tenders/get-lot-history.js';
import { getLot } from '../../../services/tenders/get-lot.js';
import { perfectLot } from '../../../services/tenders/perfect-lot.js';
import { IdempotencyHeaders, errors } from '../../common.schemas.js';
import { actorOf, sendCreated } from '../../request-context.js';
import { presentHistory, presentLot } from './tenders.presenters.js';
import { CancelBody, CigParams, HistoryView, LotView, PerfectLotBody } from './tenders.schemas.js';

const security = [{ bearer: [] }];

/** Lots by CIG: reading, history, perfezionamento, cancellation. */
export const lotsRoutes: FastifyPluginAsyncTypebox<{ deps: ServiceDeps }> = async (app, { deps }) => {
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
    async (request) =>
      presentHistory(await getLotHistory(deps, request.params.cig.toUpperCase(), actorOf(request))),
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
};

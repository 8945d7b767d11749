import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ServiceDeps } from '../../../services/context.js';
import { openBidderPosition } from '../../../services/payments/open-bidder-position.js';
import { cancelPosition } from '../../../services/payments/cancel-position.js';
import { getPosition } from '../../../services/payments/get-position.js';
import { listOwnPositions } from '../../../services/payments/list-own-positions.js';
import { noticePdf } from '../../../services/payments/render-notice-pdf.js';
import { payInSandbox } from '../../../services/payments/pay-in-sandbox.js';
import { IdempotencyHeaders, Nullable, PageQuery, errors, pageOf } from '../../common.schemas.js';
import { presentPage } from '../../presenters.js';
import { actorOf } from '../../request-context.js';
import { CigParams } from '../tenders/tenders.schemas.js';
import { presentPosition } from './payments.presenters.js';
import { NoticeParams, PositionView } from './payments.schemas.js';

const security = [{ bearer: [] }];

/** Payment positions: a bidder's notice for a lot, reading, the printed notice, sandbox payment, withdrawal. */
export const positionsRoutes: FastifyPluginAsyncTypebox<{ deps: ServiceDeps }> = async (app, { deps }) => {
  app.post(
    '/lots/:cig/payment-positions',
    {
      schema: {
        tags: ['Contributions'],
        summary:
          'A bidder opens (or gets back) its payment position for a lot: pagoPA notice number and amount',
        security,
        headers: IdempotencyHeaders,
        params: CigParams,
        response: { 200: PositionView, 201: PositionView, ...errors(401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const { position, created } = await openBidderPosition(
        deps,
        { cig: request.params.cig.toUpperCase() },
        actorOf(request),
      );
      return reply.status(created ? 201 : 200).send(presentPosition(position));
    },
  );

  app.get(
    '/payment-positions',
    {
      schema: {
        tags: ['Contributions'],
        summary: "A bidder's payment positions",
        security,
        querystring: PageQuery,
        response: { 200: pageOf(PositionView), ...errors(401, 403) },
      },
    },
    async (request) =>
      presentPage(
        await listOwnPositions(deps, request.query, actorOf(request)),
        request.query,
        presentPosition,
      ),
  );

  app.get(
    '/payment-positions/:noticeNumber',
    {
      schema: {
        tags: ['Contributions'],
        summary: 'A payment position',
        security,
        params: NoticeParams,
        response: { 200: PositionView, ...errors(401, 404) },
      },
    },
    async (request) =>
      presentPosition(await getPosition(deps, request.params.noticeNumber, actorOf(request))),
  );

  app.get(
    '/payment-positions/:noticeNumber/notice.pdf',
    {
      schema: {
        tags: ['Contributions'],
        summary: 'The pagoPA payment notice (A4 PDF, Italian) with QR code',
        security,
        params: NoticeParams,
        produces: ['application/pdf'],
        response: { 200: Type.Unknown({ description: 'PDF' }), ...errors(401, 404, 409) },
      },
    },
    async (request, reply) => {
      const pdf = await noticePdf(deps, request.params.noticeNumber, actorOf(request));
      return reply
        .type('application/pdf')
        .header('content-disposition', `inline; filename="avviso-pagopa-${request.params.noticeNumber}.pdf"`)
        .send(pdf);
    },
  );

  app.post(
    '/payment-positions/:noticeNumber/sandbox-payment',
    {
      schema: {
        tags: ['Contributions'],
        summary:
          'SANDBOX: pay the notice through the built-in pagoPA node and PSP (real SOAP calls to this service)',
        security,
        params: NoticeParams,
        response: {
          200: Type.Object({
            outcome: Type.Union([Type.Literal('OK'), Type.Literal('KO')]),
            receiptId: Nullable(Type.String()),
            step: Nullable(Type.String()),
            fault: Nullable(Type.Object({ code: Type.String(), message: Type.String() })),
            position: PositionView,
          }),
          ...errors(401, 403, 404, 409),
        },
      },
    },
    async (request) => {
      const { result, position } = await payInSandbox(deps, request.params.noticeNumber, actorOf(request));
      return {
        outcome: result.outcome,
        receiptId: result.receiptId ?? null,
        step: result.step ?? null,
        fault: result.fault ?? null,
        position: presentPosition(position),
      };
    },
  );

  app.post(
    '/payment-positions/:noticeNumber/cancellation',
    {
      schema: {
        tags: ['Contributions'],
        summary: 'Withdraw an unpaid notice (Authority staff); the node is then told it was cancelled',
        security,
        params: NoticeParams,
        body: Type.Object(
          { note: Type.String({ minLength: 1, maxLength: 500 }) },
          { additionalProperties: false },
        ),
        response: { 200: PositionView, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) =>
      presentPosition(
        await cancelPosition(
          deps,
          { noticeNumber: request.params.noticeNumber, note: request.body.note },
          actorOf(request),
        ),
      ),
  );
};

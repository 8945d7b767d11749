import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ServiceDeps } from '../../../services/context.js';
import { listReceipts } from '../../../services/payments/list-receipts.js';
import { positionReceipt } from '../../../services/payments/get-position-receipt.js';
import { receiptPdf } from '../../../services/payments/render-receipt-pdf.js';
import { Offset, errors, pageOf } from '../../common.schemas.js';
import { presentPage } from '../../presenters.js';
import { actorOf } from '../../request-context.js';
import { presentReceipt } from './payments.presenters.js';
import { NoticeParams, ReceiptView } from './payments.schemas.js';

const security = [{ bearer: [] }];

/** Receipts: a paid position's receipt (data and PDF), and the node's receipts for Authority staff. */
export const receiptsRoutes: FastifyPluginAsyncTypebox<{ deps: ServiceDeps }> = async (app, { deps }) => {
  app.get(
    '/payment-positions/:noticeNumber/receipt',
    {
      schema: {
        tags: ['Contributions'],
        summary: 'The receipt of a paid position',
        security,
        params: NoticeParams,
        response: { 200: ReceiptView, ...errors(401, 404, 409) },
      },
    },
    async (request) =>
      presentReceipt((await positionReceipt(deps, request.params.noticeNumber, actorOf(request))).receipt),
  );

  app.get(
    '/payment-positions/:noticeNumber/receipt.pdf',
    {
      schema: {
        tags: ['Contributions'],
        summary: 'The payment receipt (A4 PDF, Italian)',
        security,
        params: NoticeParams,
        produces: ['application/pdf'],
        response: { 200: Type.Unknown({ description: 'PDF' }), ...errors(401, 404, 409) },
      },
    },
    async (request, reply) => {
      const pdf = await receiptPdf(deps, request.params.noticeNumber, actorOf(request));
      return reply
        .type('application/pdf')
        .header(
          'content-disposition',
          `inline; filename="ricevuta-pagopa-${request.params.noticeNumber}.pdf"`,
        )
        .send(pdf);
    },
  );

  app.get(
    '/receipts',
    {
      schema: {
        tags: ['Contributions'],
        summary: 'Receipts received from the pagoPA node (staff); status=review lists those kept for review',
        security,
        querystring: Type.Object(
          {
            limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
            offset: Offset,
            status: Type.Optional(
              Type.Union([
                Type.Literal('applied'),
                Type.Literal('repeated'),
                Type.Literal('review'),
                Type.Literal('ko'),
              ]),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(ReceiptView), ...errors(400, 401, 403) },
      },
    },
    async (request) =>
      presentPage(await listReceipts(deps, request.query, actorOf(request)), request.query, presentReceipt),
  );
};

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { DomainError } from '../../../domain/shared/errors.js';
import type { ServiceDeps } from '../../../services/context.js';
import { getPecReceiptMessage } from '../../../services/notices/get-pec-receipt-message.js';
import { listPecReceipts } from '../../../services/notices/list-pec-receipts.js';
import { MAX_PEC_RECEIPT_BYTES } from '../../../services/notices/ports.js';
import { receivePecMessage } from '../../../services/notices/receive-pec-message.js';
import { errors } from '../../common.schemas.js';
import { actorOf } from '../../request-context.js';
import { IdParams, security } from './notices.schemas.js';
import { IntakeView, presentReceipt, ReceiptListQuery, ReceiptView } from './pec-receipts.schemas.js';

/** Certified e-mail receipts: the inbound channel over HTTP, the list, each message as received. */
export const pecReceiptsRoutes: FastifyPluginAsyncTypebox<{ deps: ServiceDeps }> = async (app, { deps }) => {
  app.post(
    '/pec-receipts',
    {
      schema: {
        tags: ['Notices'],
        summary:
          'Inbound channel for PEC receipts: the raw message (message/rfc822, at most 4 MB); kept even when not matched; it changes a delivery state only when its S/MIME signature verifies and daticert.xml backs it',
        security,
        consumes: ['message/rfc822'],
        response: { 201: IntakeView, ...errors(400, 401, 403, 413) },
      },
      bodyLimit: MAX_PEC_RECEIPT_BYTES,
    },
    async (request, reply) => {
      const raw = Buffer.isBuffer(request.body)
        ? request.body
        : Buffer.from(typeof request.body === 'string' ? request.body : '');
      if (raw.length === 0)
        throw new DomainError('validation_failed', 'send the raw receipt message as the body', {
          field: 'body',
        });
      const { parsed, outcome } = await receivePecMessage(deps, raw, actorOf(request));
      return reply.status(201).send({
        matched: outcome.matched,
        duplicate: outcome.duplicate,
        kind: parsed.kind,
        conformant: parsed.conformant,
        problems: parsed.problems,
        state: outcome.state,
        status: outcome.status,
        signer: parsed.signature.signer,
        reviewReasons: outcome.reviewReasons,
      });
    },
  );
  app.get(
    '/pec-receipts',
    {
      schema: {
        tags: ['Notices'],
        summary:
          'Receipts received, newest first; ?unmatched=true for those no message claims, ?status=review for those kept for review; a regional officer sees those of their section and those they posted',
        security,
        querystring: ReceiptListQuery,
        response: { 200: Type.Object({ items: Type.Array(ReceiptView) }), ...errors(400, 401, 403) },
      },
    },
    async (request) => ({
      items: (await listPecReceipts(deps, request.query, actorOf(request))).map(presentReceipt),
    }),
  );
  app.get(
    '/pec-receipts/:id/message.eml',
    {
      schema: {
        tags: ['Notices'],
        summary: 'A receipt exactly as it was received',
        security,
        params: IdParams,
        produces: ['message/rfc822'],
        response: { 200: Type.Unknown(), ...errors(401, 403, 404) },
      },
    },
    async (request, reply) =>
      reply
        .type('message/rfc822')
        .send(await getPecReceiptMessage(deps, request.params.id, actorOf(request))),
  );
};

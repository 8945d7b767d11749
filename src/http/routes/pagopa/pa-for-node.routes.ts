import type { FastifyPluginAsync } from 'fastify';
import type { ServiceDeps } from '../../../services/context.js';
import { answerPaForNode, refuseNodeCaller } from '../../../services/payments/answer-pa-for-node.js';
import { ReceiptIntake } from '../../../services/payments/receive-receipts.js';
import type { PaymentPosition } from '../../../services/payments/ports.js';
import { nodeAuthenticator, type NodeAuthPolicy } from '../../pagopa-node-auth.js';

/**
 * The creditor's SOAP service for the pagoPA node (paForNode.wsdl): POST /pagopa/paForNode. Every
 * answer is HTTP 200 with outcome OK, or KO and a fault with the official code. Only the node may call
 * (see NodeAuthPolicy); anyone else is answered PAA_SYSTEM_ERROR before the body is read. The SOAP
 * codec is `deps.paForNode` (wired in container.ts); `answerPaForNode` reads the request and answers.
 */
export const pagopaRoutes: FastifyPluginAsync<{
  deps: ServiceDeps;
  /** Who may call; absent = nobody (fail closed). */
  nodeAuth?: NodeAuthPolicy | undefined;
  onReceiptApplied?: (position: PaymentPosition) => void;
  /** Receipt batches in flight at once (1 on PGlite, a share of the pool on PostgreSQL). */
  maxConcurrentBatches?: number;
  /** Built by the container; one is made when absent (tests that build the app alone). */
  intake?: ReceiptIntake;
}> = async (app, { deps, nodeAuth, onReceiptApplied, maxConcurrentBatches, intake: given }) => {
  const intake = given ?? new ReceiptIntake(deps, { maxConcurrent: maxConcurrentBatches ?? 1 });
  const authenticate = nodeAuthenticator(nodeAuth ?? { subscriptionKeys: [], allowedAddresses: [] });
  app.post(
    '/pagopa/paForNode',
    {
      schema: { hide: true },
      config: { auth: 'public' },
      bodyLimit: deps.paForNode.maxRequestBytes,
      // Checked on arrival, before the body is read or parsed.
      onRequest: async (request, reply) => {
        const result = authenticate({
          address: request.socket.remoteAddress ?? '',
          headers: request.headers,
        });
        if (result.ok) return;
        request.log.warn(
          { remoteAddress: request.socket.remoteAddress, reason: result.reason },
          'paForNode call refused: not the pagoPA node',
        );
        return reply
          .type('text/xml; charset=utf-8')
          .send(refuseNodeCaller(deps, { soapAction: request.headers.soapaction }));
      },
    },
    async (request, reply) => {
      reply.type('text/xml; charset=utf-8');
      const answer = await answerPaForNode(
        { ...deps, intake },
        {
          xml: typeof request.body === 'string' ? request.body : '',
          soapAction: request.headers.soapaction,
        },
      );
      if (answer.failure) {
        request.log.error(
          { err: answer.failure.error, operation: answer.failure.operation },
          'paForNode request failed',
        );
      }
      if (answer.applied) onReceiptApplied?.(answer.applied);
      return answer.xml;
    },
  );
};

import type { FastifyPluginAsync } from 'fastify';
import { instantFromRomeLocal } from '../../domain/shared/dates.js';
import { formatAmount, parseAmount } from '../../domain/shared/money.js';
import {
  faultResponse,
  getPaymentResponse,
  parsePaForNodeRequest,
  sendRtResponse,
  verifyResponse,
  type PaForNodeOperation,
  type PaForNodeRequest,
  type Receipt,
} from '../../adapters/pagopa/pa-for-node-soap.js';
import type { ServiceDeps } from '../../services/context.js';
import { nodeAuthenticator, type NodeAuthPolicy } from '../pagopa-node-auth.js';
import {
  activatePayment,
  ReceiptIntake,
  verifyNotice,
  type IncomingReceipt,
  type PaymentFault,
} from '../../services/payments/pagopa-creditor.js';
import type { PaymentPosition } from '../../services/payments/ports.js';
import { SOAP_REQUEST_LIMITS } from '../../adapters/xml/xml-limits.js';

/**
 * The creditor's SOAP service for the pagoPA node (paForNode.wsdl): POST /pagopa/paForNode. Every
 * answer is HTTP 200 with outcome OK, or KO and a fault with the official code. Only the node may call
 * (see NodeAuthPolicy); anyone else is answered PAA_SYSTEM_ERROR before the body is read.
 */
export const pagopaRoutes: FastifyPluginAsync<{
  deps: ServiceDeps;
  /** Who may call; absent = nobody (fail closed). */
  nodeAuth?: NodeAuthPolicy | undefined;
  onReceiptApplied?: (position: PaymentPosition) => void;
  /** Receipt batches in flight at once (1 on PGlite, a share of the pool on PostgreSQL). */
  maxConcurrentBatches?: number;
}> = async (app, { deps, nodeAuth, onReceiptApplied, maxConcurrentBatches }) => {
  const intake = new ReceiptIntake(deps, { maxConcurrent: maxConcurrentBatches ?? 1 });
  const authenticate = nodeAuthenticator(nodeAuth ?? { subscriptionKeys: [], allowedAddresses: [] });
  app.post(
    '/pagopa/paForNode',
    {
      schema: { hide: true },
      config: { auth: 'public' },
      bodyLimit: SOAP_REQUEST_LIMITS.maxBytes,
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
        return reply.type('text/xml; charset=utf-8').send(
          faultResponse(operationFromAction(request.headers.soapaction) ?? 'paVerifyPaymentNotice', {
            code: 'PAA_SYSTEM_ERROR',
            faultString: 'caller not authorised',
            description: 'only the pagoPA node may call this station',
            idPA: deps.creditor.fiscalCode,
          }),
        );
      },
    },
    async (request, reply) => {
      const xml = typeof request.body === 'string' ? request.body : '';
      reply.type('text/xml; charset=utf-8');
      const parsed = parsePaForNodeRequest(xml);
      const action = request.headers.soapaction;
      if (!parsed.ok) {
        const operation = parsed.operation ?? operationFromAction(action) ?? 'paVerifyPaymentNotice';
        return syntaxFault(operation, parsed.message, parsed.idPA);
      }
      const req = parsed.request;
      // SOAP 1.1: SOAPAction states the intent; a value naming another operation than the body's is refused.
      const named = operationFromAction(action);
      if (named !== undefined && named !== req.operation) {
        return syntaxFault(
          req.operation,
          `the SOAPAction header (${String(action)}) does not match the body's operation ${req.operation}`,
          req.idPA,
        );
      }
      try {
        return await answer(req, xml);
      } catch (error) {
        request.log.error({ err: error, operation: req.operation }, 'paForNode request failed');
        return faultResponse(req.operation, {
          code: 'PAA_SYSTEM_ERROR',
          faultString: 'system error at the creditor',
          description: 'temporary error: retry later',
          idPA: deps.creditor.fiscalCode,
        });
      }
    },
  );

  /** pagoPA's error table lists PAA_SINTASSI_EXTRAXSD as the syntax fault of these operations. */
  function syntaxFault(operation: PaForNodeOperation, message: string, idPA: string | undefined): string {
    return faultResponse(operation, {
      code: 'PAA_SINTASSI_EXTRAXSD',
      faultString: 'syntax error: the request does not conform to paForNode.wsdl/paForNode.xsd',
      description: message,
      idPA: idPA ?? deps.creditor.fiscalCode,
    });
  }

  async function answer(req: PaForNodeRequest, xml: string): Promise<string> {
    const caller = { idPA: req.idPA, idBrokerPA: req.idBrokerPA, idStation: req.idStation };
    const fault = (f: PaymentFault) =>
      faultResponse(req.operation, {
        code: f.code,
        faultString: f.code,
        description: f.message,
        idPA: deps.creditor.fiscalCode,
      });
    switch (req.operation) {
      case 'paVerifyPaymentNotice': {
        const result = await verifyNotice(deps, { caller, ...req.qrCode });
        if (!result.ok) return fault(result.fault);
        return verifyResponse({
          amount: formatAmount(result.value.amountCents),
          dueDate: result.value.dueDate,
          detailDescription: result.value.subject,
          paymentDescription: result.value.subject,
          fiscalCodePA: deps.creditor.fiscalCode,
          companyName: deps.creditor.name,
          officeName: deps.creditor.officeName,
        });
      }
      case 'paGetPayment':
      case 'paGetPaymentV2': {
        const result = await activatePayment(deps, {
          caller,
          ...req.qrCode,
          amountCents: req.amount === undefined ? undefined : parseAmount(req.amount),
        });
        if (!result.ok) return fault(result.fault);
        return getPaymentResponse(req.operation === 'paGetPayment' ? 'v1' : 'v2', paymentData(result.value));
      }
      case 'paSendRT':
      case 'paSendRTV2': {
        const version = req.operation === 'paSendRT' ? 'v1' : 'v2';
        const result = await intake.receive({
          caller,
          version,
          receipt: incoming(req.receipt),
          rawXml: xml,
        });
        if (!result.ok) return fault(result.fault);
        if (result.value.status === 'applied' && result.value.position)
          onReceiptApplied?.(result.value.position);
        return sendRtResponse(version);
      }
    }
  }

  function paymentData(p: PaymentPosition) {
    const amount = formatAmount(p.amountCents);
    return {
      creditorReferenceId: p.iuv,
      amount,
      dueDate: p.dueDate,
      description: p.subject,
      companyName: deps.creditor.name,
      officeName: deps.creditor.officeName,
      fiscalCodePA: deps.creditor.fiscalCode,
      debtor: { type: p.debtorType, fiscalCode: p.debtorFiscalCode, fullName: p.debtorName.slice(0, 70) },
      transfers: [
        {
          idTransfer: 1,
          amount,
          fiscalCodePA: deps.creditor.fiscalCode,
          iban: deps.creditor.iban,
          remittanceInformation: p.subject,
          transferCategory: '9/0301109AP',
        },
      ],
    };
  }
};

function incoming(r: Receipt): IncomingReceipt {
  return {
    receiptId: r.receiptId,
    noticeNumber: r.noticeNumber,
    fiscalCode: r.fiscalCode,
    outcome: r.outcome,
    amountCents: parseAmount(r.paymentAmount),
    pspId: r.idPSP,
    pspName: r.pspCompanyName,
    channelId: r.idChannel,
    paymentMethod: r.paymentMethod ?? null,
    paymentDateTime: r.paymentDateTime ? instantFromRomeLocal(r.paymentDateTime) : null,
    payerFiscalCode: r.payer?.fiscalCode ?? null,
    ...(r.standIn === undefined ? {} : { standIn: r.standIn }),
  };
}

const operations: PaForNodeOperation[] = [
  'paVerifyPaymentNotice',
  'paGetPayment',
  'paGetPaymentV2',
  'paSendRT',
  'paSendRTV2',
];

/**
 * The operation a SOAPAction header names (quoted or not, possibly after a namespace or a slash), or
 * undefined when it is absent, empty or names none of them.
 */
function operationFromAction(action: unknown): PaForNodeOperation | undefined {
  if (typeof action !== 'string') return undefined;
  const text = action.trim().replace(/^"(.*)"$/, '$1');
  const last = /([A-Za-z0-9]+)$/.exec(text)?.[1];
  return operations.find((o) => o === last);
}

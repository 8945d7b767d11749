import { instantFromRomeLocal } from '../../domain/shared/dates.js';
import { formatAmount, parseAmount } from '../../domain/shared/money.js';
import type { ServiceDeps } from '../context.js';
import { activatePayment } from './activate-payment.js';
import { verifyNotice } from './verify-notice.js';
import type { IncomingReceipt, PaymentFault } from './pagopa-creditor.js';
import type { ReceiptIntake } from './receive-receipts.js';
import type {
  NodePaymentData,
  NodeReceipt,
  NodeRequest,
  PaForNodeOperation,
  PaymentPosition,
} from './ports.js';

type Deps = Pick<ServiceDeps, 'store' | 'clock' | 'ids' | 'creditor' | 'paForNode'> & {
  /** Groups the receipts that arrive together into one transaction. */
  intake: ReceiptIntake;
};

/** The SOAP answer, and the error behind a PAA_SYSTEM_ERROR answer (for the log). */
export interface PaForNodeAnswer {
  xml: string;
  failure?: { error: unknown; operation: PaForNodeOperation };
  /** A receipt applied to this position (the caller drops what it cached about it). */
  applied?: PaymentPosition;
}

/**
 * The creditor's answer to one paForNode call of the pagoPA node (who called was checked before the
 * body was read): the request read by the SOAP codec, checked against the SOAPAction header, then
 * verifyNotice / activatePayment / the receipt intake. Always an answer: OK, or KO with the fault.
 */
export async function answerPaForNode(
  deps: Deps,
  input: { xml: string; soapAction: unknown },
): Promise<PaForNodeAnswer> {
  const parsed = deps.paForNode.parseRequest(input.xml);
  if (!parsed.ok) {
    const operation = parsed.operation ?? operationFromAction(input.soapAction) ?? 'paVerifyPaymentNotice';
    return { xml: syntaxFault(deps, operation, parsed.message, parsed.idPA) };
  }
  const req = parsed.request;
  // SOAP 1.1: SOAPAction states the intent; a value naming another operation than the body's is refused.
  const named = operationFromAction(input.soapAction);
  if (named !== undefined && named !== req.operation) {
    return {
      xml: syntaxFault(
        deps,
        req.operation,
        `the SOAPAction header (${String(input.soapAction)}) does not match the body's operation ${req.operation}`,
        req.idPA,
      ),
    };
  }
  try {
    return await answer(deps, req, input.xml);
  } catch (error) {
    return {
      xml: deps.paForNode.faultResponse(req.operation, {
        code: 'PAA_SYSTEM_ERROR',
        faultString: 'system error at the creditor',
        description: 'temporary error: retry later',
        idPA: deps.creditor.fiscalCode,
      }),
      failure: { error, operation: req.operation },
    };
  }
}

/** The answer to a caller that is not the pagoPA node (refused before its body is read). */
export function refuseNodeCaller(
  deps: Pick<ServiceDeps, 'creditor' | 'paForNode'>,
  input: { soapAction: unknown },
): string {
  return deps.paForNode.faultResponse(operationFromAction(input.soapAction) ?? 'paVerifyPaymentNotice', {
    code: 'PAA_SYSTEM_ERROR',
    faultString: 'caller not authorised',
    description: 'only the pagoPA node may call this station',
    idPA: deps.creditor.fiscalCode,
  });
}

/** pagoPA's error table lists PAA_SINTASSI_EXTRAXSD as the syntax fault of these operations. */
function syntaxFault(
  deps: Pick<ServiceDeps, 'creditor' | 'paForNode'>,
  operation: PaForNodeOperation,
  message: string,
  idPA: string | undefined,
): string {
  return deps.paForNode.faultResponse(operation, {
    code: 'PAA_SINTASSI_EXTRAXSD',
    faultString: 'syntax error: the request does not conform to paForNode.wsdl/paForNode.xsd',
    description: message,
    idPA: idPA ?? deps.creditor.fiscalCode,
  });
}

async function answer(deps: Deps, req: NodeRequest, xml: string): Promise<PaForNodeAnswer> {
  const codec = deps.paForNode;
  const caller = { idPA: req.idPA, idBrokerPA: req.idBrokerPA, idStation: req.idStation };
  const fault = (f: PaymentFault): PaForNodeAnswer => ({
    xml: codec.faultResponse(req.operation, {
      code: f.code,
      faultString: f.code,
      description: f.message,
      idPA: deps.creditor.fiscalCode,
    }),
  });
  switch (req.operation) {
    case 'paVerifyPaymentNotice': {
      const result = await verifyNotice(deps, { caller, ...req.qrCode });
      if (!result.ok) return fault(result.fault);
      return {
        xml: codec.verifyResponse({
          amount: formatAmount(result.value.amountCents),
          dueDate: result.value.dueDate,
          detailDescription: result.value.subject,
          paymentDescription: result.value.subject,
          fiscalCodePA: deps.creditor.fiscalCode,
          companyName: deps.creditor.name,
          officeName: deps.creditor.officeName,
        }),
      };
    }
    case 'paGetPayment':
    case 'paGetPaymentV2': {
      const result = await activatePayment(deps, {
        caller,
        ...req.qrCode,
        amountCents: req.amount === undefined ? undefined : parseAmount(req.amount),
      });
      if (!result.ok) return fault(result.fault);
      return {
        xml: codec.getPaymentResponse(
          req.operation === 'paGetPayment' ? 'v1' : 'v2',
          paymentData(deps, result.value),
        ),
      };
    }
    case 'paSendRT':
    case 'paSendRTV2': {
      const version = req.operation === 'paSendRT' ? 'v1' : 'v2';
      const result = await deps.intake.receive({
        caller,
        version,
        receipt: incoming(req.receipt),
        rawXml: xml,
      });
      if (!result.ok) return fault(result.fault);
      return {
        xml: codec.sendRtResponse(version),
        ...(result.value.status === 'applied' && result.value.position
          ? { applied: result.value.position }
          : {}),
      };
    }
  }
}

function paymentData(deps: Pick<ServiceDeps, 'creditor'>, p: PaymentPosition): NodePaymentData {
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

function incoming(r: NodeReceipt): IncomingReceipt {
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

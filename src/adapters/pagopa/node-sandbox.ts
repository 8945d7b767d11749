import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Clock } from '../../domain/shared/clock.js';
import { romeDateOf, romeLocalDateTime } from '../../domain/shared/dates.js';
import type { CreditorConfig, PaymentNode } from '../../services/payments/ports.js';
import {
  getPaymentV2Request,
  parseResponse,
  sendRtV2Request,
  verifyRequest,
  type Caller,
  type Receipt,
  type Transfer,
} from './pa-for-node-soap.js';

/**
 * SANDBOX ONLY. Plays the pagoPA node and a payment provider (PSP): pays a notice by making the real
 * SOAP calls the node makes to the creditor, over HTTP, against the running service —
 * paVerifyPaymentNotice, paGetPaymentV2, then paSendRTV2 with a receipt. Switched off in production
 * (PAGOPA_SANDBOX=off), where the real node calls the same endpoint.
 */
export const SANDBOX_PSP = {
  id: 'SANDBOXPSP01',
  name: 'PSP di prova (sandbox gara)',
  channel: 'SANDBOXPSP01_01',
};

export function createNodeSandbox(options: {
  /** Base URL of the service, e.g. http://127.0.0.1:3000 (read at each payment: known after listen). */
  baseUrl: () => string;
  creditor: CreditorConfig;
  clock: Clock;
  /** Sent in Ocp-Apim-Subscription-Key, as the node does (the station accepts only the node). */
  subscriptionKey?: string | undefined;
  fetch?: typeof fetch;
}): PaymentNode {
  const doFetch = options.fetch ?? fetch;
  const caller: Caller = {
    idPA: options.creditor.fiscalCode,
    idBrokerPA: options.creditor.brokerId,
    idStation: options.creditor.stationId,
  };

  async function call(operation: string, body: string) {
    const response = await doFetch(`${options.baseUrl()}/pagopa/paForNode`, {
      method: 'POST',
      headers: {
        'content-type': 'text/xml; charset=utf-8',
        soapaction: operation,
        ...(options.subscriptionKey === undefined
          ? {}
          : { 'ocp-apim-subscription-key': options.subscriptionKey }),
      },
      body,
      signal: AbortSignal.timeout(15_000),
    });
    return parseResponse(await response.text());
  }

  return {
    async pay({ noticeNumber, payer }) {
      const qrCode = { fiscalCode: options.creditor.fiscalCode, noticeNumber };
      const verified = await call('paVerifyPaymentNotice', verifyRequest(caller, qrCode));
      if (verified.outcome === 'KO')
        return { outcome: 'KO', step: 'paVerifyPaymentNotice', ...faultOf(verified) };
      const amount = String(pick(verified.fields, 'amount') ?? '');
      const data = await call('paGetPaymentV2', getPaymentV2Request(caller, qrCode, amount));
      if (data.outcome === 'KO') return { outcome: 'KO', step: 'paGetPaymentV2', ...faultOf(data) };
      const now = options.clock.now();
      const receiptId = `SBX${now.getTime()}${randomUUID().slice(0, 8)}`.toUpperCase();
      const description = String(pick(data.fields, 'description') ?? 'Contributo ANAC').slice(0, 140);
      const payerType = payer.fiscalCode.length === 11 ? 'G' : 'F';
      const transfer: Transfer = {
        idTransfer: 1,
        amount,
        fiscalCodePA: options.creditor.fiscalCode,
        iban: options.creditor.iban,
        remittanceInformation: description,
        transferCategory: '9/0301109AP',
      };
      const receipt: Receipt = {
        receiptId,
        noticeNumber,
        fiscalCode: options.creditor.fiscalCode,
        outcome: 'OK',
        creditorReferenceId: String(pick(data.fields, 'creditorReferenceId') ?? noticeNumber.slice(1)),
        paymentAmount: amount,
        description,
        companyName: String(pick(data.fields, 'companyName') ?? options.creditor.name),
        debtor: { type: payerType, fiscalCode: payer.fiscalCode, fullName: payer.name },
        transferList: [transfer],
        idPSP: SANDBOX_PSP.id,
        pspCompanyName: SANDBOX_PSP.name,
        idChannel: SANDBOX_PSP.channel,
        channelDescription: 'app',
        payer: { type: payerType, fiscalCode: payer.fiscalCode, fullName: payer.name },
        paymentMethod: 'creditCard',
        fee: '1.00',
        paymentDateTime: romeLocalDateTime(now),
        applicationDate: romeDateOf(now),
        transferDate: romeDateOf(now),
      };
      const sent = await call('paSendRTV2', sendRtV2Request(caller, receipt));
      if (sent.outcome === 'KO') return { outcome: 'KO', step: 'paSendRTV2', receiptId, ...faultOf(sent) };
      return { outcome: 'OK', receiptId };
    },
  };
}

function faultOf(response: ReturnType<typeof parseResponse>) {
  return {
    fault: {
      code: response.fault?.faultCode ?? 'UNKNOWN',
      message: response.fault?.description ?? response.fault?.faultString ?? '',
    },
  };
}

/** Finds a scalar field anywhere in the parsed response (the element names used here are unique). */
function pick(fields: unknown, name: string): unknown {
  if (fields === null || typeof fields !== 'object') return undefined;
  const record = fields as Record<string, unknown>;
  if (name in record && typeof record[name] !== 'object') return record[name];
  for (const value of Object.values(record)) {
    const found = Array.isArray(value)
      ? value.map((v) => pick(v, name)).find((v) => v !== undefined)
      : pick(value, name);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * SANDBOX ONLY. The subscription key the sandbox and the service share when none is configured: read
 * from `file`, or created there (random, readable by the owner only) on the first start.
 */
export function loadOrCreateNodeKey(file: string): string {
  try {
    const key = readFileSync(file, 'utf8').trim();
    if (key.length >= 16) return key;
  } catch {
    // absent: created below
  }
  const key = randomBytes(24).toString('hex');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return key;
}

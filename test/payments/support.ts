import type { Harness } from '../support/harness.js';
import { bearer, testCreditor, testNodeKey } from '../support/harness.js';
import { withNumericCheckDigit } from '../../src/domain/registry/fiscal-code.js';
import { sampleLot } from '../support/factories.js';

let counter = 0;

/** A bidder (economic operator with a user) and a perfected lot of `amount` to bid on. */
export async function bidderAndLot(h: Harness, options: { amount?: string; bidDeadline?: string } = {}) {
  const rup = await h.factories.rup();
  const now = h.clock.now();
  const { tender, lots } = await h.factories.tender(rup.actor, {
    lots: [sampleLot({ amount: options.amount ?? '480000.00' })],
  });
  const lot = lots[0]!;
  const publication = now.toISOString().slice(0, 10);
  const res = await h.app.inject({
    method: 'POST',
    url: `/api/v1/lots/${lot.cig}/perfection`,
    headers: bearer(rup.token),
    payload: {
      publicationDate: publication,
      bidDeadline: options.bidDeadline ?? new Date(now.getTime() + 30 * 86_400_000).toISOString(),
    },
  });
  if (res.statusCode !== 200) throw new Error(`perfection failed: ${res.body}`);
  counter += 1;
  const vat = withNumericCheckDigit(
    `0${String(Date.now() % 1_000_000).padStart(6, '0')}${String(counter % 100).padStart(2, '0')}0`.slice(
      0,
      7,
    ) + '072',
  );
  const operatorId = h.deps.ids.uuid();
  await h.deps.store.registry.insertEconomicOperator({
    id: operatorId,
    fiscalCode: vat,
    vatNumber: vat,
    name: `Impresa di prova ${counter} S.r.l.`,
    pec: null,
    createdAt: now,
  });
  const bidder = await h.factories.user('economic_operator', { economicOperatorId: operatorId });
  return { rup, tender, lot, bidder, bidderFiscalCode: vat };
}

export async function openPosition(h: Harness, cig: string, token: string) {
  const res = await h.app.inject({
    method: 'POST',
    url: `/api/v1/lots/${cig}/payment-positions`,
    headers: bearer(token),
  });
  if (res.statusCode >= 300) throw new Error(`position: ${res.statusCode} ${res.body}`);
  return res.json() as { noticeNumber: string; amount: string; iuv: string; dueDate: string; state: string };
}

export const caller = {
  idPA: testCreditor.fiscalCode,
  idBrokerPA: testCreditor.brokerId,
  idStation: testCreditor.stationId,
};

/** A call as the pagoPA node makes it (with its subscription key); `headers` adds or replaces headers. */
export const soap = (h: Harness, body: string, action = '', headers: Record<string, string> = {}) =>
  h.app.inject({
    method: 'POST',
    url: '/pagopa/paForNode',
    headers: {
      'content-type': 'text/xml; charset=utf-8',
      soapaction: action,
      'ocp-apim-subscription-key': testNodeKey,
      ...headers,
    },
    payload: body,
  });

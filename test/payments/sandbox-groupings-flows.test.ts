import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReportingFlow, type ReportingFlow } from '../../src/adapters/pagopa/reporting-flow.js';
import { createNodeSandbox } from '../../src/adapters/pagopa/node-sandbox.js';
import { buildMonthlyGroupings } from '../../src/services/payments/build-groupings.js';
import { createHarness, bearer, testCreditor, testNodeKey, type Harness } from '../support/harness.js';
import { sampleLot } from '../support/factories.js';
import { engineName } from '../support/test-db.js';
import { bidderAndLot, openPosition } from './support.js';

describe(`sandbox payment over real HTTP, groupings, reporting flows (${engineName()})`, () => {
  let h: Harness;
  let url = '';
  beforeAll(async () => {
    // A long answer cache: the verification below must still see the payment at once (invalidation).
    h = await createHarness({ now: '2026-03-02T09:00:00Z', lookupCacheTtlMs: 600_000 });
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    const address = h.app.server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    h.deps.paymentNode = createNodeSandbox({
      baseUrl: () => url,
      creditor: testCreditor,
      clock: h.clock,
      subscriptionKey: testNodeKey,
    });
  });
  afterAll(() => h.close());

  const xml = (body: string, token: string) =>
    h.app.inject({
      method: 'POST',
      url: '/api/v1/reporting-flows',
      headers: { ...bearer(token), 'content-type': 'application/xml' },
      payload: body,
    });

  it('a bidder pays in the sandbox: verify, get payment and receipt travel as SOAP over HTTP; the receipt PDF is ready', async () => {
    const { lot, bidder, rup, bidderFiscalCode } = await bidderAndLot(h);
    const { noticeNumber } = await openPosition(h, lot.cig, bidder.token);
    const before = (
      await h.app.inject({
        url: `/api/v1/lots/${lot.cig}/contributions/${bidderFiscalCode}`,
        headers: bearer(rup.token),
      })
    ).json();
    expect(before.status).toBe('not_paid');
    const paid = await h.app.inject({
      method: 'POST',
      url: `/api/v1/payment-positions/${noticeNumber}/sandbox-payment`,
      headers: bearer(bidder.token),
    });
    expect(paid.statusCode).toBe(200);
    expect(paid.json()).toMatchObject({ outcome: 'OK', position: { state: 'paid', noticeNumber } });
    const verified = (
      await h.app.inject({
        url: `/api/v1/lots/${lot.cig}/contributions/${bidderFiscalCode}`,
        headers: bearer(rup.token),
      })
    ).json();
    expect(verified).toMatchObject({ status: 'paid', receipt: { psp: { id: 'SANDBOXPSP01' } } });
    const receipt = await h.app.inject({
      url: `/api/v1/payment-positions/${noticeNumber}/receipt.pdf`,
      headers: bearer(bidder.token),
    });
    expect(receipt.statusCode).toBe(200);
    const mine = (
      await h.app.inject({ url: '/api/v1/payment-positions', headers: bearer(bidder.token) })
    ).json();
    expect(mine.items.map((p: { noticeNumber: string }) => p.noticeNumber)).toContain(noticeNumber);
    const twice = await h.app.inject({
      method: 'POST',
      url: `/api/v1/payment-positions/${noticeNumber}/sandbox-payment`,
      headers: bearer(bidder.token),
    });
    expect(twice.statusCode).toBe(409);
  });

  it('monthly groupings: one notice per authority for the tenders started in the month; re-running adds nothing', async () => {
    h.clock.set('2026-01-15T10:00:00Z');
    const rup = await h.factories.rup();
    await h.factories.tender(rup.actor, { lots: [sampleLot({ amount: '480000.00' })] }); // SA fee 250 (2023+ table)
    await h.factories.tender(rup.actor, { lots: [sampleLot({ amount: '90000.00' })] }); // 35
    await h.factories.tender(rup.actor, { lots: [sampleLot({ amount: '20000.00' })] }); // exempt
    h.clock.set('2026-02-03T10:00:00Z');
    await h.factories.tender(rup.actor, { lots: [sampleLot({ amount: '90000.00' })] }); // February: not in January's grouping
    try {
      const first = await buildMonthlyGroupings(h.deps, '2026-01');
      expect(first.created).toBeGreaterThanOrEqual(1);
      const again = await buildMonthlyGroupings(h.deps, '2026-01');
      expect(again).toEqual({ period: '2026-01', created: 0, tenders: 0 });
      const list = (await h.app.inject({ url: '/api/v1/sa-groupings', headers: bearer(rup.token) })).json();
      expect(list.items).toHaveLength(1);
      expect(list.items[0]).toMatchObject({ period: '2026-01', amount: '285.00', tenderCount: 2 });
      const notice = await h.app.inject({
        url: `/api/v1/payment-positions/${list.items[0].noticeNumber}`,
        headers: bearer(rup.token),
      });
      expect(notice.json()).toMatchObject({
        kind: 'authority_grouping',
        amount: '285.00',
        debtor: { fiscalCode: rup.authority.fiscalCode },
      });
    } finally {
      h.clock.set('2026-03-02T09:00:00Z');
    }
  });

  it('imports a reporting flow: settles payments, reports unknown IUVs and mismatches; a second import changes nothing', async () => {
    const staff = await h.factories.user('authority_staff');
    const a = await bidderAndLot(h);
    const b = await bidderAndLot(h);
    const pa = await openPosition(h, a.lot.cig, a.bidder.token);
    const pb = await openPosition(h, b.lot.cig, b.bidder.token);
    for (const [p, bidder] of [
      [pa, a.bidder],
      [pb, b.bidder],
    ] as const) {
      await h.app.inject({
        method: 'POST',
        url: `/api/v1/payment-positions/${p.noticeNumber}/sandbox-payment`,
        headers: bearer(bidder.token),
      });
    }
    const flow: ReportingFlow = {
      flowId: '2026-03-02SANDBOXPSP01-0001',
      flowDateTime: '2026-03-02T12:00:00',
      settlementId: 'SCT-2026-0001',
      settlementDate: '2026-03-02',
      sender: { type: 'B', id: 'SANDBOXPSP01', name: 'PSP di prova' },
      receiver: { type: 'G', id: testCreditor.fiscalCode, name: testCreditor.name },
      totalPayments: 3,
      totalAmountCents: 3300 + 3000 + 1000,
      payments: [
        { iuv: pa.iuv, receiptId: 'R1', amountCents: 3300, outcome: 0, outcomeDate: '2026-03-02' },
        { iuv: pb.iuv, receiptId: 'R2', amountCents: 3000, outcome: 0, outcomeDate: '2026-03-02' },
        {
          iuv: '01202699999999999',
          receiptId: 'R3',
          amountCents: 1000,
          outcome: 0,
          outcomeDate: '2026-03-02',
        },
      ],
    };
    const body = buildReportingFlow(flow);
    const first = await xml(body, staff.token);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({
      alreadyImported: false,
      settled: 1,
      unknownIuv: 1,
      amountMismatch: 1,
    });
    expect(first.json().lines[1]).toMatchObject({
      result: 'amount_mismatch',
      amount: '30.00',
      expectedAmount: '33.00',
    });
    const settled = (
      await h.app.inject({
        url: `/api/v1/payment-positions/${pa.noticeNumber}`,
        headers: bearer(a.bidder.token),
      })
    ).json();
    expect(settled.settledAt).not.toBeNull();
    const second = await xml(body, staff.token);
    expect(second.statusCode).toBe(200);
    expect(second.json()).toMatchObject({
      alreadyImported: true,
      settled: 1,
      unknownIuv: 1,
      amountMismatch: 1,
    });
    const count = await h.db.db
      .selectFrom('reporting_flow_lines')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(3);

    const broken = await xml(
      body.replace('<numeroTotalePagamenti>3<', '<numeroTotalePagamenti>4<'),
      staff.token,
    );
    expect(broken.statusCode).toBe(400);
    expect(broken.json().detail).toMatch(/numeroTotalePagamenti/);
    expect((await xml(body, a.bidder.token)).statusCode).toBe(403);
  });
});

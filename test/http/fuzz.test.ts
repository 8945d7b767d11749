import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, bearer, type Harness } from '../support/harness.js';
import { sampleLot, sampleTender, uniqueNumericFiscalCode } from '../support/factories.js';
import { engineName } from '../support/test-db.js';

/**
 * Random and malformed bodies against every creating endpoint: never a 5xx, and a refused request
 * writes nothing (every write leaves an audit row, so the audit count must not move on a 4xx).
 */
describe(`fuzzing the creating endpoints (${engineName()})`, () => {
  let h: Harness;
  let rupToken: string;
  let adminToken: string;
  let tenderNumber: number;
  let cig: string;
  let caId: string;
  let requests = 0;

  beforeAll(async () => {
    h = await createHarness();
    const rup = await h.factories.rup();
    rupToken = rup.token;
    caId = rup.authority.id;
    adminToken = (await h.factories.user('admin')).token;
    const { tender, lots } = await h.factories.tender(rup.actor);
    tenderNumber = tender.tenderNumber;
    cig = lots[0]!.cig;
  });
  afterAll(async () => {
    await h.close();
    expect(requests).toBeGreaterThanOrEqual(1000);
  });

  const auditCount = async () =>
    Number(
      (
        await h.db.db
          .selectFrom('audit_log')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  /** A valid body with one field replaced, removed or added, or an arbitrary JSON value. */
  const mutated = (valid: Record<string, unknown>) =>
    fc.oneof(
      fc.jsonValue(),
      fc
        .record({
          key: fc.constantFrom(...Object.keys(valid), 'extra', '__proto__', 'constructor'),
          value: fc.jsonValue(),
        })
        .map(({ key, value }) => ({ ...valid, [key]: value })),
      fc
        .constantFrom(...Object.keys(valid))
        .map((key) => Object.fromEntries(Object.entries(valid).filter(([k]) => k !== key))),
      fc
        .record({ key: fc.constantFrom(...Object.keys(valid)), value: fc.string({ maxLength: 3000 }) })
        .map(({ key, value }) => ({ ...valid, [key]: value })),
    );

  const endpoints = () => [
    { url: '/api/v1/tenders', token: rupToken, valid: { ...sampleTender() } },
    { url: `/api/v1/tenders/${tenderNumber}/lots`, token: rupToken, valid: { ...sampleLot() } },
    {
      url: '/api/v1/smart-cigs',
      token: rupToken,
      valid: {
        contractType: 'under_threshold',
        contractObject: 'works',
        procedureType: '10',
        object: 'x',
        amount: '100.00',
      },
    },
    {
      url: `/api/v1/lots/${cig}/perfection`,
      token: rupToken,
      valid: { publicationDate: '2026-03-02', bidDeadline: '2026-04-02T10:00:00Z' },
    },
    { url: `/api/v1/lots/${cig}/cancellation`, token: rupToken, valid: { reason: 4, note: 'x' } },
    { url: `/api/v1/tenders/${tenderNumber}/cancellation`, token: rupToken, valid: { reason: 8, note: 'x' } },
    {
      url: '/api/v1/contracting-authorities',
      token: adminToken,
      valid: {
        fiscalCode: uniqueNumericFiscalCode(),
        ausaCode: '0000111111',
        name: 'Ente',
        istatPlace: '016072006',
        pec: 'a@b.example',
      },
    },
    {
      url: '/api/v1/economic-operators',
      token: adminToken,
      valid: { fiscalCode: uniqueNumericFiscalCode(), name: 'Impresa' },
    },
    {
      url: '/api/v1/users',
      token: adminToken,
      valid: { name: 'Nome', email: 'n@x.example', role: 'rup', contractingAuthorityId: caId },
    },
    {
      url: `/api/v1/contracting-authorities/${caId}/cost-centres`,
      token: adminToken,
      valid: { code: 'C1', name: 'Centro' },
    },
  ];

  it('at least 1,000 random and malformed bodies: no 5xx, and 4xx writes nothing', async () => {
    for (const endpoint of endpoints()) {
      await fc.assert(
        fc.asyncProperty(mutated(endpoint.valid), fc.boolean(), async (body, raw) => {
          const before = await auditCount();
          requests += 1;
          const res = await h.app.inject({
            method: 'POST',
            url: endpoint.url,
            headers: { ...bearer(endpoint.token), 'content-type': 'application/json' },
            // Half the time the JSON is cut short: malformed bytes must be a 400 too.
            payload: raw ? JSON.stringify(body).slice(0, -1) : JSON.stringify(body),
          });
          expect(res.statusCode, `${endpoint.url} ${res.body}`).toBeLessThan(500);
          if (res.statusCode >= 400) {
            expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
            expect(await auditCount()).toBe(before);
          }
        }),
        { numRuns: 110 },
      );
    }
  });

  it('odd content types, empty and oversized bodies are refused cleanly', async () => {
    const cases = [
      { headers: { 'content-type': 'text/plain' }, payload: 'hello' },
      { headers: { 'content-type': 'application/json' }, payload: '' },
      { headers: { 'content-type': 'application/xml' }, payload: '<a/>' },
      {
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ ...sampleTender(), object: 'x'.repeat(2_000_000) }),
      },
    ];
    for (const c of cases) {
      requests += 1;
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/v1/tenders',
        headers: { ...bearer(rupToken), ...c.headers },
        payload: c.payload,
      });
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      expect(res.json().code).toBeDefined();
    }
  });
});

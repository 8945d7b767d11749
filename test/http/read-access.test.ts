import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleLot } from '../support/factories.js';
import { bearer, createHarness, type Harness } from '../support/harness.js';

/**
 * The reads that route handlers used to do on the store themselves now go through use cases that check
 * who may read: another authority's (or section's) tender and lot history is not found; receipts,
 * reporting flows and grouping runs are the Authority's staff's; a RUP's groupings are their own.
 */
describe('read use cases check who may read', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  const get = (url: string, token: string) => h.app.inject({ url, headers: bearer(token) });

  it('tender and lot history: the own RUP and staff read it; another authority or section gets 404', async () => {
    const owner = await h.factories.rup({ section: 'PUG' });
    const other = await h.factories.rup({ section: 'PUG' });
    const staff = await h.factories.user('authority_staff');
    const sameSection = await h.factories.user('regional_staff', { regionalSectionCode: 'PUG' });
    const otherSection = await h.factories.user('regional_staff', { regionalSectionCode: 'LOM' });
    const { tender, lots } = await h.factories.tender(owner.actor);
    const cig = lots[0]!.cig;
    const tenderUrl = `/api/v1/tenders/${String(tender.tenderNumber).padStart(7, '0')}/history`;
    const lotUrl = `/api/v1/lots/${cig}/history`;

    for (const reader of [owner, staff, sameSection]) {
      const t = await get(tenderUrl, reader.token);
      expect(t.statusCode, t.body).toBe(200);
      expect(t.json().items.length).toBeGreaterThan(0);
      expect((await get(lotUrl, reader.token)).statusCode).toBe(200);
    }
    for (const stranger of [other, otherSection]) {
      const t = await get(tenderUrl, stranger.token);
      expect(t.statusCode).toBe(404);
      expect(t.json().code).toBe('not_found');
      expect((await get(lotUrl, stranger.token)).statusCode).toBe(404);
    }
  });

  it("groupings: a RUP lists only their authority's; staff list all; only staff run them", async () => {
    h.clock.set('2026-01-15T10:00:00Z');
    const a = await h.factories.rup();
    const b = await h.factories.rup();
    const staff = await h.factories.user('authority_staff');
    await h.factories.tender(a.actor, { lots: [sampleLot({ amount: '480000.00' })] });
    h.clock.set('2026-03-02T09:00:00Z');
    const refused = await h.app.inject({
      method: 'POST',
      url: '/api/v1/sa-groupings/runs',
      headers: bearer(a.token),
      payload: { period: '2026-01' },
    });
    expect(refused.statusCode).toBe(403);
    const run = await h.app.inject({
      method: 'POST',
      url: '/api/v1/sa-groupings/runs',
      headers: bearer(staff.token),
      payload: { period: '2026-01' },
    });
    expect(run.statusCode, run.body).toBe(200);

    const ofA = (await get('/api/v1/sa-groupings?limit=100', a.token)).json();
    expect(ofA.items.map((g: { contractingAuthorityId: string }) => g.contractingAuthorityId)).toEqual([
      a.authority.id,
    ]);
    const ofB = (await get('/api/v1/sa-groupings?limit=100', b.token)).json();
    expect(ofB.items).toEqual([]);
    const all = (await get('/api/v1/sa-groupings?limit=100', staff.token)).json();
    expect(all.items.map((g: { contractingAuthorityId: string }) => g.contractingAuthorityId)).toContain(
      a.authority.id,
    );
  });

  it("receipts and reporting flows are the Authority staff's: a RUP gets 403 before the body is read", async () => {
    const rup = await h.factories.rup();
    const staff = await h.factories.user('authority_staff');
    expect((await get('/api/v1/receipts', rup.token)).statusCode).toBe(403);
    expect((await get('/api/v1/receipts', staff.token)).statusCode).toBe(200);
    expect((await get('/api/v1/reporting-flows/NO-SUCH-FLOW', rup.token)).statusCode).toBe(403);
    const unknown = await get('/api/v1/reporting-flows/NO-SUCH-FLOW', staff.token);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('not_found');
    const post = (token: string) =>
      h.app.inject({
        method: 'POST',
        url: '/api/v1/reporting-flows',
        headers: { ...bearer(token), 'content-type': 'application/xml' },
        payload: '<not-a-flow/>',
      });
    expect((await post(rup.token)).statusCode).toBe(403);
    const invalid = await post(staff.token);
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json()).toMatchObject({ code: 'validation_failed' });
  });
});

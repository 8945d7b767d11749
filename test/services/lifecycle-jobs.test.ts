import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireLots } from '../../src/services/tenders/expire-lots.js';
import { perfectLot } from '../../src/services/tenders/perfect-lot.js';
import { getLot } from '../../src/services/tenders/get-lot.js';
import { DomainError } from '../../src/domain/shared/errors.js';
import { createHarness, type Harness } from '../support/harness.js';
import { sampleLot } from '../support/factories.js';
import { engineName } from '../support/test-db.js';

describe(`lot lifecycle with a fixed clock (${engineName()})`, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ now: '2021-05-03T08:00:00Z' });
  });
  afterAll(() => h.close());

  it('a CIG acquired in May 2021 has 150 days; one acquired in 2023 has 90', async () => {
    const rup = await h.factories.rup();
    h.clock.set('2021-05-03T08:00:00Z');
    const may2021 = await h.factories.tender(rup.actor);
    expect(may2021.lots[0]!.perfectionDeadline).toBe('2021-09-30');
    h.clock.set('2023-02-01T08:00:00Z');
    const in2023 = await h.factories.tender(rup.actor);
    expect(in2023.lots[0]!.perfectionDeadline).toBe('2023-05-02');
  });

  it('the scheduled job cancels unperfected lots after the deadline, as automatic, and only those', async () => {
    const rup = await h.factories.rup();
    h.clock.set('2025-01-10T10:00:00Z');
    const { lots } = await h.factories.tender(rup.actor, { lots: [sampleLot(), sampleLot(), sampleLot()] });
    const [expiring, perfected, cancelledByRup] = lots as [
      (typeof lots)[0],
      (typeof lots)[0],
      (typeof lots)[0],
    ];
    expect(expiring.perfectionDeadline).toBe('2025-04-10');
    h.clock.set('2025-02-01T10:00:00Z');
    await perfectLot(
      h.deps,
      { cig: perfected.cig, publicationDate: '2025-01-31', bidDeadline: new Date('2025-03-01T11:00:00Z') },
      rup.actor,
    );
    await h.app.inject({
      method: 'POST',
      url: `/api/v1/lots/${cancelledByRup.cig}/cancellation`,
      headers: { authorization: `Bearer ${rup.token}` },
      payload: { reason: 2 },
    });

    h.clock.set('2025-04-10T21:59:00Z'); // 23:59 in Rome on the last day: still open
    expect((await expireLots(h.deps)).cancelled).not.toContain(expiring.cig);
    h.clock.set('2025-04-10T22:00:00Z'); // midnight in Rome: the window has closed
    const refused = await perfectLot(
      h.deps,
      { cig: expiring.cig, publicationDate: '2025-04-01', bidDeadline: new Date('2025-05-01T10:00:00Z') },
      rup.actor,
    ).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused).toMatchObject({ code: 'invalid_state', reason: 'perfection_window_closed' });

    const run = await expireLots(h.deps);
    expect(run.cancelled).toContain(expiring.cig);
    expect(run.cancelled).not.toContain(perfected.cig);
    expect(run.cancelled).not.toContain(cancelledByRup.cig);
    expect((await expireLots(h.deps)).cancelled).not.toContain(expiring.cig); // idempotent

    const after = await getLot(h.deps, expiring.cig, rup.actor);
    expect(after).toMatchObject({ state: 'cancelled', cancelReason: 0 });
    const audit = await h.deps.store.audit.listForEntity('lot', expiring.cig);
    expect(audit.at(-1)).toMatchObject({
      action: 'lot.expired',
      actor: 'system:expire-lots',
      actorUserId: null,
    });
    expect((await getLot(h.deps, cancelledByRup.cig, rup.actor)).cancelReason).toBe(2);
  });

  it('expiring many lots in batches leaves none behind', async () => {
    const rup = await h.factories.rup();
    h.clock.set('2024-01-05T10:00:00Z');
    const { lots } = await h.factories.tender(rup.actor, {
      lots: Array.from({ length: 25 }, () => sampleLot()),
    });
    h.clock.set('2024-06-01T10:00:00Z');
    const run = await expireLots(h.deps, { batchSize: 7 });
    for (const lot of lots) expect(run.cancelled).toContain(lot.cig);
  });
});

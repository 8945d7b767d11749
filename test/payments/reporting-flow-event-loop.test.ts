import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FDR_NAMESPACE } from '../../src/adapters/pagopa/reporting-flow.js';
import { createHarness, bearer, type Harness } from '../support/harness.js';
import { engineName } from '../support/test-db.js';

/**
 * A reporting flow is parsed off the event loop: a body of ~490,000 empty elements (within the 8 MB
 * body limit; it took ~3.5 s to parse on the event loop) must not hold other requests up. The bound
 * leaves room for a loaded 2-core machine; the figure is printed.
 */
const MAX_EVENT_LOOP_DELAY_MS = 500;

describe(`a reporting flow does not hold the event loop (${engineName()})`, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ now: '2026-03-02T09:00:00Z' });
  });
  afterAll(() => h.close());

  it('490,000 empty elements: refused, and the event loop never stalls past the bound', async () => {
    const staff = await h.factories.user('authority_staff');
    const body = `<?xml version="1.0" encoding="UTF-8"?><FlussoRiversamento xmlns="${FDR_NAMESPACE}">${'<a/>'.repeat(490_000)}</FlussoRiversamento>`;
    // Two probes: Node's event-loop delay histogram and a 20 ms timer recording the longest gap
    // between its ticks (a loop blocked for seconds shows as one long gap).
    const histogram = monitorEventLoopDelay({ resolution: 10 });
    let probes = 0;
    let last = performance.now();
    let maxGapMs = 0;
    const probe = setInterval(() => {
      const now = performance.now();
      maxGapMs = Math.max(maxGapMs, now - last);
      last = now;
      probes++;
    }, 20);
    histogram.enable();
    const started = performance.now();
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/reporting-flows',
      headers: { ...bearer(staff.token), 'content-type': 'application/xml' },
      payload: body,
    });
    const elapsed = performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 100)); // the probes see the last gap
    histogram.disable();
    clearInterval(probe);
    const maxDelayMs = Math.max(histogram.max / 1e6, maxGapMs - 20);
    console.log(
      `reporting flow of 490,000 empty elements: answered ${res.statusCode} in ${elapsed.toFixed(0)} ms; event-loop delay max ${maxDelayMs.toFixed(0)} ms (timer gap ${maxGapMs.toFixed(0)} ms), p99 ${(histogram.percentile(99) / 1e6).toFixed(0)} ms; ${probes} timer ticks`,
    );
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toContain("unexpected element 'a'");
    expect(maxDelayMs).toBeLessThan(MAX_EVENT_LOOP_DELAY_MS);
  });
});

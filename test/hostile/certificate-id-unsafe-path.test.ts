import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.js';
import { engineName } from '../support/test-db.js';

/**
 * Hostile pass (issue 14.3): a certificate URL whose id is not an id at all — with a NUL, a lone
 * surrogate, bad percent-encoding, or over 100 characters — answered 400 in English problem+json
 * (the API's input guard), where every other unknown id gets the Italian "Attestazione non trovata"
 * page. Reproduction: `curl -i localhost:PORT/stato/attestazioni/ATT-INC-2026-0001%00`. Now 404, Italian.
 */
describe(`certificate ids that are not ids (${engineName()})`, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ now: '2026-04-03T10:00:00Z' });
  });
  afterAll(() => h.close());

  it('answers the Italian 404 page, never problem+json nor 500', async () => {
    for (const id of [
      'ATT-INC-2026-0001%00',
      '%00',
      '%ED%A0%80',
      'ATT-%ED%B0%80.pdf',
      '%E0%A4%A',
      'A'.repeat(10_000),
      `ATT-INC-2026-${'9'.repeat(5_000)}.json`,
      '..%2F..%2Fetc%2Fpasswd',
      '%3Cscript%3Ealert(1)%3C%2Fscript%3E',
      'ATT-MAN-00000000-0000-0000-0000-000000000000',
    ]) {
      const res = await h.app.inject(`/stato/attestazioni/${id}`);
      expect(res.statusCode, id.slice(0, 40)).toBe(404);
      expect(res.headers['content-type'], id.slice(0, 40)).toMatch(/^text\/html/);
      expect(res.body).toContain('Attestazione non trovata');
      expect(res.body).not.toContain('<script>');
      expect(res.body.length).toBeLessThan(20_000);
    }
  });
});

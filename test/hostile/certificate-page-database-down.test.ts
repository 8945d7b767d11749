import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DomainError } from '../../src/domain/shared/errors.js';
import { createHarness, type Harness } from '../support/harness.js';
import { engineName } from '../support/test-db.js';

/**
 * Hostile pass (issue 14.3): with the database stopped, a certificate page (`/stato/attestazioni/{id}`,
 * `.pdf`, `.json`) answered 503 in English problem+json: the certificates' own error handler sent every
 * error but 404 on to the API's. A stopped database fails fast (ECONNREFUSED, or the adapters'
 * service_unavailable), before the 400 ms page deadline can answer with the Italian page. Reproduction:
 * a service on a private PostgreSQL, `pg_ctl stop`, `curl -i localhost:PORT/stato/attestazioni/ATT-INC-…`.
 * Now the Italian "servizio non disponibile" page, 503 with Retry-After, like the portal's pages.
 */
describe(`certificate pages while the database is down (${engineName()})`, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ now: '2026-04-03T10:00:00Z' });
  });
  afterAll(() => h.close());

  const failures: [string, () => Error][] = [
    [
      'a refused connection',
      () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    ],
    [
      'the adapters’ service_unavailable',
      () => new DomainError('service_unavailable', 'the database does not answer'),
    ],
  ];
  for (const [what, failure] of failures) {
    it(`answers the Italian 503 page with Retry-After on ${what}`, async () => {
      const certificates = h.deps.store.certificates;
      const spies = [
        vi.spyOn(certificates, 'findCertificate').mockRejectedValue(failure()),
        vi.spyOn(certificates, 'certificatePdf').mockRejectedValue(failure()),
      ];
      try {
        for (const url of [
          '/stato/attestazioni/ATT-INC-2026-0001',
          '/stato/attestazioni/ATT-INC-2026-0001.pdf',
          '/stato/attestazioni/ATT-INC-2026-0001.json',
        ]) {
          const res = await h.app.inject(url);
          expect(res.statusCode, url).toBe(503);
          expect(res.headers['retry-after'], url).toBeDefined();
          expect(res.headers['content-type'], url).toMatch(/^text\/html/);
          expect(res.body, url).toContain('Servizio temporaneamente non disponibile');
        }
      } finally {
        for (const spy of spies) spy.mockRestore();
      }
    });
  }
});

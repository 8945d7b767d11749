import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openIncident } from '../../src/services/continuity/incidents.js';
import type { Role } from '../../src/services/ports.js';
import { sampleLot, sampleTender } from '../support/factories.js';
import { bearer, createHarness, type Harness } from '../support/harness.js';
import { engineName } from '../support/test-db.js';

/**
 * Issue 9, point 1: no request can freeze the service. Every POST under /api/v1, taken from the app's
 * own route table (the OpenAPI document, so a new POST is covered by itself), is sent with an
 * Idempotency-Key; each must answer within a bound and without a 5xx, and the database must still
 * answer afterwards. On PGlite (one session) an operation that used the whole-database store inside
 * the idempotency transaction used to freeze every later call.
 */
const BOUND_MS = 5000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe(`every POST with an Idempotency-Key completes (${engineName()})`, () => {
  let h: Harness;
  const tokens = new Map<Role, string>();
  let rupToken = '';
  const values: Record<string, string> = {};

  beforeAll(async () => {
    h = await createHarness({ now: '2026-03-02T09:00:00Z' });
    const rup = await h.factories.rup();
    rupToken = rup.token;
    for (const role of ['admin', 'authority_staff', 'regional_staff'] as const)
      tokens.set(
        role,
        (await h.factories.user(role, role === 'regional_staff' ? { regionalSectionCode: 'PUG' } : {})).token,
      );
    tokens.set('rup', rup.token);
    const tender = await h.factories.tender(rup.actor);
    const staff = await h.factories.user('authority_staff');
    const incident = await openIncident(
      h.deps,
      {
        title: 'Disservizio di prova',
        impact: 'degraded',
        services: ['notices'],
        message: 'Verifica in corso.',
      },
      staff.actor,
    );
    Object.assign(values, {
      tenderNumber: String(tender.tender.tenderNumber),
      cig: tender.lots[0]!.cig,
      code: incident.code,
      id: rup.authority.id,
    });
  }, 120_000);
  afterAll(() => h?.close());

  /** Valid bodies where the request is known; any other POST gets `{}` (it must still answer). */
  const bodies: Record<string, unknown> = {
    '/api/v1/tenders': sampleTender(),
    '/api/v1/tenders/{tenderNumber}/lots': sampleLot(),
    '/api/v1/smart-cigs': {
      contractType: 'under_threshold',
      contractObject: 'supplies',
      procedureType: '10',
      object: 'Cancelleria',
      amount: '39999.99',
    },
    '/api/v1/incidents': {
      title: 'Rallentamenti',
      impact: 'degraded',
      services: ['publication_data'],
      message: 'Stiamo verificando.',
    },
    '/api/v1/incidents/{code}/updates': { state: 'identified', message: 'Causa individuata.' },
    '/api/v1/maintenances': {
      title: 'Aggiornamento',
      description: 'Manutenzione programmata.',
      services: ['notices'],
      startsAt: '2026-03-10T20:00:00Z',
      endsAt: '2026-03-10T22:00:00Z',
    },
  };
  /** These must be carried out, not merely answered: they are the ones that froze the service. */
  const mustSucceed = new Set(Object.keys(bodies));

  const within = async <T>(promise: Promise<T>, ms: number): Promise<T | 'hung'> =>
    Promise.race([promise, sleep(ms).then(() => 'hung' as const)]);

  it('answers each within the bound, never 5xx, and the database keeps answering', async () => {
    const doc = h.app.swagger() as { paths: Record<string, Record<string, unknown>> };
    const posts = Object.entries(doc.paths)
      .filter(([path, ops]) => path.startsWith('/api/v1/') && 'post' in ops)
      .map(([path]) => path);
    expect(posts.length).toBeGreaterThan(25);
    for (const known of mustSucceed) expect(posts, known).toContain(known);

    const results: string[] = [];
    let n = 0;
    for (const template of posts) {
      const url = template.replace(/\{(\w+)\}/g, (_m, name: string) => values[name] ?? 'x');
      const body = bodies[template] ?? {};
      let answer: { statusCode: number; body: string } | 'hung' = 'hung';
      // The first role the route does not refuse (403) carries the request out.
      for (const [role, token] of tokens) {
        answer = await within(
          h.app.inject({
            method: 'POST',
            url,
            headers: { ...bearer(token), 'idempotency-key': `route-table-${n++}` },
            payload: body as object,
          }),
          BOUND_MS,
        );
        if (answer === 'hung' || answer.statusCode !== 403) {
          results.push(`${template} as ${role}: ${answer === 'hung' ? 'no answer' : answer.statusCode}`);
          break;
        }
      }
      expect(answer, `${template}: no answer within ${BOUND_MS} ms`).not.toBe('hung');
      if (answer === 'hung') return;
      expect(answer.statusCode, `${template}: ${answer.body}`).toBeLessThan(500);
      if (mustSucceed.has(template))
        expect(answer.statusCode, `${template}: ${answer.body}`).toBeLessThan(300);
      if (template === '/api/v1/incidents') {
        // The status view was rebuilt after the change (not silently skipped).
        const code = (JSON.parse(answer.body) as { code: string }).code;
        const status = (await h.app.inject('/api/v1/status')).json<{ incidents: { code: string }[] }>();
        expect(status.incidents.map((i) => i.code)).toContain(code);
      }
      // The service still answers a call that reads the database.
      const read = await within(
        h.app.inject({ url: '/api/v1/tenders?limit=1', headers: bearer(rupToken) }),
        2000,
      );
      expect(read === 'hung' ? 'no answer' : read.statusCode, `database after ${template}`).toBe(200);
    }
    console.log(`${posts.length} POST routes with an Idempotency-Key:\n  ${results.join('\n  ')}`);
  }, 300_000);
});

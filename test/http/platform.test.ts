import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, bearer, type Harness } from '../support/harness.js';
import { engineName } from '../support/test-db.js';

describe(`health, metrics, OpenAPI, limits (${engineName()})`, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ rateLimitMax: 5 });
  });
  afterAll(() => h.close());

  it('answers liveness and readiness (which checks the database)', async () => {
    expect((await h.app.inject('/health/live')).json()).toEqual({ status: 'ok' });
    expect((await h.app.inject('/health/ready')).json()).toEqual({ status: 'ok', database: engineName() });
  });

  it('exposes Prometheus metrics', async () => {
    await h.app.inject('/health/live');
    const res = await h.app.inject('/metrics');
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.body).toMatch(/gara_http_request_duration_seconds_bucket\{.*route="\/health\/live"/);
    expect(res.body).toMatch(/gara_process_resident_memory_bytes/);
  });

  it('publishes an OpenAPI 3 document where every API operation has request and response schemas', async () => {
    const doc = (await h.app.inject('/openapi.json')).json();
    expect(doc.openapi).toMatch(/^3\./);
    const operations = Object.entries(
      doc.paths as Record<
        string,
        Record<string, { responses: Record<string, { content?: unknown }>; requestBody?: unknown }>
      >,
    )
      .filter(([path]) => path.startsWith('/api/v1'))
      .flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method, op })));
    expect(operations.length).toBeGreaterThan(30);
    for (const { path, method, op } of operations) {
      const ok = Object.entries(op.responses).find(([status]) => status.startsWith('2'));
      expect(ok?.[1].content, `${method} ${path} response schema`).toBeDefined();
      // Actions without a body, and the reporting-flow and PEC receipt imports (raw bodies).
      const noJsonBody =
        /\/(payment-positions|sandbox-payment|reporting-flows|regularisation)$/.test(path) ||
        /maintenances\/.*cancellation$/.test(path) ||
        /\/(approval|retry|pec-receipts)$/.test(path);
      if (method === 'post' && !noJsonBody) expect(op.requestBody, `${method} ${path} body`).toBeDefined();
    }
    expect(
      doc.paths['/api/v1/tenders'].post.parameters.some(
        (p: { name: string }) => p.name === 'idempotency-key',
      ),
    ).toBe(true);
    const docs = await h.app.inject('/docs/');
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toMatch(/swagger/i);
  });

  it('unknown routes are problem+json 404 with the request id', async () => {
    const res = await h.app.inject({ url: '/api/v1/nothing-here', headers: { 'x-request-id': 'trace-123' } });
    expect(res.statusCode).toBe(404);
    expect(res.headers['x-request-id']).toBe('trace-123');
    expect(res.json()).toMatchObject({ status: 404, code: 'not_found', requestId: 'trace-123' });
  });

  it('limits requests per token with a 429 problem', async () => {
    const rup = await h.factories.rup();
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++)
      statuses.push((await h.app.inject({ url: '/api/v1/tenders', headers: bearer(rup.token) })).statusCode);
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    const limited = await h.app.inject({ url: '/api/v1/tenders', headers: bearer(rup.token) });
    expect(limited.json()).toMatchObject({ status: 429, code: 'rate_limited' });
    const otherToken = await h.factories.rup();
    expect(
      (await h.app.inject({ url: '/api/v1/tenders', headers: bearer(otherToken.token) })).statusCode,
    ).toBe(200);
    expect((await h.app.inject('/health/live')).statusCode).toBe(200);
  });

  it('limits invalid tokens like anonymous calls: one bucket per address, whatever the token', async () => {
    const from = (remoteAddress: string, token?: string) =>
      h.app.inject({
        url: '/api/v1/tenders',
        remoteAddress,
        ...(token ? { headers: bearer(token) } : {}),
      });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++)
      statuses.push((await from('203.0.113.7', randomBytes(32).toString('base64url'))).statusCode);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    // The same bucket as that address's anonymous calls; another address has its own.
    expect((await from('203.0.113.7')).statusCode).toBe(429);
    const elsewhere = await from('203.0.113.8', randomBytes(32).toString('base64url'));
    expect(elsewhere.statusCode).toBe(401);
    expect(elsewhere.json()).toMatchObject({ code: 'unauthorized' });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import { TokenAuthenticator } from '../../src/services/auth/authenticate.js';
import { StatusMonitor } from '../../src/services/status/status-monitor.js';
import { createHarness, bearer, type Harness } from '../support/harness.js';
import { engineName } from '../support/test-db.js';

describe(`probes and the status while the database is down (${engineName()})`, () => {
  let h: Harness;
  let databaseAnswers = true;
  let monitor: StatusMonitor;
  let app: Awaited<ReturnType<typeof buildApp>>;
  beforeAll(async () => {
    h = await createHarness({ now: '2026-03-02T09:00:00Z' });
    // The monitor's view of the database is what the probe says; the test decides what it says.
    monitor = new StatusMonitor(h.deps, {
      ping: async () => {
        if (!databaseAnswers) throw new Error('connection refused');
        await h.db.ping();
      },
      failuresToOpen: 3,
      successesToClose: 2,
    });
    app = await buildApp({
      deps: h.deps,
      authenticator: new TokenAuthenticator(h.deps),
      ping: h.db.ping,
      engine: h.db.engine,
      version: 'test',
      rateLimit: { max: 1e6, windowMs: 60_000 },
      monitor,
    });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await h.close();
  });

  it('opens an incident after N failures, keeps answering from memory, records the window when the database is back', async () => {
    const rup = await h.factories.rup();
    await monitor.tick();
    expect((await app.inject('/status')).statusCode).toBe(200);

    databaseAnswers = false;
    h.clock.set('2026-03-02T09:00:01Z');
    await monitor.tick();
    // At once: API calls fail fast with 503 + Retry-After; status endpoints answer from memory.
    const started = Date.now();
    const api = await app.inject({ url: '/api/v1/tenders', headers: bearer(rup.token) });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(api.statusCode).toBe(503);
    expect(api.headers['retry-after']).toBeDefined();
    expect(api.json()).toMatchObject({ code: 'service_unavailable', reason: 'database_down' });
    const stale = (await app.inject('/api/v1/status')).json();
    expect(stale).toMatchObject({ database: 'unreachable', stale: true });

    for (const t of ['09:00:02', '09:00:03', '09:00:04', '09:00:05']) {
      h.clock.set(`2026-03-02T${t}Z`);
      await monitor.tick();
    }
    const view = (await app.inject('/api/v1/status')).json();
    expect(view.overall).toBe('major_outage');
    // Shown once, however many ticks pass while the database is down.
    expect(view.incidents.filter((i: { code: string }) => i.code === 'INC-IN-REGISTRAZIONE')).toHaveLength(1);
    expect(view.incidents[0]).toMatchObject({
      code: 'INC-IN-REGISTRAZIONE',
      source: 'probe',
      startedAt: '2026-03-02T09:00:01.000Z',
    });
    const status = await app.inject('/status');
    expect(status.statusCode).toBe(503);
    expect(status.json()).toMatchObject({ database: 'unreachable' });
    const page = await app.inject('/stato');
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/ultimo stato|base dati/i);
    expect((await app.inject('/status/feed.atom')).headers['content-type']).toMatch(/atom\+xml/);

    databaseAnswers = true;
    for (const t of ['09:00:10', '09:00:11', '09:00:12']) {
      h.clock.set(`2026-03-02T${t}Z`);
      await monitor.tick();
    }
    const after = (await app.inject('/api/v1/status')).json();
    expect(after).toMatchObject({ database: 'reachable', stale: false, overall: 'operational' });
    const recorded = after.incidents.find((i: { source: string }) => i.source === 'probe');
    expect(recorded).toMatchObject({
      state: 'resolved',
      startedAt: '2026-03-02T09:00:01.000Z',
      resolvedAt: '2026-03-02T09:00:10.000Z',
    });
    expect(recorded.code).toMatch(/^INC-2026-/);
    expect((await app.inject({ url: '/api/v1/tenders', headers: bearer(rup.token) })).statusCode).toBe(200);
  });

  it('maintenance starts and ends by itself', async () => {
    const staff = await h.factories.user('authority_staff');
    h.clock.set('2026-03-02T10:00:00Z');
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/maintenances',
      headers: bearer(staff.token),
      payload: {
        title: 'Aggiornamento della piattaforma',
        description: 'Intervento programmato',
        services: ['smart_cig'],
        startsAt: '2026-03-02T11:00:00Z',
        endsAt: '2026-03-02T12:00:00Z',
      },
    });
    expect(res.statusCode).toBe(201);
    const state = async () => {
      await monitor.refresh();
      const view = (await app.inject('/api/v1/status')).json();
      return {
        service: view.services.find((s: { code: string }) => s.code === 'smart_cig').state,
        listed: view.maintenances.map((m: { state: string }) => m.state),
      };
    };
    expect(await state()).toEqual({ service: 'operational', listed: ['scheduled'] });
    h.clock.set('2026-03-02T11:30:00Z');
    expect(await state()).toEqual({ service: 'maintenance', listed: ['in_progress'] });
    h.clock.set('2026-03-02T12:00:01Z');
    expect(await state()).toEqual({ service: 'operational', listed: [] });
  });

  it('a ping that is only slow turns the API to 503 from the second slow round in a row, not the first', async () => {
    const rup = await h.factories.rup();
    let slow = false;
    const slowMonitor = new StatusMonitor(h.deps, {
      ping: () => (slow ? new Promise<void>(() => undefined) : h.db.ping()),
      failuresToOpen: 3,
    });
    await slowMonitor.tick();
    slow = true;
    await slowMonitor.tick(); // 800 ms without an answer
    expect(slowMonitor.databaseUp).toBe(true);
    await slowMonitor.tick();
    expect(slowMonitor.databaseUp).toBe(false);
    slow = false;
    await slowMonitor.tick();
    expect(slowMonitor.databaseUp).toBe(true);
    slow = true;
    await slowMonitor.tick();
    expect(slowMonitor.databaseUp).toBe(true);
    expect((await app.inject({ url: '/api/v1/tenders', headers: bearer(rup.token) })).statusCode).toBe(200);
  });
});

import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/adapters/db/database.js';
import { systemClock } from '../../src/domain/shared/clock.js';
import { actorFromUser } from '../../src/services/context.js';
import { publishNotice } from '../../src/services/notices/publish-notice.js';
import { relayNotice } from '../../src/services/notices/relay-notice.js';
import { Factories } from '../support/factories.js';
import { serviceDeps } from '../support/harness.js';
import {
  adminQuery,
  api,
  cuttableProxy,
  demoTokens,
  freshDatabase,
  sampleTenderBody,
  sleep,
  startGara,
  type DemoToken,
  type GaraProcess,
} from './support.js';

/**
 * Three `gara serve` processes on one PostgreSQL database (a fresh one on the machine's server,
 * reached through a TCP proxy the test can cut): the rate limit holds across them, what one changes
 * is dropped from the others' caches (LISTEN/NOTIFY, delay measured), and an outage all three see
 * is one recorded incident. Needs `npm run build` first (npm run test:ha does it) and GARA_HA_TEST=1.
 */
const RATE_LIMIT = 40;

describe('three gara processes on one PostgreSQL', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let proxy: Awaited<ReturnType<typeof cuttableProxy>>;
  let directUrl: string;
  const procs: GaraProcess[] = [];
  let tokens: DemoToken[];

  beforeAll(async () => {
    database = await freshDatabase();
    directUrl = database.url;
    proxy = await cuttableProxy(Number(new URL(directUrl).port || 5432));
    const viaProxy = new URL(directUrl);
    viaProxy.port = String(proxy.port);
    const env = {
      DATABASE_URL: viaProxy.toString(),
      PROBE_INTERVAL_MS: '250',
      RATE_LIMIT_MAX: String(RATE_LIMIT),
      RATE_LIMIT_WINDOW_MS: '60000',
      RATE_LIMIT_STORE: 'database',
      // Long enough that only an invalidation can explain a fresh answer within the test.
      LOOKUP_CACHE_TTL_MS: '60000',
      // Small claims (20/s x 2 s lease / 2 = 20 messages), so that the three workers share a relay; a
      // send is started only in the lease's first 1.5 s (services/notices/dispatch.ts).
      MAIL_RATE_PER_SECOND: '20',
      OUTBOX_LEASE_MS: '2000',
    };
    procs.push(await startGara({ ...env, SEED_DEMO: 'always' }));
    procs.push(...(await Promise.all([1, 2].map(() => startGara({ ...env, SEED_DEMO: 'never' })))));
    tokens = demoTokens(procs[0]!.dataDir);
  }, 240_000);

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await proxy?.close();
    await database?.drop();
  }, 60_000);

  const tokenOf = (role: string, index = 0) => {
    const found = tokens.filter((t) => t.role === role)[index];
    if (!found) throw new Error(`no demo token for ${role} #${index}`);
    return found;
  };

  async function allowed(token: string, over: GaraProcess[], calls: number): Promise<number> {
    let ok = 0;
    for (let i = 0; i < calls; i++) {
      const res = await api(over[i % over.length]!.url, 'GET', '/api/v1/tenders?limit=1', { token });
      if (res.status !== 429) ok++;
    }
    return ok;
  }

  it('a token gets the same number of requests per window through one process or three', async () => {
    const one = await allowed(tokenOf('authority_staff').token, [procs[0]!], RATE_LIMIT + 20);
    const three = await allowed(tokenOf('regional_staff').token, procs, RATE_LIMIT + 20);
    console.log(
      `rate limit ${RATE_LIMIT}/window: one process allowed ${one}, three processes allowed ${three}`,
    );
    expect(one).toBe(RATE_LIMIT);
    expect(three).toBe(RATE_LIMIT);
  }, 60_000);

  it('a lot cancelled through one process is seen cancelled by every process at once (LISTEN/NOTIFY)', async () => {
    const rup = tokens.find((t) => t.role === 'rup' && t.email.includes('.pug@'));
    if (!rup) throw new Error('no Puglia RUP in the demo data');
    const created = await api(procs[0]!.url, 'POST', '/api/v1/tenders', {
      token: rup.token,
      body: sampleTenderBody(1),
    });
    expect(created.status).toBe(201);
    const cig = (created.body as { lots: { cig: string }[] }).lots[0]!.cig;
    // Every process caches the lookup (TTL 60 s).
    for (const p of procs) {
      const seen = await api(p.url, 'GET', `/api/v1/cigs/${cig}`);
      expect(seen.status).toBe(200);
      expect((seen.body as { state: string }).state).not.toBe('cancelled');
    }
    const cancelled = await api(procs[1]!.url, 'POST', `/api/v1/lots/${cig}/cancellation`, {
      token: rup.token,
      body: { reason: 4, note: 'Importo errato' },
    });
    expect(cancelled.status).toBe(200);
    const changedAt = performance.now();
    const delays = await Promise.all(
      procs.map(async (p) => {
        for (;;) {
          const seen = await api(p.url, 'GET', `/api/v1/cigs/${cig}`);
          if ((seen.body as { state: string }).state === 'cancelled') return performance.now() - changedAt;
          if (performance.now() - changedAt > 10_000) return Infinity;
          await sleep(5);
        }
      }),
    );
    console.log(
      `lookup cache: change seen by the 3 processes after ${delays.map((d) => `${d.toFixed(0)} ms`).join(', ')}`,
    );
    for (const d of delays) expect(d).toBeLessThan(1000);
  }, 60_000);

  it('a deactivated user is refused by every process at once (token cache dropped everywhere)', async () => {
    const victim = tokenOf('rup', 1);
    for (const p of procs)
      expect((await api(p.url, 'GET', '/api/v1/tenders?limit=1', { token: victim.token })).status).toBe(200);
    const { rows } = await adminQuery(directUrl, `SELECT id FROM users WHERE email = '${victim.email}'`);
    const id = (rows[0] as { id: string }).id;
    const deactivated = await api(procs[2]!.url, 'PATCH', `/api/v1/users/${id}`, {
      token: tokenOf('admin', 0).token,
      body: { active: false },
    });
    expect(deactivated.status).toBe(200);
    const changedAt = performance.now();
    const delays = await Promise.all(
      procs.map(async (p) => {
        for (;;) {
          const res = await api(p.url, 'GET', '/api/v1/tenders?limit=1', { token: victim.token });
          if (res.status === 401) return performance.now() - changedAt;
          if (performance.now() - changedAt > 15_000) return Infinity;
          await sleep(5);
        }
      }),
    );
    console.log(
      `token cache: deactivation seen by the 3 processes after ${delays.map((d) => `${d.toFixed(0)} ms`).join(', ')}`,
    );
    for (const d of delays) expect(d).toBeLessThan(1000);
  }, 60_000);

  it('the outbox workers of three processes send each message of a relay once', async () => {
    const mails = () =>
      procs.flatMap((p) => {
        const dir = join(p.dataDir, 'mail', 'outbox');
        return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.eml')) : [];
      });
    const before = new Set(mails());
    const handle = await openDatabase({ url: directUrl, poolSize: 2 });
    const RECIPIENTS = 60;
    try {
      const deps = serviceDeps(handle.db, systemClock);
      const factories = new Factories(deps);
      const staff = await factories.user('authority_staff');
      const section = await factories.user('regional_staff', { regionalSectionCode: 'PUG' });
      for (let i = 0; i < RECIPIENTS / 3; i++) {
        const authority = await factories.contractingAuthority({ section: 'PUG' });
        for (let j = 0; j < 3; j++) await factories.user('rup', { contractingAuthorityId: authority.id });
      }
      const notice = await publishNotice(
        deps,
        {
          title: 'Prova di inoltro da tre processi',
          noticeDate: '2026-03-02',
          kind: 'outage',
          body: 'Comunicato.',
        },
        staff.actor,
      );
      const { recipients } = await relayNotice(deps, { noticeId: notice.id }, actorFromUser(section.user));
      expect(recipients).toBeGreaterThanOrEqual(RECIPIENTS);
      const deadline = Date.now() + 60_000;
      let sent: string[] = [];
      while (Date.now() < deadline) {
        sent = mails().filter((f) => !before.has(f));
        if (new Set(sent).size >= recipients) break;
        await sleep(250);
      }
      await sleep(2000); // a second send, if any, would land now
      sent = mails().filter((f) => !before.has(f));
      const byProcess = procs.map((p) => {
        const dir = join(p.dataDir, 'mail', 'outbox');
        return existsSync(dir)
          ? readdirSync(dir).filter((f) => f.endsWith('.eml') && !before.has(f)).length
          : 0;
      });
      console.log(
        `outbox: ${recipients} recipients, ${sent.length} messages written (${byProcess.join(' + ')} by the 3 processes), ${new Set(sent).size} distinct`,
      );
      expect(new Set(sent).size).toBe(recipients);
      expect(sent.length).toBe(recipients);
      // The work was shared (claimed with SKIP LOCKED), not done by one process while the others idled.
      expect(byProcess.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
    } finally {
      await handle.close();
    }
  }, 120_000);

  it('an outage seen by the probes of the three processes is one incident with the real start and end', async () => {
    const before = await adminQuery(
      directUrl,
      `SELECT count(*)::int AS n FROM incidents WHERE source = 'probe'`,
    );
    const cutAt = Date.now();
    proxy.cut();
    await sleep(4000);
    const restoredAt = Date.now();
    proxy.restore();
    let incidents: { code: string; started_at: Date; resolved_at: Date | null }[] = [];
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      incidents = (
        await adminQuery(
          directUrl,
          `SELECT code, started_at, resolved_at FROM incidents WHERE source = 'probe' ORDER BY started_at`,
        )
      ).rows as typeof incidents;
      if (incidents.length > (before.rows[0] as { n: number }).n && incidents.every((i) => i.resolved_at))
        break;
      await sleep(250);
    }
    // Let every process finish its own recording (a duplicate would show up now).
    await sleep(2000);
    incidents = (
      await adminQuery(
        directUrl,
        `SELECT code, started_at, resolved_at FROM incidents WHERE source = 'probe' ORDER BY started_at`,
      )
    ).rows as typeof incidents;
    const fresh = incidents.slice((before.rows[0] as { n: number }).n);
    console.log(
      `outage cut ${new Date(cutAt).toISOString()} restored ${new Date(restoredAt).toISOString()}: incidents ${JSON.stringify(fresh)}`,
    );
    expect(fresh).toHaveLength(1);
    const [incident] = fresh;
    expect(incident!.started_at.getTime()).toBeGreaterThanOrEqual(cutAt - 50);
    expect(incident!.started_at.getTime()).toBeLessThan(cutAt + 1500);
    expect(incident!.resolved_at).not.toBeNull();
    expect(incident!.resolved_at!.getTime()).toBeGreaterThanOrEqual(restoredAt - 50);
    expect(incident!.resolved_at!.getTime()).toBeLessThan(restoredAt + 3000);
    for (const p of procs) expect((await api(p.url, 'GET', '/health/ready')).status).toBe(200);
  }, 90_000);
});

import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpWebhooks, publicAddressesOnly } from '../../src/adapters/mail/webhooks.js';
import { dispatchDue } from '../../src/services/notices/dispatch.js';
import type { MailMessage, Mailer } from '../../src/services/notices/ports.js';
import { emitMaintenanceEvents } from '../../src/services/notices/emit-maintenance-events.js';
import { bearer, createHarness, type Harness } from '../support/harness.js';
import { engineName } from '../support/test-db.js';

interface Hook {
  path: string;
  body: string;
  signature: string;
  delivery: string;
}

/** Checks a delivery as a subscriber would: HMAC-SHA256 of "<t>.<body>" with the secret. */
function verify(hook: Hook, secret: string): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(hook.signature);
  if (!m) return false;
  const expected = createHmac('sha256', secret).update(`${m[1]}.${hook.body}`).digest();
  return timingSafeEqual(expected, Buffer.from(m[2]!, 'hex'));
}

describe(`subscriptions to service notifications (${engineName()})`, () => {
  let h: Harness;
  let server: Server;
  let base: string;
  const hooks: Hook[] = [];
  const mails: MailMessage[] = [];
  const mailer: Mailer = {
    send: async (m) => {
      mails.push(m);
      return { response: '250 ok' };
    },
    close: async () => undefined,
  };
  let staffToken: string;
  let webhookSecret: string;
  // The receivers are on this machine: local receivers allowed, as on the embedded default.
  const dispatch = () =>
    dispatchDue(h.deps, { mailer, webhooks: httpWebhooks({ allowLocalReceivers: true }) });
  const call = (method: 'GET' | 'POST', url: string, payload?: unknown, token?: string) =>
    h.app.inject({
      method,
      url,
      headers: token ? bearer(token) : {},
      ...(payload === undefined ? {} : { payload: payload as object }),
    });

  beforeAll(async () => {
    h = await createHarness({ now: '2026-03-02T09:00:00Z' });
    staffToken = (await h.factories.user('authority_staff')).token;
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        hooks.push({
          path: req.url ?? '',
          body,
          signature: String(req.headers['x-gara-signature']),
          delivery: String(req.headers['x-gara-delivery']),
        });
        res.statusCode = req.url === '/gone' ? 410 : req.url === '/broken' ? 503 : 204;
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await h.close();
    await new Promise((r) => server.close(r));
  });

  it('activates an e-mail subscription only through the link in the confirmation message', async () => {
    const bad = await call('POST', '/api/v1/subscriptions', {
      channel: 'email',
      address: 'not-an-address',
      services: ['cig_issuance'],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('address');
    const res = await call('POST', '/api/v1/subscriptions', {
      channel: 'email',
      address: 'Rup.Bari@Comune.Example.it',
      services: ['cig_issuance'],
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ state: 'pending', secret: null });
    await dispatch();
    expect(mails).toHaveLength(1);
    expect(mails[0]!.to.address).toBe('rup.bari@comune.example.it');
    const token = /\/iscrizioni\/conferma\?token=([A-Za-z0-9_-]+)/.exec(mails[0]!.text)![1]!;
    expect((await call('GET', '/api/v1/subscriptions/confirmation?token=wrong-token-value')).statusCode).toBe(
      404,
    );
    const confirmed = await call('GET', `/api/v1/subscriptions/confirmation?token=${token}`);
    expect(confirmed.json()).toMatchObject({ state: 'active' });
    // A second click changes nothing.
    expect((await call('GET', `/api/v1/subscriptions/confirmation?token=${token}`)).json()).toMatchObject({
      state: 'active',
    });
  });

  it('notifies once per real change of an incident, by e-mail and by signed webhook, and only for the services chosen', async () => {
    const hook = await call('POST', '/api/v1/subscriptions', {
      channel: 'webhook',
      address: `${base}/ok`,
      services: ['cig_issuance', 'smart_cig'],
    });
    expect(hook.json()).toMatchObject({ state: 'active' });
    webhookSecret = hook.json<{ secret: string }>().secret;
    await call('POST', '/api/v1/subscriptions', {
      channel: 'webhook',
      address: `${base}/other`,
      services: ['publication_data'],
    });
    mails.length = 0;

    const opened = await call(
      'POST',
      '/api/v1/incidents',
      {
        title: 'CIG non disponibile',
        impact: 'major_outage',
        services: ['cig_issuance'],
        message: 'Indagine in corso.',
      },
      staffToken,
    );
    const code = opened.json<{ code: string }>().code;
    const update = (payload: object) =>
      call('POST', `/api/v1/incidents/${code}/updates`, payload, staffToken);
    await update({ state: 'investigating', message: 'Ancora in analisi.' }); // same state: timeline only
    await update({ state: 'identified', message: 'Causa individuata.' });
    await update({ state: 'identified', message: 'Lavori in corso.' }); // same again
    await update({
      state: 'identified',
      impact: 'partial_outage',
      message: 'Servizio parzialmente ripristinato.',
    });
    await update({ state: 'resolved', message: 'Risolto.' });
    await dispatch();
    await dispatch();

    const kinds = (list: { kind: string }[]) => list.map((e) => e.kind);
    // Deliveries run in parallel: the payload's sequence gives the order of the changes.
    const bodies = hooks
      .filter((x) => x.path === '/ok')
      .map(
        (x) =>
          JSON.parse(x.body) as {
            kind: string;
            sequence: number;
            incident: { state: string; impact: string };
          },
      )
      .sort((a, b) => a.sequence - b.sequence);
    expect(bodies.map((b) => b.sequence)).toEqual([1, 3, 5, 6]);
    expect(kinds(bodies)).toEqual([
      'incident.opened',
      'incident.changed',
      'incident.changed',
      'incident.resolved',
    ]);
    expect(bodies.map((b) => `${b.incident.state}/${b.incident.impact}`)).toEqual([
      'investigating/major_outage',
      'identified/major_outage',
      'identified/partial_outage',
      'resolved/partial_outage',
    ]);
    for (const x of hooks) expect(verify(x, webhookSecret)).toBe(true);
    expect(
      verify(
        { ...hooks[0]!, body: hooks[0]!.body.replace('"kind":"incident.', '"kind":"altro.') },
        webhookSecret,
      ),
    ).toBe(false);
    expect(new Set(hooks.map((x) => x.delivery)).size).toBe(hooks.length);
    expect(hooks.some((x) => x.path === '/other')).toBe(false);
    const subjects = mails.map((m) => m.subject);
    expect(subjects).toHaveLength(4);
    expect(subjects.filter((x) => x.startsWith('[Nuovo incidente]') && x.includes(code))).toHaveLength(1);
    expect(subjects.every((x) => x.includes(code))).toBe(true);
  });

  it('notifies the start and the end of maintenance once each, however often the job runs', async () => {
    hooks.length = 0;
    const m = await call(
      'POST',
      '/api/v1/maintenances',
      {
        title: 'Aggiornamento SmartCIG',
        description: 'Nuova versione.',
        services: ['smart_cig'],
        startsAt: '2026-03-02T10:00:00Z',
        endsAt: '2026-03-02T11:00:00Z',
      },
      staffToken,
    );
    expect(m.statusCode).toBe(201);
    expect(await emitMaintenanceEvents(h.deps)).toEqual({ emitted: 0 });
    h.clock.set('2026-03-02T10:00:30Z');
    expect(await emitMaintenanceEvents(h.deps)).toEqual({ emitted: 1 });
    expect(await emitMaintenanceEvents(h.deps)).toEqual({ emitted: 0 });
    h.clock.set('2026-03-02T11:05:00Z');
    expect(await emitMaintenanceEvents(h.deps)).toEqual({ emitted: 1 });
    expect(await emitMaintenanceEvents(h.deps)).toEqual({ emitted: 0 });
    await dispatch();
    expect(hooks.map((x) => (JSON.parse(x.body) as { kind: string }).kind).sort()).toEqual([
      'maintenance.ended',
      'maintenance.started',
    ]);
  });

  it('stops after cancellation; a webhook answering 410 fails for good, one answering 503 is retried', async () => {
    const gone = await call('POST', '/api/v1/subscriptions', {
      channel: 'webhook',
      address: `${base}/gone`,
      services: ['contribution_payments'],
    });
    await call('POST', '/api/v1/subscriptions', {
      channel: 'webhook',
      address: `${base}/broken`,
      services: ['contribution_payments'],
    });
    const cancelled = await call('POST', '/api/v1/subscriptions', {
      channel: 'webhook',
      address: `${base}/cancelled`,
      services: ['contribution_payments'],
    });
    const cancel = await call(
      'GET',
      `/api/v1/subscriptions/cancellation?token=${cancelled.json<{ cancellationToken: string }>().cancellationToken}`,
    );
    expect(cancel.json()).toMatchObject({ state: 'unsubscribed' });
    hooks.length = 0;
    await call(
      'POST',
      '/api/v1/incidents',
      {
        title: 'pagoPA lento',
        impact: 'degraded',
        services: ['contribution_payments'],
        message: 'Rallentamenti.',
      },
      staffToken,
    );
    expect(await dispatch()).toEqual({ sent: 0, failed: 1, retried: 1 });
    expect(hooks.map((x) => x.path).sort()).toEqual(['/broken', '/gone']);
    const failed = await h.deps.store.notices.listOutbox({ state: 'failed', limit: 10, offset: 0 });
    expect(failed.map((f) => [f.subscriptionId, f.lastError])).toEqual([
      [gone.json<{ id: string }>().id, 'HTTP 410'],
    ]);
  });

  it('outside the embedded default, webhooks must be https: an http:// URL is refused and nothing is stored', async () => {
    const strict = await createHarness({
      now: '2026-03-02T09:00:00Z',
      webhookLocalReceivers: false,
      resolveHost: async (host) => (host === 'receiver.example.it' ? ['93.184.215.14'] : []),
    });
    try {
      const plain = await strict.app.inject({
        method: 'POST',
        url: '/api/v1/subscriptions',
        payload: {
          channel: 'webhook',
          address: 'http://receiver.example.it/gara',
          services: ['cig_issuance'],
        },
      });
      expect(plain.statusCode).toBe(400);
      expect(plain.json()).toMatchObject({ field: 'address', detail: 'address must be an https URL' });
      expect(await strict.deps.store.notices.activeSubscriptions(['cig_issuance'])).toHaveLength(0);
      const secure = await strict.app.inject({
        method: 'POST',
        url: '/api/v1/subscriptions',
        payload: {
          channel: 'webhook',
          address: 'https://receiver.example.it/gara',
          services: ['cig_issuance'],
        },
      });
      expect(secure.statusCode).toBe(201);
      expect(await strict.deps.store.notices.activeSubscriptions(['cig_issuance'])).toHaveLength(1);
    } finally {
      await strict.close();
    }
  });

  it('outside the embedded default, a webhook on this machine, a private network or the metadata address is refused at subscription', async () => {
    const dns: Record<string, string[]> = {
      localhost: ['127.0.0.1', '::1'],
      'metadata.google.internal': ['169.254.169.254'],
      'intranet.example.it': ['192.168.1.4'],
      'mixed.example.it': ['93.184.215.14', '10.0.0.7'],
    };
    const strict = await createHarness({
      now: '2026-03-02T09:00:00Z',
      webhookLocalReceivers: false,
      resolveHost: async (host) => dns[host] ?? [],
    });
    try {
      for (const url of [
        'https://127.0.0.1/gara',
        'https://[::1]:8443/gara',
        'https://localhost/gara',
        'https://169.254.169.254/latest/meta-data/',
        'https://metadata.google.internal/computeMetadata/v1/',
        'https://10.1.2.3/gara',
        'https://intranet.example.it/gara',
        'https://mixed.example.it/gara',
        'https://nowhere.example.it/gara',
      ]) {
        const res = await strict.app.inject({
          method: 'POST',
          url: '/api/v1/subscriptions',
          payload: { channel: 'webhook', address: url, services: ['cig_issuance'] },
        });
        expect(res.statusCode, url).toBe(400);
        expect(res.json(), url).toMatchObject({ code: 'validation_failed', field: 'address' });
      }
      expect(await strict.deps.store.notices.activeSubscriptions(['cig_issuance'])).toHaveLength(0);
    } finally {
      await strict.close();
    }
  });

  it('sends at most one confirmation per address per hour; a repeated request gets the same answer', async () => {
    const address = `ripetuto.${Date.now()}@comune.example.it`;
    const ask = () =>
      call('POST', '/api/v1/subscriptions', { channel: 'email', address, services: ['cig_issuance'] });
    mails.length = 0;
    const answers = await Promise.all([ask(), ask(), ask()]);
    expect(answers.map((a) => a.statusCode)).toEqual([201, 201, 201]);
    const first = answers[0]!.json<{ id: string }>();
    for (const a of answers)
      expect(a.json()).toEqual({ ...first, state: 'pending', secret: null, cancellationToken: null });
    await dispatch();
    expect(mails.filter((m) => m.to.address === address)).toHaveLength(1);
    h.clock.advance(3_600_000);
    expect((await ask()).statusCode).toBe(201);
    await dispatch();
    expect(mails.filter((m) => m.to.address === address)).toHaveLength(2);
  });

  it('in production a webhook is never called on this machine or a private network, nor redirected there', async () => {
    const resolve = (table: Record<string, string[]>) => async (host: string) => table[host] ?? [];
    for (const host of [
      '127.0.0.1',
      '[::1]',
      '10.1.2.3',
      '192.168.1.10',
      '169.254.169.254',
      '[fd00::1]',
      '0.0.0.0',
    ])
      expect(await publicAddressesOnly(host), host).toBe(false);
    expect(await publicAddressesOnly('93.184.215.14')).toBe(true);
    expect(
      await publicAddressesOnly('hooks.example.it', resolve({ 'hooks.example.it': ['93.184.215.14'] })),
    ).toBe(true);
    // One private answer among public ones is enough to refuse; no answer too.
    expect(
      await publicAddressesOnly(
        'mixed.example.it',
        resolve({ 'mixed.example.it': ['93.184.215.14', '10.0.0.7'] }),
      ),
    ).toBe(false);
    expect(await publicAddressesOnly('nowhere.example.it', resolve({}))).toBe(false);

    // The sender refuses for good (a permanent failure) without calling, when local receivers are not allowed.
    const calls: string[] = [];
    const strict = httpWebhooks({
      fetch: (async (url: string) => {
        calls.push(url);
        return new Response('', { status: 200 });
      }) as unknown as typeof fetch,
    });
    await expect(strict.post(`${base}/ok`, '{}', 'secret', 'id-1')).rejects.toMatchObject({
      name: 'DeliveryError',
      permanent: true,
    });
    expect(calls).toEqual([]);
  });
});

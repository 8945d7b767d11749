import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GaraClient } from '../../src/client/client.js';
import { progressLine, watchRelay, type RelayView } from '../../src/cli/relay-commands.js';
import { dispatchDue, RateLimiter } from '../../src/services/notices/dispatch.js';
import { publishNotice } from '../../src/services/notices/publish-notice.js';
import { relayNotice } from '../../src/services/notices/relay-notice.js';
import { createHarness, type Harness } from '../support/harness.js';
import { engineName } from '../support/test-db.js';

describe('relay progress bar', () => {
  it('counts accepted, delivered and failed messages as done', () => {
    const view: RelayView = {
      id: 'r',
      protocol: 'AOO_092/0000001 Protocollo Uscita',
      recipients: 10,
      progress: { queued: 4, sending: 1, accepted: 3, delivered: 1, failed: 1 },
      done: false,
    };
    expect(progressLine(view, 10)).toBe(
      '[█████░░░░░]  50% 5/10  consegnati 1  accettati 3  falliti 1  in coda 5',
    );
    expect(
      progressLine(
        { ...view, progress: { queued: 0, sending: 0, accepted: 10, delivered: 0, failed: 0 }, done: true },
        10,
      ),
    ).toMatch(/^\[█{10}\] 100% 10\/10/);
  });
});

describe(`gara relay watch (${engineName()})`, () => {
  let h: Harness;
  let url: string;
  beforeAll(async () => {
    h = await createHarness();
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
  });
  afterAll(() => h.close());

  it('follows a dispatch in progress to the end, printing each change', async () => {
    const staff = await h.factories.user('authority_staff');
    const section = await h.factories.user('regional_staff', { regionalSectionCode: 'PUG' });
    for (let i = 0; i < 12; i++) await h.factories.rup({ section: 'PUG' });
    const notice = await publishNotice(
      h.deps,
      { title: 'Avviso', noticeDate: '2026-03-02', kind: 'information', body: 'Testo.' },
      staff.actor,
    );
    const { relay } = await relayNotice(h.deps, { noticeId: notice.id }, section.actor);

    const lines: string[] = [];
    const out = new Writable({
      write(chunk: Buffer, _enc, callback) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        callback();
      },
    });
    const sending = (async () => {
      // 12 messages at 20 per second, one at a time: the dispatch takes a while to watch.
      const mailer = { send: async () => ({ response: '250 ok' }), close: async () => undefined };
      const limiter = new RateLimiter(20);
      for (let i = 0; i < 3; i++) {
        await new Promise((r) => setTimeout(r, 150));
        await dispatchDue(h.deps, {
          mailer,
          webhooks: { post: () => Promise.reject(new Error('none')) },
          batchSize: 4,
          concurrency: 1,
          limiter,
        });
      }
    })();
    const client = new GaraClient({ baseUrl: url, token: section.token });
    const final = await watchRelay(client, relay.id, { out, intervalMs: 40, timeoutMs: 20_000 });
    await sending;
    expect(final.done).toBe(true);
    expect(final).toMatchObject({ recipients: 12, progress: { accepted: 12, queued: 0, sending: 0 } });
    expect(lines[0]).toMatch(/ 0\/\d+ /);
    expect(lines.at(-1)).toMatch(/100% (\d+)\/\1 /);
    expect(lines.length).toBeGreaterThanOrEqual(3);
    // The count done never goes back, and the bar was seen part-way.
    const done = lines.map((l) => Number(/ (\d+)\/\d+ /.exec(l)![1]));
    for (let i = 1; i < done.length; i++) expect(done[i]).toBeGreaterThanOrEqual(done[i - 1]!);
    expect(done.some((d) => d > 0 && d < 12)).toBe(true);
  });
});

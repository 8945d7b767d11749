import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileMailer } from '../../src/adapters/mail/mailer.js';
import { dispatchDue } from '../../src/services/notices/dispatch.js';
import { bearer, createHarness, type Harness } from '../support/harness.js';
import { engineName } from '../support/test-db.js';

type Person = Awaited<ReturnType<Harness['factories']['user']>>;
interface OutboxItem {
  id: string;
  kind: string;
  relayId: string | null;
  eml: string | null;
}

/**
 * Regional staff stay in their region: another section's outbox rows, .eml files and segnature answer
 * 404; the listing shows the caller's section only; a subscription confirmation's token is never served.
 */
describe(`outbox and segnatura access (${engineName()})`, () => {
  let h: Harness;
  let mailDir: string;
  let staff: Person;
  let puglia: Person;
  let lazio: Person;
  let pugliaRelay: string;
  let lazioRelay: string;
  let token: string;
  const call = (method: 'GET' | 'POST', url: string, who?: string, payload?: unknown) =>
    h.app.inject({
      method,
      url,
      headers: who ? bearer(who) : {},
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  const outbox = async (who: string, query = '') => {
    const res = await call('GET', `/api/v1/outbox${query}`, who);
    expect(res.statusCode).toBe(200);
    return { body: res.body, items: res.json<{ items: OutboxItem[] }>().items };
  };
  const registrationOf = async (relayId: string) =>
    (await h.deps.store.notices.findRelay(relayId))!.registrationId;

  beforeAll(async () => {
    mailDir = mkdtempSync(join(tmpdir(), 'gara-outbox-access-'));
    h = await createHarness({ now: '2021-05-07T08:00:00Z', mailDir });
    staff = await h.factories.user('authority_staff');
    puglia = await h.factories.user('regional_staff', { regionalSectionCode: 'PUG' });
    lazio = await h.factories.user('regional_staff', { regionalSectionCode: 'LAZ' });
    await h.factories.rup({ place: '016072006', section: 'PUG' });
    await h.factories.rup({ place: '016075035', section: 'PUG' });
    await h.factories.rup({ place: '012058091', section: 'LAZ' });
    const notice = await call('POST', '/api/v1/notices', staff.token, {
      title: 'Nuova versione del servizio SmartCIG',
      noticeDate: '2021-05-07',
      kind: 'information',
      body: 'Dal 10 maggio il servizio SmartCIG è disponibile nella nuova versione.',
    });
    expect(notice.statusCode).toBe(201);
    const noticeId = notice.json<{ id: string }>().id;
    pugliaRelay = (await call('POST', `/api/v1/notices/${noticeId}/relays`, puglia.token, {})).json<{
      id: string;
    }>().id;
    lazioRelay = (await call('POST', `/api/v1/notices/${noticeId}/relays`, lazio.token, {})).json<{
      id: string;
    }>().id;
    const subscribed = await call('POST', '/api/v1/subscriptions', undefined, {
      channel: 'email',
      address: 'cittadino@example.it',
      services: ['cig_issuance'],
    });
    expect(subscribed.statusCode).toBe(201);
    await dispatchDue(h.deps, {
      mailer: fileMailer({ dir: mailDir, from: 'osservatorio@pec.test.example' }),
      webhooks: { post: () => Promise.reject(new Error('no webhook in this test')) },
    });
    const texts = await Promise.all(
      readdirSync(mailDir).map(async (f) => (await simpleParser(readFileSync(join(mailDir, f)))).text ?? ''),
    );
    token = /conferma\?token=([A-Za-z0-9_-]+)/.exec(texts.join('\n'))?.[1] ?? '';
    expect(token).toHaveLength(32);
  });
  afterAll(async () => {
    await h.close();
    rmSync(mailDir, { recursive: true, force: true });
  });

  it("lists only the caller's section to regional staff", async () => {
    const seen = await outbox(lazio.token);
    expect(seen.items.map((i) => i.relayId)).toEqual([lazioRelay]);
    const pug = await outbox(puglia.token);
    expect(pug.items).toHaveLength(2);
    expect(pug.items.every((i) => i.relayId === pugliaRelay)).toBe(true);
    expect((await outbox(puglia.token, '?kind=confirmation')).items).toEqual([]);
    // The Authority's staff see every section and the subscriptions.
    const all = await outbox(staff.token);
    expect(all.items.map((i) => i.kind).sort()).toEqual(['confirmation', 'relay', 'relay', 'relay']);
  });

  it("answers 404 for another section's message and segnatura", async () => {
    const [mine] = (await outbox(puglia.token)).items;
    expect(mine!.eml).toBe(`/api/v1/outbox/${mine!.id}/message.eml`);
    expect((await call('GET', `/api/v1/outbox/${mine!.id}/message.eml`, puglia.token)).statusCode).toBe(200);
    expect((await call('GET', `/api/v1/outbox/${mine!.id}/message.eml`, lazio.token)).statusCode).toBe(404);
    const segnatura = `/api/v1/protocol/registrations/${await registrationOf(pugliaRelay)}/segnatura.xml`;
    expect((await call('GET', segnatura, puglia.token)).statusCode).toBe(200);
    expect((await call('GET', segnatura, staff.token)).statusCode).toBe(200);
    const refused = await call('GET', segnatura, lazio.token);
    expect(refused.statusCode).toBe(404);
    expect(refused.body).not.toContain('SegnaturaInformatica');
  });

  it('never serves a subscription confirmation token, not even to the Authority', async () => {
    const all = await outbox(staff.token);
    expect(all.body).not.toContain(token);
    const confirmation = all.items.find((i) => i.kind === 'confirmation')!;
    expect(confirmation.eml).toBeNull();
    for (const who of [staff.token, puglia.token, lazio.token]) {
      const eml = await call('GET', `/api/v1/outbox/${confirmation.id}/message.eml`, who);
      expect(eml.statusCode).toBe(404);
      expect(eml.body).not.toContain(token);
    }
    for (const item of all.items.filter((i) => i.eml)) {
      expect((await call('GET', item.eml!, staff.token)).body).not.toContain(token);
    }
  });

  it("another section's register answers as an unknown AOO (404), not 403", async () => {
    const lazioSection = (await h.deps.store.registry.listSections()).find((x) => x.code === 'LAZ')!;
    const pugliaSection = (await h.deps.store.registry.listSections()).find((x) => x.code === 'PUG')!;
    const other = await call(
      'GET',
      `/api/v1/protocol/${lazioSection.aooCode}/registrations?date=2021-05-07`,
      puglia.token,
    );
    const unknown = await call('GET', '/api/v1/protocol/AOO_ZZZ/registrations?date=2021-05-07', puglia.token);
    expect(other.statusCode, other.body).toBe(404);
    expect(unknown.statusCode).toBe(404);
    const own = await call(
      'GET',
      `/api/v1/protocol/${pugliaSection.aooCode}/registrations?date=2021-05-07`,
      puglia.token,
    );
    expect(own.statusCode, own.body).toBe(200);
    const annulment = await call(
      'POST',
      `/api/v1/protocol/registrations/${await registrationOf(lazioRelay)}/annulment`,
      puglia.token,
      { measure: 'provvedimento 1/2021', reason: 'prova' },
    );
    expect(annulment.statusCode, annulment.body).toBe(404);
  });
});

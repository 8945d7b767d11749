import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchDue } from '../../src/services/notices/dispatch.js';
import type { MailMessage, Mailer } from '../../src/services/notices/ports.js';
import { bearer, createHarness, type Harness } from '../support/harness.js';
import { engineName } from '../support/test-db.js';
import {
  ACCEPTED_ID,
  BOUNCED_ID,
  pecSamples,
  relayForSamples,
  warnIfSamplesMissing,
} from './support/pec-samples.js';

const samples = pecSamples;
const missing = warnIfSamplesMissing('PEC receipt matching tests');

describe.skipIf(missing)(`PEC receipts through the HTTP inbound channel (${engineName()})`, () => {
  let h: Harness;
  let staffToken: string;
  let relayId: string;
  const sent: MailMessage[] = [];
  const recording: Mailer = {
    send: async (m) => {
      sent.push(m);
      return { response: '250 ok' };
    },
    close: async () => undefined,
  };
  const post = (raw: Buffer | string, token = staffToken) =>
    h.app.inject({
      method: 'POST',
      url: '/api/v1/pec-receipts',
      headers: { ...bearer(token), 'content-type': 'message/rfc822' },
      payload: raw,
    });
  const sample = (name: string) => readFileSync(`${samples}${name}`);

  beforeAll(async () => {
    h = await createHarness({ now: '2024-11-15T17:00:00Z' });
    const relay = await relayForSamples(h);
    relayId = relay.relayId;
    staffToken = relay.section.token;
  });
  afterAll(() => h.close());

  it('matches the acceptance receipt to its message, once, even when it arrives twice', async () => {
    // The message was claimed by a worker that then died before recording the SMTP answer.
    const claimed = await h.deps.store.notices.claimDue(
      h.clock.now(),
      1,
      new Date(h.clock.now().getTime() + 60_000),
    );
    expect(claimed.map((m) => m.messageId)).toEqual([ACCEPTED_ID]);

    const first = await post(sample('accettazione.go-pec.eml'));
    expect(first.statusCode).toBe(201);
    expect(first.json()).toEqual({
      matched: true,
      duplicate: false,
      kind: 'accettazione',
      conformant: true,
      problems: [],
      state: 'accepted',
    });
    const again = await post(sample('accettazione.go-pec.eml'));
    expect(again.json()).toMatchObject({ matched: true, duplicate: true, state: 'accepted' });
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pec_receipts`.execute(h.db.db);
    expect(rows[0]!.n).toBe(1);

    // Its lease runs out: the receipt already proved acceptance, so it is not sent again.
    h.clock.advance(120_000);
    await dispatchDue(h.deps, {
      mailer: recording,
      webhooks: { post: () => Promise.reject(new Error('none')) },
    });
    expect(sent.map((m) => m.messageId)).toEqual([BOUNCED_ID]);
  });

  it('matches the non-delivery receipt with the stray text node, flags it non-conformant, and fails the recipient with the reason', async () => {
    const res = await post(sample('errore-consegna.go-pec.eml'));
    expect(res.statusCode).toBe(201);
    const body = res.json<{
      matched: boolean;
      conformant: boolean;
      problems: string[];
      state: string;
      kind: string;
    }>();
    expect(body).toMatchObject({
      matched: true,
      kind: 'errore-consegna',
      conformant: false,
      state: 'failed',
    });
    expect(body.problems.join('\n')).toMatch(/stray text 'a' inside <intestazione>/);

    const report = await h.app.inject({
      method: 'GET',
      url: `/api/v1/relays/${relayId}/report`,
      headers: bearer(staffToken),
    });
    const bounced = report
      .json<{ recipients: { messageId: string; state: string; lastError: string; failure: string }[] }>()
      .recipients.find((r) => r.messageId === BOUNCED_ID)!;
    expect(bounced).toMatchObject({ state: 'failed', failure: 'permanent' });
    expect(bounced.lastError).toContain('5.1.1 - FAKE Pec S.p.A. - indirizzo non valido');
    expect(bounced.lastError).toContain('non conforme');
  });

  it('keeps a receipt no message claims, and anything unreadable, for review', async () => {
    const foreign = sample('accettazione.go-pec.eml')
      .toString('latin1')
      .replace(ACCEPTED_ID, 'sconosciuto@altrove.it');
    const res = await post(Buffer.from(foreign, 'latin1'));
    expect(res.json()).toMatchObject({ matched: false, kind: 'accettazione', state: null });
    const garbage = await post('questa non è una ricevuta');
    expect(garbage.statusCode).toBe(201);
    expect(garbage.json()).toMatchObject({ matched: false, kind: 'unknown', conformant: false });

    const list = await h.app.inject({
      method: 'GET',
      url: '/api/v1/pec-receipts?unmatched=true',
      headers: bearer(staffToken),
    });
    const items = list.json<{ items: { id: string; kind: string; referenceMessageId: string | null }[] }>()
      .items;
    expect(items.map((i) => i.kind).sort()).toEqual(['accettazione', 'unknown']);
    const kept = items.find((i) => i.kind === 'accettazione')!;
    expect(kept.referenceMessageId).toBe('sconosciuto@altrove.it');
    const raw = await h.app.inject({
      method: 'GET',
      url: `/api/v1/pec-receipts/${kept.id}/message.eml`,
      headers: bearer(staffToken),
    });
    expect(raw.rawPayload.equals(Buffer.from(foreign, 'latin1'))).toBe(true);
  });

  it('refuses an empty body and callers who are not staff, keeping nothing', async () => {
    expect((await post('')).statusCode).toBe(400);
    const rup = await h.factories.rup({ section: 'PUG' });
    expect((await post(sample('accettazione.go-pec.eml'), rup.token)).statusCode).toBe(403);
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pec_receipts`.execute(h.db.db);
    expect(rows[0]!.n).toBe(4);
  });
});

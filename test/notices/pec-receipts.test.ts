import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchDue } from '../../src/services/notices/dispatch.js';
import type { MailMessage, Mailer } from '../../src/services/notices/ports.js';
import { bearer, createHarness, type Harness } from '../support/harness.js';
import {
  createTestPecProvider,
  daticertFor,
  receiptMessage,
  testPecProvider,
  type ReceiptFields,
  type TestPecProvider,
} from '../support/pec-ca.js';
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
  let addresses: { accepted: string; bounced: string };
  let provider: TestPecProvider;
  const signed = (f: ReceiptFields) => receiptMessage(f, provider);
  const outboxState = async (messageId: string) =>
    (await sql<{ state: string }>`SELECT state FROM outbox WHERE message_id = ${messageId}`.execute(h.db.db))
      .rows[0]?.state;
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
    addresses = { accepted: relay.accepted, bounced: relay.bounced };
    provider = await testPecProvider();
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

    const receipt = await signed({
      kind: 'accettazione',
      messageId: ACCEPTED_ID,
      recipient: addresses.accepted,
    });
    const first = await post(receipt);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toEqual({
      matched: true,
      duplicate: false,
      kind: 'accettazione',
      conformant: true,
      problems: [],
      state: 'accepted',
      status: 'applied',
      signer: 'Ricevute PEC di prova, Gestore PEC di prova',
      reviewReasons: [],
    });
    const again = await post(receipt);
    expect(again.json()).toMatchObject({
      matched: true,
      duplicate: true,
      state: 'accepted',
      status: 'applied',
    });
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
    // The provider's daticert.xml (with its stray 'a'), for this message and address, signed by the provider.
    const daticert = sample('daticert-errore-consegna.go-pec.xml')
      .toString('utf8')
      .replace('SN05IE$951DEC16C1CFD3E4FD8FF1B1D24A99AE@fakepec.it', BOUNCED_ID)
      .replace(/rec@(fake)?pec\.it/g, addresses.bounced);
    const res = await post(
      await signed({
        kind: 'errore-consegna',
        messageId: BOUNCED_ID,
        recipient: addresses.bounced,
        daticert,
      }),
    );
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
    expect(body).toMatchObject({ status: 'applied' });

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

  const count = async () =>
    (await sql<{ n: number }>`SELECT count(*)::int AS n FROM pec_receipts`.execute(h.db.db)).rows[0]!.n;

  it('believes no receipt that is unsigned, signed by an unknown provider, altered, or not backed by its daticert.xml', async () => {
    expect(await outboxState(ACCEPTED_ID)).toBe('accepted');
    const genuine: ReceiptFields = {
      kind: 'errore-consegna',
      messageId: ACCEPTED_ID,
      recipient: addresses.accepted,
      errore: 'no-dest',
      erroreEsteso: '5.1.1 - indirizzo non valido',
    };
    // A bare header with a guessed Message-ID, as anyone with a staff token could post.
    const bare = `X-Ricevuta: errore-consegna\r\nX-Riferimento-Message-ID: <${ACCEPTED_ID}>\r\n\r\n`;
    const stranger = await createTestPecProvider('estraneo');
    const signedReceipt = await signed(genuine);
    const altered = Buffer.from(
      signedReceipt.toString('latin1').replace(/Ricevuta di errore-consegna/, 'Ricevuta di errore-consegnx'),
      'latin1',
    );
    const cases: [string, Buffer | string, RegExp][] = [
      ['bare header', bare, /signature: the receipt is not S\/MIME signed/],
      [
        "the provider's sample (its signature is truncated)",
        sample('errore-consegna.go-pec.eml'),
        /signature:/,
      ],
      ['unknown provider', await receiptMessage(genuine, stranger), /not from a trusted PEC provider/],
      ['altered after signing', altered, /signature: the S\/MIME signature does not verify/],
      [
        'daticert.xml about another message',
        await signed({ ...genuine, daticert: daticertFor({ ...genuine, messageId: 'altro.1@gara' }) }),
        /differs from daticert.xml msgid/,
      ],
      [
        'daticert.xml of another kind',
        await signed({ ...genuine, daticert: daticertFor({ ...genuine, kind: 'avvenuta-consegna' }) }),
        /disagrees with daticert.xml tipo/,
      ],
      [
        'daticert.xml for another address',
        await signed({ ...genuine, recipient: 'qualcun.altro@pec.example.it' }),
        /does not certify the message's address/,
      ],
    ];
    for (const [what, raw, reason] of cases) {
      const res = await post(raw);
      expect(res.statusCode, what).toBe(201);
      const body = res.json<{ status: string; reviewReasons: string[]; state: string | null }>();
      expect(body.status, what).toBe('review');
      expect(body.reviewReasons.join('\n'), what).toMatch(reason);
      expect(await outboxState(ACCEPTED_ID), what).toBe('accepted');
    }
    const review = await h.app.inject({
      method: 'GET',
      url: '/api/v1/pec-receipts?status=review&limit=500',
      headers: bearer(staffToken),
    });
    expect(review.json<{ items: unknown[] }>().items.length).toBeGreaterThanOrEqual(cases.length);

    // The genuine receipt is believed.
    const res = await post(signedReceipt);
    expect(res.json()).toMatchObject({ status: 'applied', state: 'failed' });
    expect(await outboxState(ACCEPTED_ID)).toBe('failed');
  });

  it("a regional officer's receipt reaches only their own section's messages", async () => {
    const lombardy = await h.factories.user('regional_staff', { regionalSectionCode: 'LOM' });
    const before = await outboxState(BOUNCED_ID);
    const genuine = await signed({
      kind: 'avvenuta-consegna',
      messageId: BOUNCED_ID,
      recipient: addresses.bounced,
    });
    const res = await post(genuine, lombardy.token);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      matched: false,
      status: 'review',
      state: null,
      reviewReasons: ['no message of section LOM has this Message-ID'],
    });
    expect(await outboxState(BOUNCED_ID)).toBe(before);
    // Lombardy sees its own posting, none of Puglia's receipts, and cannot download them.
    const list = await h.app.inject({
      method: 'GET',
      url: '/api/v1/pec-receipts?limit=500',
      headers: bearer(lombardy.token),
    });
    const items = list.json<{ items: { id: string; relayId: string | null }[] }>().items;
    expect(items).toHaveLength(1);
    expect(items[0]!.relayId).toBeNull();
    const puglia = await h.app.inject({
      method: 'GET',
      url: '/api/v1/pec-receipts?limit=500',
      headers: bearer(staffToken),
    });
    const ofPuglia = puglia.json<{ items: { id: string; relayId: string | null }[] }>().items;
    const matched = ofPuglia.find((i) => i.relayId === relayId)!;
    const raw = await h.app.inject({
      method: 'GET',
      url: `/api/v1/pec-receipts/${matched.id}/message.eml`,
      headers: bearer(lombardy.token),
    });
    expect(raw.statusCode).toBe(404);
    // The section that owns the message posts the same genuine receipt: it is applied (who posted it
    // first decides nothing).
    const owner = await post(genuine);
    expect(owner.statusCode).toBe(201);
    expect(owner.json()).toMatchObject({ matched: true, duplicate: true, status: 'applied' });
    expect(await outboxState(BOUNCED_ID)).toBe('delivered');
  });

  it('refuses oversized receipts with 413 naming the limit, keeping nothing', async () => {
    const kept = await count();
    // 5 MB in one attribute of daticert.xml: more than the body limit (4 MB) once in base64.
    const huge = await receiptMessage(
      {
        kind: 'accettazione',
        messageId: ACCEPTED_ID,
        recipient: addresses.accepted,
        daticert: `<postacert tipo="${'a'.repeat(5 * 1024 * 1024)}"/>`,
      },
      null,
    );
    const tooBig = await post(huge);
    expect(tooBig.statusCode).toBe(413);
    expect(tooBig.json()).toMatchObject({ code: 'payload_too_large' });
    // Within the body limit, but a 10,000-character attribute: daticert.xml is refused before it is parsed.
    const longAttribute = await signed({
      kind: 'accettazione',
      messageId: ACCEPTED_ID,
      recipient: addresses.accepted,
      daticert: daticertFor({
        kind: 'accettazione',
        messageId: ACCEPTED_ID,
        recipient: addresses.accepted,
      }).replace('errore="nessuno"', `errore="${'x'.repeat(10_000)}"`),
    });
    const refused = await post(longAttribute);
    expect(refused.statusCode).toBe(413);
    expect(refused.json<{ detail: string }>().detail).toMatch(
      /daticert.xml: an attribute value is longer than the limit of 256 characters/,
    );
    expect(await count()).toBe(kept);
  });
});

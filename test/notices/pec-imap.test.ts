import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import hoodiecrow from 'hoodiecrow-imap';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imapMailbox } from '../../src/adapters/mail/imap-mailbox.js';
import { MAX_PEC_RECEIPT_BYTES } from '../../src/adapters/mail/pec-receipt.js';
import { ingestPecMailbox } from '../../src/services/notices/ingest-pec-mailbox.js';
import { createHarness, type Harness } from '../support/harness.js';
import { receiptMessage, testPecProvider } from '../support/pec-ca.js';
import { engineName } from '../support/test-db.js';
import {
  ACCEPTED_ID,
  BOUNCED_ID,
  pecSamples,
  relayForSamples,
  warnIfSamplesMissing,
} from './support/pec-samples.js';

const samples = pecSamples;
const missing = warnIfSamplesMissing('PEC mailbox tests');

const ORDINARY =
  'From: rup@comune.example.it\r\nTo: osservatorio.pug@pec.example.it\r\nSubject: Grazie\r\nMessage-ID: <risposta.1@comune.example.it>\r\n\r\nRicevuto, grazie.\r\n';

/**
 * Receipts read from the section's PEC mailbox over IMAP (a real IMAP server in memory: hoodiecrow):
 * each unseen message is kept once, matched to its outbox message, and marked seen only after that.
 */
describe.skipIf(missing)(`PEC receipts from the IMAP mailbox (${engineName()})`, () => {
  let h: Harness;
  let server: ReturnType<typeof hoodiecrow>;
  let url: URL;
  let relayId: string;
  const sample = (name: string) => readFileSync(`${samples}${name}`, 'latin1');

  beforeAll(async () => {
    h = await createHarness({ now: '2024-11-15T17:00:00Z' });
    const relay = await relayForSamples(h);
    relayId = relay.relayId;
    const provider = await testPecProvider();
    const accepted = (
      await receiptMessage(
        { kind: 'accettazione', messageId: ACCEPTED_ID, recipient: relay.accepted },
        provider,
      )
    ).toString('latin1');
    const bounced = (
      await receiptMessage(
        { kind: 'errore-consegna', messageId: BOUNCED_ID, recipient: relay.bounced, errore: 'no-dest' },
        provider,
      )
    ).toString('latin1');
    server = hoodiecrow({
      plugins: ['UIDPLUS', 'ENABLE', 'LITERALPLUS'],
      users: { 'osservatorio.pug': { password: 'segreto di prova' } },
      storage: {
        INBOX: {
          messages: [
            { raw: accepted },
            { raw: ORDINARY },
            { raw: bounced },
            // The provider delivered the acceptance twice.
            { raw: accepted },
            // The provider's own sample: its signature is truncated, so it is only kept for review.
            { raw: sample('errore-consegna.go-pec.eml') },
          ],
        },
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.server.address() as AddressInfo).port;
    url = new URL(
      `imap://osservatorio.pug:${encodeURIComponent('segreto di prova')}@127.0.0.1:${port}/INBOX`,
    );
  });
  afterAll(async () => {
    server?.close();
    await h?.close();
  });

  const states = async () => {
    const { rows } = await sql<{ message_id: string; state: string }>`
      SELECT message_id, state FROM outbox WHERE relay_id = ${relayId} AND message_id IN (${ACCEPTED_ID}, ${BOUNCED_ID})
      ORDER BY message_id`.execute(h.db.db);
    return Object.fromEntries(rows.map((r) => [r.message_id, r.state]));
  };

  const ingest = () => ingestPecMailbox(h.deps, imapMailbox(url), h.deps.pecReceipts, MAX_PEC_RECEIPT_BYTES);

  it('keeps every message once, applies the receipts to their messages, and marks them seen', async () => {
    expect(await ingest()).toEqual({ read: 5, matched: 3, duplicates: 1, refused: 0 });
    expect(await states()).toEqual({ [ACCEPTED_ID]: 'accepted', [BOUNCED_ID]: 'failed' });
    const { rows } = await sql<{ n: number; unmatched: number }>`
      SELECT count(*)::int AS n, count(*) FILTER (WHERE outbox_id IS NULL)::int AS unmatched FROM pec_receipts`.execute(
      h.db.db,
    );
    // The ordinary reply is kept too, unmatched, for review; so is the sample (matched, not applied).
    expect(rows[0]).toEqual({ n: 4, unmatched: 1 });
    const review = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM pec_receipts WHERE status = 'review'`.execute(h.db.db);
    expect(review.rows[0]!.n).toBe(2);
    // Seen now: the next round reads nothing.
    expect(await ingest()).toEqual({ read: 0, matched: 0, duplicates: 0, refused: 0 });
  });

  it('a message whose handling fails stays unseen and is read again next round', async () => {
    const mailbox = imapMailbox(url);
    // A new message arrives; the first attempt fails (as if the database were down).
    const client = (await import('imapflow')).ImapFlow;
    const c = new client({
      host: '127.0.0.1',
      port: Number(url.port),
      secure: false,
      doSTARTTLS: false,
      auth: { user: 'osservatorio.pug', pass: 'segreto di prova' },
      logger: false,
    });
    await c.connect();
    await c.append('INBOX', ORDINARY.replace('risposta.1', 'risposta.2'));
    await c.logout();
    await expect(
      mailbox.drainUnseen(async () => {
        throw new Error('database down');
      }),
    ).rejects.toThrow('database down');
    const handed: string[] = [];
    expect(await mailbox.drainUnseen(async (raw) => void handed.push(raw.toString('latin1')))).toBe(1);
    expect(handed[0]).toContain('risposta.2');
  });

  it('an unreachable mailbox fails the round (the job retries next interval), it does not stop the process', async () => {
    const closed = imapMailbox(new URL('imap://osservatorio.pug:x@127.0.0.1:1/INBOX'));
    await expect(closed.drainUnseen(async () => undefined)).rejects.toThrow();
  });

  it('a message over the size limit is not read: its head is kept for review, it is flagged and never read again', async () => {
    const client = (await import('imapflow')).ImapFlow;
    const c = new client({
      host: '127.0.0.1',
      port: Number(url.port),
      secure: false,
      doSTARTTLS: false,
      auth: { user: 'osservatorio.pug', pass: 'segreto di prova' },
      logger: false,
    });
    await c.connect();
    const pad = `X-Pad: ${'y'.repeat(70)}\r\n`;
    const big = ORDINARY.replace(
      'Subject: Grazie\r\n',
      `Subject: Enorme\r\n${pad.repeat(Math.ceil((MAX_PEC_RECEIPT_BYTES + 1024 * 1024) / pad.length))}`,
    );
    await c.append('INBOX', big);
    expect(await ingest()).toMatchObject({ read: 1, refused: 1 });
    const { rows } = await sql<{ status: string; n: number; problems: string[] }>`
      SELECT status, length(raw)::int AS n, problems FROM pec_receipts WHERE kind = 'unknown' AND length(raw) = 65536`.execute(
      h.db.db,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.status).toBe('review');
    expect(rows[0]!.problems.join(' ')).toMatch(/more than the limit of 4194304 bytes: not read/);
    // After a restart (a new mailbox client) it is not read again; it stays in the mailbox, flagged.
    expect(await ingest()).toMatchObject({ read: 0, refused: 0 });
    await c.mailboxOpen('INBOX');
    const flagged = await c.search({ keyword: '$GaraRefused' }, { uid: true });
    expect(flagged).toHaveLength(1);
    await c.logout();
  });
});

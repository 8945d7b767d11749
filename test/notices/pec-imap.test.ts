import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import hoodiecrow from 'hoodiecrow-imap';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imapMailbox } from '../../src/adapters/mail/imap-mailbox.js';
import { parsePecReceipt } from '../../src/adapters/mail/pec-receipt.js';
import { ingestPecMailbox } from '../../src/services/notices/receipts.js';
import { createHarness, type Harness } from '../support/harness.js';
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
    relayId = (await relayForSamples(h)).relayId;
    server = hoodiecrow({
      plugins: ['UIDPLUS', 'ENABLE', 'LITERALPLUS'],
      users: { 'osservatorio.pug': { password: 'segreto di prova' } },
      storage: {
        INBOX: {
          messages: [
            { raw: sample('accettazione.go-pec.eml') },
            { raw: ORDINARY },
            { raw: sample('errore-consegna.go-pec.eml') },
            // The provider delivered the acceptance twice.
            { raw: sample('accettazione.go-pec.eml') },
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

  it('keeps every message once, applies the receipts to their messages, and marks them seen', async () => {
    expect(await ingestPecMailbox(h.deps, imapMailbox(url), parsePecReceipt)).toEqual({
      read: 4,
      matched: 2,
      duplicates: 1,
    });
    expect(await states()).toEqual({ [ACCEPTED_ID]: 'accepted', [BOUNCED_ID]: 'failed' });
    const { rows } = await sql<{ n: number; unmatched: number }>`
      SELECT count(*)::int AS n, count(*) FILTER (WHERE outbox_id IS NULL)::int AS unmatched FROM pec_receipts`.execute(
      h.db.db,
    );
    // The ordinary reply is kept too, unmatched, for review.
    expect(rows[0]).toEqual({ n: 3, unmatched: 1 });
    // Seen now: the next round reads nothing.
    expect(await ingestPecMailbox(h.deps, imapMailbox(url), parsePecReceipt)).toEqual({
      read: 0,
      matched: 0,
      duplicates: 0,
    });
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
});

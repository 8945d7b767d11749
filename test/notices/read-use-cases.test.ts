import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainError } from '../../src/domain/shared/errors.js';
import { getOutboxEml } from '../../src/services/notices/get-outbox-eml.js';
import { getPecReceiptMessage } from '../../src/services/notices/get-pec-receipt-message.js';
import { getRelayLetter } from '../../src/services/notices/get-relay-letter.js';
import { getRelayReport } from '../../src/services/notices/get-relay-report.js';
import { getSegnatura } from '../../src/services/notices/get-segnatura.js';
import { listNoticeDrafts } from '../../src/services/notices/list-notice-drafts.js';
import { listOutboxMessages } from '../../src/services/notices/list-outbox-messages.js';
import { listPecReceipts } from '../../src/services/notices/list-pec-receipts.js';
import { publishNotice } from '../../src/services/notices/publish-notice.js';
import type { ReadPecReceipt, SentMessageFiles } from '../../src/services/notices/ports.js';
import { receivePecReceipt } from '../../src/services/notices/receive-pec-receipt.js';
import { relayNotice } from '../../src/services/notices/relay-notice.js';
import { subscribe } from '../../src/services/notices/subscribe.js';
import { createHarness, type Harness } from '../support/harness.js';
import { engineName } from '../support/test-db.js';

type Person = Awaited<ReturnType<Harness['factories']['user']>>;

const codeOf = async (work: Promise<unknown>) =>
  work.then(
    () => 'ok',
    (e: DomainError) => e.code,
  );

/** Every .eml is "written": what the use cases decide is who may have it. */
const everyFileWritten: SentMessageFiles = {
  exists: () => true,
  read: (messageId) => Buffer.from(`Message-ID: <${messageId}>\r\n\r\ntesto`),
};

/**
 * The read use cases behind the notices API decide who may read: another section's relay, letter,
 * report, segnatura and receipts are not found; a subscription confirmation is never served.
 */
describe(`notices read use cases (${engineName()})`, () => {
  let h: Harness;
  let staff: Person;
  let puglia: Person;
  let lazio: Person;
  let rup: Person;
  let relayId: string;
  let registrationId: string;

  beforeAll(async () => {
    h = await createHarness({ now: '2021-05-07T08:00:00Z' });
    staff = await h.factories.user('authority_staff');
    puglia = await h.factories.user('regional_staff', { regionalSectionCode: 'PUG' });
    lazio = await h.factories.user('regional_staff', { regionalSectionCode: 'LAZ' });
    rup = await h.factories.rup({ section: 'PUG' });
    const notice = await publishNotice(
      h.deps,
      { title: 'Avviso', noticeDate: '2021-05-07', kind: 'information', body: 'Testo.' },
      staff.actor,
    );
    const outcome = await relayNotice(h.deps, { noticeId: notice.id }, puglia.actor);
    relayId = outcome.relay.id;
    registrationId = outcome.registration.id;
  });
  afterAll(() => h.close());

  it("answers another section's relay letter, report and segnatura as not found", async () => {
    expect((await getRelayLetter(h.deps, relayId, puglia.actor)).pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const report = await getRelayReport(h.deps, relayId, staff.actor);
    expect(report.recipients.map((r) => r.address)).toEqual([rup.user.email]);
    expect(await getSegnatura(h.deps, registrationId, puglia.actor)).toContain('Segnatura');
    expect(await codeOf(getRelayLetter(h.deps, relayId, lazio.actor))).toBe('not_found');
    expect(await codeOf(getRelayReport(h.deps, relayId, lazio.actor))).toBe('not_found');
    expect(await codeOf(getSegnatura(h.deps, registrationId, lazio.actor))).toBe('not_found');
    expect(await codeOf(getRelayReport(h.deps, relayId, rup.actor))).toBe('forbidden');
  });

  it("keeps a regional officer's receipts to their section and what they posted", async () => {
    const parsed: ReadPecReceipt = {
      kind: 'accettazione',
      referenceMessageId: '<nessuno@example.it>',
      recipient: null,
      problems: [],
      conformant: true,
      datiCert: null,
      refused: null,
      disagreements: [],
      recipients: [],
      signature: { verified: false, signer: null, problem: 'unsigned' },
    };
    await receivePecReceipt(h.deps, { raw: Buffer.from('ricevuta di prova\r\n'), parsed }, puglia.actor);
    const mine = await listPecReceipts(h.deps, { unmatched: true, limit: 50, offset: 0 }, puglia.actor);
    expect(mine).toHaveLength(1);
    const id = mine[0]!.id;
    expect(await listPecReceipts(h.deps, { unmatched: true, limit: 50, offset: 0 }, lazio.actor)).toEqual([]);
    expect(Buffer.from(await getPecReceiptMessage(h.deps, id, puglia.actor)).toString()).toBe(
      'ricevuta di prova\r\n',
    );
    expect(Buffer.from(await getPecReceiptMessage(h.deps, id, staff.actor)).toString()).toBe(
      'ricevuta di prova\r\n',
    );
    expect(await codeOf(getPecReceiptMessage(h.deps, id, lazio.actor))).toBe('not_found');
    expect(await codeOf(getPecReceiptMessage(h.deps, id, rup.actor))).toBe('forbidden');
  });

  it('never serves a subscription confirmation, and serves a relay message to its section only', async () => {
    await subscribe(h.deps, {
      channel: 'email',
      address: 'cittadino@example.it',
      services: ['cig_issuance'],
      linkBase: 'https://gara.example.it',
    });
    const deps = { ...h.deps, sentMail: everyFileWritten };
    const all = await listOutboxMessages(deps, { limit: 50, offset: 0 }, staff.actor);
    const confirmation = all.find((m) => m.kind === 'confirmation')!;
    const relayed = all.find((m) => m.kind === 'relay')!;
    expect(confirmation.emlWritten).toBe(false);
    expect(confirmation.body).toBe('');
    expect(relayed.emlWritten).toBe(true);
    expect(await codeOf(getOutboxEml(deps, confirmation.id, staff.actor))).toBe('not_found');
    expect((await getOutboxEml(deps, relayed.id, puglia.actor)).toString()).toContain(relayed.messageId);
    expect(await codeOf(getOutboxEml(deps, relayed.id, lazio.actor))).toBe('not_found');
    expect(await codeOf(getOutboxEml({ ...h.deps, sentMail: null }, relayed.id, staff.actor))).toBe(
      'not_found',
    );
    const lazioView = await listOutboxMessages(deps, { limit: 50, offset: 0 }, lazio.actor);
    expect(lazioView.map((m) => m.id)).not.toContain(relayed.id);
  });

  it('lists drafts to staff only', async () => {
    expect(await listNoticeDrafts(h.deps, puglia.actor)).toEqual([]);
    expect(await codeOf(listNoticeDrafts(h.deps, rup.actor))).toBe('forbidden');
  });
});

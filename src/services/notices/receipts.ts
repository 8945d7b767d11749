import { audit, requireRole, systemActor, type Actor, type ServiceDeps } from '../context.js';

/** What the PEC parser found (adapters/mail/pec-receipt.ts). */
export interface ParsedPecReceipt {
  kind: string;
  referenceMessageId: string | null;
  recipient: string | null;
  problems: string[];
  conformant: boolean;
  datiCert: { erroreEsteso: string | null; errore: string } | null;
}

/**
 * A certified e-mail receipt came back (inbound channel): stored as evidence whatever happens, matched
 * to its outbox message by X-Riferimento-Message-ID, and moving it to accepted, delivered or failed.
 */
export async function receivePecReceipt(
  deps: Pick<ServiceDeps, 'store' | 'clock' | 'ids'>,
  input: { raw: Buffer; parsed: ParsedPecReceipt },
  actor: Actor,
): Promise<{ matched: boolean; outboxId: string | null; state: string | null; duplicate: boolean }> {
  if (actor.kind === 'user') requireRole(actor, 'authority_staff', 'admin', 'regional_staff');
  const now = deps.clock.now();
  const { parsed } = input;
  return deps.store.transaction(async (store) => {
    const message = parsed.referenceMessageId
      ? await store.notices.findOutboxByMessageId(parsed.referenceMessageId)
      : undefined;
    const kept = await store.notices.insertPecReceipt({
      id: deps.ids.uuid(),
      outboxId: message?.id ?? null,
      kind: parsed.kind,
      referenceMessageId: parsed.referenceMessageId,
      recipient: parsed.recipient,
      conformant: parsed.conformant,
      problems: parsed.problems,
      raw: input.raw,
      receivedAt: now,
    });
    if (!kept) {
      // Delivered twice by the inbound channel: the first copy was kept and applied.
      const before = await store.notices.findPecReceipt(input.raw);
      return {
        matched: Boolean(before?.outboxId),
        outboxId: before?.outboxId ?? null,
        state: before?.state ?? null,
        duplicate: true,
      };
    }
    if (!message) return { matched: false, outboxId: null, state: null, duplicate: false };
    const detail = `PEC ${parsed.kind}${parsed.conformant ? '' : ` (non conforme: ${parsed.problems.join('; ')})`}`;
    let state = message.state;
    if (parsed.kind === 'accettazione' && (state === 'sending' || state === 'queued')) {
      await store.notices.markAccepted(message.id, now, detail);
      state = 'accepted';
    } else if (parsed.kind === 'avvenuta-consegna') {
      await store.notices.markDelivered(message.id, now, detail);
      state = 'delivered';
    } else if (
      ['errore-consegna', 'non-accettazione', 'rilevazione-virus'].includes(parsed.kind) &&
      state !== 'delivered'
    ) {
      await store.notices.markFailed(
        message.id,
        now,
        'permanent',
        `${detail}: ${parsed.datiCert?.erroreEsteso ?? parsed.datiCert?.errore ?? 'errore'}`,
        null,
      );
      state = 'failed';
    } else {
      await store.notices.addOutboxEvent(message.id, now, 'receipt', detail);
    }
    await store.audit.append([
      audit(
        systemActor('pec-inbound'),
        now,
        'outbox.receipt',
        { type: 'outbox', id: message.messageId },
        null,
        { kind: parsed.kind, state },
      ),
    ]);
    return { matched: true, outboxId: message.id, state, duplicate: false };
  });
}

/** A mailbox of certified e-mail (adapters/mail/imap-mailbox.ts): unseen messages, each marked once handled. */
export interface PecMailbox {
  drainUnseen(handler: (raw: Buffer) => Promise<void>, limit?: number): Promise<number>;
}

/**
 * The inbound channel from the PEC mailbox: every unseen message is kept as a receipt (matched to its
 * outbox message, or kept for review) and marked seen only after its transaction committed. A message
 * handed over twice (a crash before the mark) is recognised by its SHA-256 and not applied again.
 */
export async function ingestPecMailbox(
  deps: Pick<ServiceDeps, 'store' | 'clock' | 'ids'>,
  mailbox: PecMailbox,
  parse: (raw: Buffer) => Promise<ParsedPecReceipt>,
): Promise<{ read: number; matched: number; duplicates: number }> {
  let matched = 0;
  let duplicates = 0;
  const read = await mailbox.drainUnseen(async (raw) => {
    const outcome = await receivePecReceipt(deps, { raw, parsed: await parse(raw) }, systemActor('pec-imap'));
    if (outcome.duplicate) duplicates += 1;
    else if (outcome.matched) matched += 1;
  });
  return { read, matched, duplicates };
}

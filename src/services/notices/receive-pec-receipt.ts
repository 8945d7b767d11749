import { audit, requireRole, type ServiceDeps } from '../context.js';
import type { ReadPecReceipt } from './ports.js';
import { type Actor, systemActor } from '../../domain/registry/actor.js';

export interface PecReceiptOutcome {
  matched: boolean;
  outboxId: string | null;
  state: string | null;
  duplicate: boolean;
  /** applied: it changed (or confirmed) the delivery state; review: kept, changing nothing */
  status: 'applied' | 'review';
  /** why it is kept for review (empty when applied) */
  reviewReasons: string[];
}

const REVIEW = 'kept for review: ';

/** A genuine receipt moves its message: accepted, delivered or failed (or an event), with its audit entry. */
async function applyReceipt(
  store: Parameters<Parameters<ServiceDeps['store']['transaction']>[0]>[0],
  message: NonNullable<Awaited<ReturnType<ServiceDeps['store']['outbox']['findOutboxByMessageId']>>>,
  parsed: ReadPecReceipt,
  now: Date,
): Promise<string> {
  const detail = `PEC ${parsed.kind}${parsed.conformant ? '' : ` (non conforme: ${parsed.problems.join('; ')})`}`;
  let state = message.state;
  if (parsed.kind === 'accettazione' && (state === 'sending' || state === 'queued')) {
    await store.outbox.markAccepted(message.id, now, detail);
    state = 'accepted';
  } else if (parsed.kind === 'avvenuta-consegna') {
    await store.outbox.markDelivered(message.id, now, detail);
    state = 'delivered';
  } else if (
    ['errore-consegna', 'non-accettazione', 'rilevazione-virus'].includes(parsed.kind) &&
    state !== 'delivered'
  ) {
    await store.outbox.markFailed(
      message.id,
      now,
      'permanent',
      `${detail}: ${parsed.datiCert?.erroreEsteso ?? parsed.datiCert?.errore ?? 'errore'}`,
      null,
    );
    state = 'failed';
  } else {
    await store.outbox.addOutboxEvent(message.id, now, 'receipt', detail);
  }
  await store.audit.append([
    audit(
      systemActor('pec-inbound'),
      now,
      'outbox.receipt',
      { type: 'outbox', id: message.messageId },
      null,
      { kind: parsed.kind, state, signer: parsed.signature.signer },
    ),
  ]);
  return state;
}

/**
 * A certified e-mail receipt came back (inbound channel): stored as evidence whatever happens, matched
 * to its outbox message by X-Riferimento-Message-ID. It moves the message to accepted, delivered or
 * failed only when it is genuine: its S/MIME signature verifies against a trusted PEC provider, its
 * daticert.xml backs its headers (kind, Message-ID) and certifies the message's address. A regional
 * officer's receipt only reaches their own section's messages (another section's is answered as an
 * unknown Message-ID). Anything else is kept for review and changes nothing.
 */
export async function receivePecReceipt(
  deps: Pick<ServiceDeps, 'store' | 'clock' | 'ids'>,
  input: { raw: Buffer; parsed: ReadPecReceipt },
  actor: Actor,
): Promise<PecReceiptOutcome> {
  const staff =
    actor.kind === 'user' ? requireRole(actor, 'authority_staff', 'admin', 'regional_staff') : null;
  const section = staff?.role === 'regional_staff' ? (staff.regionalSectionCode ?? '') : null;
  const now = deps.clock.now();
  const { parsed } = input;
  return deps.store.transaction(async (store) => {
    const found = parsed.referenceMessageId
      ? await store.outbox.findOutboxByMessageId(parsed.referenceMessageId)
      : undefined;
    const message = found && (section === null || found.sectionCode === section) ? found : undefined;
    const reasons: string[] = [];
    if (parsed.refused) reasons.push(parsed.refused);
    if (!message) {
      reasons.push(
        section === null
          ? 'no message has this Message-ID'
          : `no message of section ${section} has this Message-ID`,
      );
    }
    if (!parsed.signature.verified) reasons.push(`signature: ${parsed.signature.problem ?? 'not verified'}`);
    reasons.push(...parsed.disagreements);
    if (message && !parsed.recipients.includes(message.address.toLowerCase())) {
      reasons.push(`daticert.xml does not certify the message's address ${message.address}`);
    }
    const status = reasons.length === 0 ? 'applied' : 'review';
    const kept = await store.pecReceipts.insertPecReceipt({
      id: deps.ids.uuid(),
      outboxId: message?.id ?? null,
      kind: parsed.kind,
      referenceMessageId: parsed.referenceMessageId,
      recipient: parsed.recipient,
      conformant: parsed.conformant,
      problems: [...parsed.problems, ...reasons.map((r) => `${REVIEW}${r}`)],
      raw: input.raw,
      receivedAt: now,
      status,
      signer: parsed.signature.verified ? parsed.signature.signer : null,
      receivedBy: staff?.userId ?? null,
    });
    if (!kept) {
      // Delivered twice by the inbound channel: the first copy was kept (and applied, if it was).
      const before = await store.pecReceipts.findPecReceipt(input.raw);
      // A genuine receipt first posted by another section's officer (kept for review: not their message)
      // is applied when the section that owns the message posts it: who posted first decides nothing.
      if (before?.status === 'review' && !before.outboxId && message && status === 'applied') {
        const state = await applyReceipt(store, message, parsed, now);
        return { matched: true, outboxId: message.id, state, duplicate: true, status, reviewReasons: [] };
      }
      const visible = before?.outboxId && message?.id === before.outboxId;
      return {
        matched: Boolean(visible),
        outboxId: visible ? (before?.outboxId ?? null) : null,
        state: visible ? (before?.state ?? null) : null,
        duplicate: true,
        status: before?.status ?? status,
        reviewReasons: (before?.problems ?? [])
          .filter((p) => p.startsWith(REVIEW))
          .map((p) => p.slice(REVIEW.length)),
      };
    }
    if (!message || status === 'review') {
      return {
        matched: Boolean(message),
        outboxId: message?.id ?? null,
        state: message?.state ?? null,
        duplicate: false,
        status,
        reviewReasons: reasons,
      };
    }
    const state = await applyReceipt(store, message, parsed, now);
    return { matched: true, outboxId: message.id, state, duplicate: false, status, reviewReasons: [] };
  });
}

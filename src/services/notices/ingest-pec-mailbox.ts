import type { ServiceDeps } from '../context.js';
import type { PecReceiptReader, ReadPecReceipt, PecMailbox } from './ports.js';
import { systemActor } from '../../domain/registry/actor.js';
import { receivePecReceipt } from './receive-pec-receipt.js';

/**
 * The inbound channel from the PEC mailbox: every unseen message is kept as a receipt (matched to its
 * outbox message, or kept for review) and marked seen only after its transaction committed. A message
 * handed over twice (a crash before the mark) is recognised by its SHA-256 and not applied again.
 */
export async function ingestPecMailbox(
  deps: Pick<ServiceDeps, 'store' | 'clock' | 'ids'>,
  mailbox: PecMailbox,
  reader: PecReceiptReader,
  maxBytes: number,
): Promise<{ read: number; matched: number; duplicates: number; refused: number }> {
  let matched = 0;
  let duplicates = 0;
  let refused = 0;
  const read = await mailbox.drainUnseen(
    async (raw, oversize) => {
      const parsed =
        oversize === null
          ? await reader.read(raw, deps.clock.now())
          : refusedReceipt(oversize, maxBytes, raw);
      const outcome = await receivePecReceipt(deps, { raw, parsed }, systemActor('pec-imap'));
      if (oversize !== null) refused += 1;
      if (outcome.duplicate) duplicates += 1;
      else if (outcome.matched) matched += 1;
    },
    { maxBytes },
  );
  return { read, matched, duplicates, refused };
}

/** A message too large to read: its beginning is kept, for review, and nothing is parsed. */
function refusedReceipt(size: number, maxBytes: number, head: Buffer): ReadPecReceipt {
  const refused =
    `the message is ${size} bytes, more than the limit of ${maxBytes} bytes: not read; its first ` +
    `${head.length} bytes are kept and the message stays in the mailbox flagged $GaraRefused`;
  return {
    kind: 'unknown',
    referenceMessageId: null,
    recipient: null,
    problems: [refused],
    conformant: false,
    datiCert: null,
    refused,
    disagreements: [],
    recipients: [],
    signature: { verified: false, signer: null, problem: 'not read' },
  };
}

import type { PecReceiptReader, ReadPecReceipt } from '../../services/notices/ports.js';
import { parsePecReceipt, pecReceiptShapeProblem, unreadableReceipt } from './pec-receipt.js';
import type { SmimeVerifier } from './smime.js';

/**
 * Reads a PEC receipt for the intake: checks its S/MIME signature and, when it verifies, parses the
 * certification data from the signed entity only (under the message's own headers, which S/MIME does
 * not sign), so that a part added outside the signature cannot stand in for the signed daticert.xml.
 * An unverified receipt is parsed whole, for review.
 */
export function pecReceiptReader(verifier: SmimeVerifier): PecReceiptReader {
  return {
    async read(raw, at) {
      // Bounded work before anything parses it: a message of a million folded header lines or soft line
      // breaks held the event loop for seconds.
      const shape = pecReceiptShapeProblem(raw);
      if (shape)
        return {
          ...unreadableReceipt(shape),
          signature: { verified: false, signer: null, problem: shape },
        } satisfies ReadPecReceipt;
      const signature = await verifier.verify(raw, at);
      const source = signature.verified ? underOuterHeaders(raw, signature.signedEntity) : raw;
      const parsed = await parsePecReceipt(source);
      return {
        ...parsed,
        signature: signature.verified
          ? { verified: true, signer: signature.signer, problem: null }
          : { verified: false, signer: null, problem: signature.problem },
      } satisfies ReadPecReceipt;
    },
  };
}

/** The message's header fields, less those describing its MIME body, followed by the signed entity. */
function underOuterHeaders(raw: Buffer, signedEntity: Buffer): Buffer {
  const text = raw.toString('latin1').replace(/\r?\n/g, '\r\n');
  const end = text.indexOf('\r\n\r\n');
  const head = end < 0 ? text : text.slice(0, end);
  const kept = head
    .split(/\r\n(?![ \t])/)
    .filter((field) => !/^(content-type|content-transfer-encoding|mime-version)\s*:/i.test(field));
  return Buffer.concat([
    Buffer.from(`${kept.join('\r\n')}\r\nMIME-Version: 1.0\r\n`, 'latin1'),
    signedEntity,
  ]);
}

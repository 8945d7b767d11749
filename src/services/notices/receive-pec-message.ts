import { DomainError } from '../../domain/shared/errors.js';
import { requireRole, type Actor, type ServiceDeps } from '../context.js';
import type { ReadPecReceipt } from './ports.js';
import { receivePecReceipt, type PecReceiptOutcome } from './receive-pec-receipt.js';

/**
 * A raw receipt posted over HTTP: read (S/MIME signature checked), refused when a part is over its
 * limits, then kept and applied as `receivePecReceipt` decides.
 */
export async function receivePecMessage(
  deps: Pick<ServiceDeps, 'store' | 'clock' | 'ids' | 'pecReceipts'>,
  raw: Buffer,
  actor: Actor,
): Promise<{ parsed: ReadPecReceipt; outcome: PecReceiptOutcome }> {
  if (actor.kind === 'user') requireRole(actor, 'authority_staff', 'admin', 'regional_staff');
  const parsed = await deps.pecReceipts.read(raw, deps.clock.now());
  if (parsed.refused) {
    throw new DomainError('payload_too_large', parsed.refused, { field: 'body', reason: 'xml_limit' });
  }
  return { parsed, outcome: await receivePecReceipt(deps, { raw, parsed }, actor) };
}

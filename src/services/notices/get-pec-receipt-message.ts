import { notFound } from '../../domain/shared/errors.js';
import type { Actor, ServiceDeps } from '../context.js';
import { readablePecReceipts } from './pec-receipt-scope.js';

/** A receipt exactly as it was received; one the caller may not read is not found. */
export async function getPecReceiptMessage(
  deps: Pick<ServiceDeps, 'store'>,
  id: string,
  actor: Actor,
): Promise<Buffer> {
  const scope = readablePecReceipts(actor);
  const raw = await deps.store.pecReceipts.pecReceiptRaw(id, scope);
  if (!raw) throw notFound('receipt');
  return raw;
}

import type { Actor, ServiceDeps } from '../context.js';
import type { PecReceiptRecord } from './ports.js';
import { readablePecReceipts } from './pec-receipt-scope.js';

/** Receipts received, newest first, as far as the caller may read them (see `readablePecReceipts`). */
export async function listPecReceipts(
  deps: Pick<ServiceDeps, 'store'>,
  filter: { unmatched: boolean; status?: 'applied' | 'review' | undefined; limit: number; offset: number },
  actor: Actor,
): Promise<PecReceiptRecord[]> {
  const scope = readablePecReceipts(actor);
  return deps.store.pecReceipts.listPecReceipts({ ...filter, scope });
}

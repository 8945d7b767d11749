import { requireRole, type Actor, type ServiceDeps } from '../context.js';
import type { Page } from '../ports.js';
import type { ReceiptStatus, StoredReceipt } from './ports.js';

/** The receipts the pagoPA node sent (Authority staff): status 'review' lists those kept for review. */
export async function listReceipts(
  deps: Pick<ServiceDeps, 'store'>,
  filter: { limit: number; offset: number; status?: ReceiptStatus | undefined },
  actor: Actor,
): Promise<Page<StoredReceipt>> {
  requireRole(actor, 'authority_staff', 'admin');
  return deps.store.paymentReceipts.listReceipts(filter);
}

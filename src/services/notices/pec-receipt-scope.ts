import { requireRole, type Actor } from '../context.js';
import type { PecReceiptScope } from './ports.js';

/**
 * Who may read received PEC receipts: the Authority's staff and administrators all of them, a regional
 * officer those of their section's messages and those they posted (undefined: no restriction).
 */
export function readablePecReceipts(actor: Actor): PecReceiptScope | undefined {
  const staff = requireRole(actor, 'authority_staff', 'admin', 'regional_staff');
  return staff.role === 'regional_staff'
    ? { sectionCode: staff.regionalSectionCode ?? '', userId: staff.userId }
    : undefined;
}

import { requireRole, type ServiceDeps } from '../context.js';
import type { OutboxMessage, OutboxState } from './ports.js';
import type { Actor } from '../../domain/registry/actor.js';
import { bodyIsServed } from './outbox-access.js';

type Deps = Pick<ServiceDeps, 'store'>;

/** What staff see of a message: its body only where it holds no secret. */
const redacted = (m: OutboxMessage): OutboxMessage => (bodyIsServed(m) ? m : { ...m, body: '' });

/**
 * The outbox, newest first. Regional staff see their section's messages only (the relays it sent and the
 * reminders to the RUPs of its authorities); the Authority's staff and administrators see every message.
 */
export async function listOutbox(
  deps: Deps,
  filter: {
    state?: OutboxState | undefined;
    kind?: OutboxMessage['kind'] | undefined;
    limit: number;
    offset: number;
  },
  actor: Actor,
): Promise<OutboxMessage[]> {
  const user = requireRole(actor, 'regional_staff', 'authority_staff', 'admin');
  const sectionCode = user.role === 'regional_staff' ? (user.regionalSectionCode ?? '') : undefined;
  const rows = await deps.store.outbox.listOutbox({ ...filter, sectionCode });
  return rows.map(redacted);
}

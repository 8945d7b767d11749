import { notFound } from '../../domain/shared/errors.js';
import { requireRole, type ServiceDeps } from '../context.js';
import type { OutboxMessage, OutboxState } from './ports.js';
import type { Actor, UserActor } from '../../domain/registry/actor.js';

type Deps = Pick<ServiceDeps, 'store'>;

/**
 * A subscription confirmation carries the token that confirms or cancels the subscription: whoever
 * reads it can act for the subscriber. Its body is never served through the API, to anyone.
 */
export const bodyIsServed = (m: Pick<OutboxMessage, 'kind'>) => m.kind !== 'confirmation';

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
  const rows = await deps.store.notices.listOutbox({ ...filter, sectionCode });
  return rows.map(redacted);
}

/** The section a message belongs to, or null for the Authority's own (subscriptions). */
async function sectionOf(deps: Deps, m: OutboxMessage): Promise<string | null> {
  if (m.relayId) return (await deps.store.notices.findRelay(m.relayId))?.regionalSectionCode ?? null;
  if (m.contractingAuthorityId)
    return (
      (await deps.store.authorities.findContractingAuthority(m.contractingAuthorityId))
        ?.regionalSectionCode ?? null
    );
  return null;
}

const mayRead = async (deps: Deps, user: UserActor, m: OutboxMessage) =>
  user.role !== 'regional_staff' || (await sectionOf(deps, m)) === user.regionalSectionCode;

/**
 * One message whose body may be served (e.g. as the .eml the embedded mailer wrote): not found outside
 * the caller's section, and not found for a subscription confirmation (its body holds the token).
 */
export async function getOutboxMessage(deps: Deps, id: string, actor: Actor): Promise<OutboxMessage> {
  const user = requireRole(actor, 'regional_staff', 'authority_staff', 'admin');
  const message = await deps.store.notices.findOutbox(id);
  if (!message || !bodyIsServed(message) || !(await mayRead(deps, user, message)))
    throw notFound(`message ${id}`);
  return message;
}

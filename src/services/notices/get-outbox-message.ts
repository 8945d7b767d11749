import { notFound } from '../../domain/shared/errors.js';
import { requireRole, type ServiceDeps } from '../context.js';
import type { OutboxMessage } from './ports.js';
import type { Actor, UserActor } from '../../domain/registry/actor.js';
import { bodyIsServed } from './outbox-access.js';

type Deps = Pick<ServiceDeps, 'store'>;

/** The section a message belongs to, or null for the Authority's own (subscriptions). */
async function sectionOf(deps: Deps, m: OutboxMessage): Promise<string | null> {
  if (m.relayId) return (await deps.store.relays.findRelay(m.relayId))?.regionalSectionCode ?? null;
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
  const message = await deps.store.outbox.findOutbox(id);
  if (!message || !bodyIsServed(message) || !(await mayRead(deps, user, message)))
    throw notFound(`message ${id}`);
  return message;
}

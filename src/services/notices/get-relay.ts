import { DomainError } from '../../domain/shared/errors.js';
import { requireRole, type ServiceDeps } from '../context.js';
import type { OutboxState, Relay } from './ports.js';
import { protocolLabel } from './protocol-register.js';
import type { Actor } from '../../domain/registry/actor.js';

export interface RelayStatus {
  relay: Relay;
  /** "AOO_092/0001228 Protocollo Uscita" */
  protocol: string;
  progress: Record<OutboxState, number>;
  /** Nothing queued or being sent any more (some may have failed). */
  done: boolean;
}

/** A relay with its dispatch progress: for the staff of its section, the Authority's staff and admins. */
export async function getRelay(
  deps: Pick<ServiceDeps, 'store'>,
  id: string,
  actor: Actor,
): Promise<RelayStatus> {
  const user = requireRole(actor, 'regional_staff', 'authority_staff', 'admin');
  const relay = await deps.store.relays.findRelay(id);
  if (!relay || (user.role === 'regional_staff' && user.regionalSectionCode !== relay.regionalSectionCode)) {
    throw new DomainError('not_found', `relay ${id} not found`);
  }
  const registration = await deps.store.protocol.findRegistration(relay.registrationId);
  const progress = await deps.store.relays.relayProgress(id);
  return {
    relay,
    protocol: registration
      ? `${protocolLabel(registration.aooCode, registration.number)} Protocollo Uscita`
      : '',
    progress,
    done: progress.queued + progress.sending === 0,
  };
}

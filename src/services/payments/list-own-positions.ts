import { requireRole, type ServiceDeps } from '../context.js';
import type { Actor } from '../../domain/registry/actor.js';

type Deps = Pick<ServiceDeps, 'store'>;

export async function listOwnPositions(deps: Deps, page: { limit: number; offset: number }, actor: Actor) {
  const bidder = requireRole(actor, 'economic_operator');
  return deps.store.positions.listForOperator(bidder.economicOperatorId ?? '', page);
}

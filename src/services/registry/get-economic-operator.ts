import { notFound } from '../../domain/shared/errors.js';
import { requireRole, type ServiceDeps } from '../context.js';
import type { Actor } from '../../domain/registry/actor.js';
import type { EconomicOperator } from '../../domain/registry/registry.js';

export async function getEconomicOperator(
  deps: Pick<ServiceDeps, 'store'>,
  id: string,
  actor: Actor,
): Promise<EconomicOperator> {
  const user = requireRole(actor, 'admin', 'authority_staff', 'regional_staff', 'rup', 'economic_operator');
  if (user.role === 'economic_operator' && user.economicOperatorId !== id)
    throw notFound('economic operator');
  const found = await deps.store.operators.findEconomicOperator(id);
  if (!found) throw notFound('economic operator');
  return found;
}

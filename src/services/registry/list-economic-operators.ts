import { requireRole, type ServiceDeps } from '../context.js';
import type { Page } from '../ports.js';
import type { Actor } from '../../domain/registry/actor.js';
import type { EconomicOperator } from '../../domain/registry/registry.js';

export async function listEconomicOperators(
  deps: Pick<ServiceDeps, 'store'>,
  filter: { limit: number; offset: number; q?: string | undefined },
  actor: Actor,
): Promise<Page<EconomicOperator>> {
  requireRole(actor, 'admin', 'authority_staff', 'regional_staff', 'rup');
  return deps.store.operators.listEconomicOperators(filter);
}

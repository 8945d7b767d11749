import { notFound } from '../../domain/shared/errors.js';
import { audit, requireRole, type ServiceDeps } from '../context.js';
import { checkEmail, checkName } from './registry-input.js';
import type { Actor } from '../../domain/registry/actor.js';
import type { EconomicOperator } from '../../domain/registry/registry.js';

type Deps = Pick<ServiceDeps, 'store' | 'clock' | 'ids'>;

export async function updateEconomicOperator(
  deps: Deps,
  id: string,
  input: { name?: string | undefined; pec?: string | null | undefined },
  actor: Actor,
): Promise<EconomicOperator> {
  requireRole(actor, 'admin');
  const now = deps.clock.now();
  return deps.store.transaction(async (store) => {
    const before = await store.operators.findEconomicOperator(id);
    if (!before) throw notFound('economic operator');
    await store.operators.updateEconomicOperator(
      id,
      {
        ...(input.name !== undefined ? { name: checkName(input.name, 'name', 500) } : {}),
        ...(input.pec !== undefined ? { pec: input.pec === null ? null : checkEmail(input.pec, 'pec') } : {}),
      },
      now,
    );
    const after = await store.operators.findEconomicOperator(id);
    await store.audit.append([
      audit(actor, now, 'economic_operator.updated', { type: 'economic_operator', id }, before, after),
    ]);
    return after as EconomicOperator;
  });
}

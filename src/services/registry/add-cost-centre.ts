import { DomainError, invalidField, notFound } from '../../domain/shared/errors.js';
import { audit, requireRole, type ServiceDeps } from '../context.js';
import { checkName } from './registry-input.js';
import type { Actor } from '../../domain/registry/actor.js';
import type { ContractingAuthority } from '../../domain/registry/registry.js';

type Deps = Pick<ServiceDeps, 'store' | 'clock' | 'ids'>;

export async function addCostCentre(
  deps: Deps,
  id: string,
  input: { code: string; name: string },
  actor: Actor,
): Promise<ContractingAuthority> {
  requireRole(actor, 'admin');
  if (!/^[A-Za-z0-9._-]{1,40}$/.test(input.code)) {
    throw invalidField('code', 'a cost centre code is 1-40 letters, digits, ".", "_" or "-"');
  }
  const name = checkName(input.name, 'name');
  const now = deps.clock.now();
  return deps.store.transaction(async (store) => {
    const before = await store.authorities.findContractingAuthority(id);
    if (!before) throw notFound('contracting authority');
    if (before.costCentres.some((c) => c.code === input.code)) {
      throw new DomainError('conflict', `cost centre ${input.code} exists already`, { field: 'code' });
    }
    await store.authorities.insertCostCentre(
      id,
      { id: deps.ids.uuid(), code: input.code, name, active: true },
      now,
    );
    const after = await store.authorities.findContractingAuthority(id);
    if (!after) throw new Error('contracting authority vanished');
    await store.audit.append([
      audit(
        actor,
        now,
        'contracting_authority.cost_centre_added',
        { type: 'contracting_authority', id },
        before,
        after,
      ),
    ]);
    return after;
  });
}

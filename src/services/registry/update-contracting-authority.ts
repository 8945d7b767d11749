import { notFound } from '../../domain/shared/errors.js';
import { audit, requireRole, type ServiceDeps } from '../context.js';
import type { ContractingAuthorityChanges } from '../ports.js';
import { checkEmail, checkName, resolveSection, checkPlace } from './registry-input.js';
import type { Actor } from '../../domain/registry/actor.js';
import type { ContractingAuthority } from '../../domain/registry/registry.js';

type Deps = Pick<ServiceDeps, 'store' | 'clock' | 'ids'>;

export interface UpdateContractingAuthorityInput {
  name?: string | undefined;
  istatPlace?: string | undefined;
  pec?: string | undefined;
  regionalSection?: string | undefined;
  active?: boolean | undefined;
}

export async function updateContractingAuthority(
  deps: Deps,
  id: string,
  input: UpdateContractingAuthorityInput,
  actor: Actor,
): Promise<ContractingAuthority> {
  requireRole(actor, 'admin');
  const now = deps.clock.now();
  return deps.store.transaction(async (store) => {
    const before = await store.authorities.findContractingAuthority(id);
    if (!before) throw notFound('contracting authority');
    const changes: ContractingAuthorityChanges = {};
    if (input.name !== undefined) changes.name = checkName(input.name, 'name');
    if (input.pec !== undefined) changes.pec = checkEmail(input.pec, 'pec');
    if (input.active !== undefined) changes.active = input.active;
    if (input.istatPlace !== undefined) {
      await checkPlace(store, input.istatPlace);
      changes.istatPlaceCode = input.istatPlace;
    }
    if (input.istatPlace !== undefined || input.regionalSection !== undefined) {
      changes.regionalSectionCode = await resolveSection(
        store,
        input.istatPlace ?? before.istatPlaceCode,
        input.regionalSection,
      );
    }
    await store.authorities.updateContractingAuthority(id, changes, now);
    const after = await store.authorities.findContractingAuthority(id);
    if (!after) throw new Error('contracting authority vanished after update');
    await store.audit.append([
      audit(
        actor,
        now,
        'contracting_authority.updated',
        { type: 'contracting_authority', id },
        before,
        after,
      ),
    ]);
    return after;
  });
}

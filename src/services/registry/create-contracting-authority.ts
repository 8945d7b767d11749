import { DomainError, invalidField } from '../../domain/shared/errors.js';
import { checkNumericFiscalCode } from '../../domain/registry/fiscal-code.js';
import { audit, requireRole, type ServiceDeps } from '../context.js';
import { checkEmail, checkName, resolveSection, checkPlace } from './registry-input.js';
import type { Actor } from '../../domain/registry/actor.js';
import type { ContractingAuthority } from '../../domain/registry/registry.js';

type Deps = Pick<ServiceDeps, 'store' | 'clock' | 'ids'>;

export interface CreateContractingAuthorityInput {
  fiscalCode: string;
  ausaCode: string;
  name: string;
  istatPlace: string;
  pec: string;
  /** Defaults to the section competent for the place. */
  regionalSection?: string | undefined;
  costCentres?: { code: string; name: string }[] | undefined;
}

export async function createContractingAuthority(
  deps: Deps,
  input: CreateContractingAuthorityInput,
  actor: Actor,
): Promise<ContractingAuthority> {
  requireRole(actor, 'admin');
  const check = checkNumericFiscalCode(input.fiscalCode);
  if (!check.valid) throw invalidField('fiscalCode', `fiscalCode ${check.message}`);
  if (!/^[0-9]{10}$/.test(input.ausaCode) || /^0+$/.test(input.ausaCode)) {
    throw invalidField('ausaCode', 'ausaCode must be 10 digits, not all zero');
  }
  const name = checkName(input.name, 'name');
  const pec = checkEmail(input.pec, 'pec');
  const now = deps.clock.now();
  await checkPlace(deps.store, input.istatPlace);
  const section = await resolveSection(deps.store, input.istatPlace, input.regionalSection);
  const centres = input.costCentres ?? [];
  const seen = new Set<string>();
  for (const [i, c] of centres.entries()) {
    if (!/^[A-Za-z0-9._-]{1,40}$/.test(c.code)) {
      throw invalidField(
        `costCentres[${i}].code`,
        'a cost centre code is 1-40 letters, digits, ".", "_" or "-"',
      );
    }
    if (seen.has(c.code)) throw invalidField(`costCentres[${i}].code`, `cost centre ${c.code} appears twice`);
    seen.add(c.code);
    checkName(c.name, `costCentres[${i}].name`);
  }
  return deps.store.transaction(async (store) => {
    if (await store.authorities.findContractingAuthorityByFiscalCode(input.fiscalCode)) {
      throw new DomainError(
        'conflict',
        `a contracting authority with fiscal code ${input.fiscalCode} exists`,
        {
          field: 'fiscalCode',
        },
      );
    }
    const id = deps.ids.uuid();
    await store.authorities.insertContractingAuthority({
      id,
      fiscalCode: input.fiscalCode,
      ausaCode: input.ausaCode,
      name,
      istatPlaceCode: input.istatPlace,
      regionalSectionCode: section,
      pec,
      createdAt: now,
    });
    for (const c of centres) {
      await store.authorities.insertCostCentre(
        id,
        { id: deps.ids.uuid(), code: c.code, name: c.name.trim(), active: true },
        now,
      );
    }
    const created = await store.authorities.findContractingAuthority(id);
    if (!created) throw new Error('contracting authority vanished after insert');
    await store.audit.append([
      audit(
        actor,
        now,
        'contracting_authority.created',
        { type: 'contracting_authority', id },
        null,
        created,
      ),
    ]);
    return created;
  });
}

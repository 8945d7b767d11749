import { DomainError, invalidField, notFound } from '../../domain/shared/errors.js';
import { checkNumericFiscalCode } from '../../domain/registry/fiscal-code.js';
import { sectionCodeForPlace } from '../../domain/registry/regions.js';
import { audit, canSeeAuthority, requireRole, type ServiceDeps } from '../context.js';
import type { ContractingAuthorityChanges, Page, Store } from '../ports.js';
import { checkEmail, checkName } from './registry-input.js';
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

async function resolveSection(store: Store, place: string, explicit: string | undefined): Promise<string> {
  const code = explicit ?? sectionCodeForPlace(place);
  if (!code)
    throw invalidField('regionalSection', `no regional section covers place ${place}: give regionalSection`);
  if (!(await store.sections.findSection(code))) {
    throw invalidField('regionalSection', `regionalSection "${code}" does not exist`);
  }
  return code;
}

async function checkPlace(store: Store, place: string): Promise<void> {
  if (!(await store.reference.findPlace(place))) {
    throw invalidField('istatPlace', `istatPlace "${place}" is not an ISTAT place code`);
  }
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

export async function getContractingAuthority(
  deps: Pick<ServiceDeps, 'store'>,
  id: string,
  actor: Actor,
): Promise<ContractingAuthority> {
  const found = await deps.store.authorities.findContractingAuthority(id);
  if (!found || !canSeeAuthority(actor, found.id, found.regionalSectionCode))
    throw notFound('contracting authority');
  return found;
}

export async function listContractingAuthorities(
  deps: Pick<ServiceDeps, 'store'>,
  filter: { limit: number; offset: number; q?: string | undefined; regionalSection?: string | undefined },
  actor: Actor,
): Promise<Page<ContractingAuthority>> {
  const user = requireRole(actor, 'admin', 'authority_staff', 'regional_staff', 'rup');
  if (user.role === 'rup') {
    const own =
      user.contractingAuthorityId &&
      (await deps.store.authorities.findContractingAuthority(user.contractingAuthorityId));
    return own ? { items: [own], total: 1 } : { items: [], total: 0 };
  }
  const section = user.role === 'regional_staff' ? (user.regionalSectionCode ?? '') : filter.regionalSection;
  return deps.store.authorities.listContractingAuthorities({ ...filter, regionalSectionCode: section });
}

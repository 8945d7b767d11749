import { DomainError, invalidField } from '../../domain/shared/errors.js';
import { checkPersonalFiscalCode } from '../../domain/registry/fiscal-code.js';
import { audit, requireRole, type ServiceDeps } from '../context.js';
import { checkEmail, checkName } from './registry-input.js';
import type { Actor } from '../../domain/registry/actor.js';
import { type Role, type User, roles } from '../../domain/registry/registry.js';

type Deps = Pick<ServiceDeps, 'store' | 'clock' | 'ids'>;

export interface CreateUserInput {
  name: string;
  email: string;
  fiscalCode?: string | undefined;
  role: Role;
  contractingAuthorityId?: string | undefined;
  economicOperatorId?: string | undefined;
  regionalSection?: string | undefined;
}

export async function createUser(deps: Deps, input: CreateUserInput, actor: Actor): Promise<User> {
  requireRole(actor, 'admin');
  if (!roles.includes(input.role)) throw invalidField('role', `role must be one of ${roles.join(', ')}`);
  const name = checkName(input.name, 'name');
  const email = checkEmail(input.email, 'email');
  let fiscalCode: string | null = null;
  if (input.fiscalCode !== undefined) {
    fiscalCode = input.fiscalCode.trim().toUpperCase();
    const check = checkPersonalFiscalCode(fiscalCode);
    if (!check.valid) throw invalidField('fiscalCode', `fiscalCode ${check.message}`);
  }
  const needs: Record<Role, 'contractingAuthorityId' | 'economicOperatorId' | 'regionalSection' | null> = {
    rup: 'contractingAuthorityId',
    economic_operator: 'economicOperatorId',
    regional_staff: 'regionalSection',
    authority_staff: null,
    admin: null,
  };
  const needed = needs[input.role];
  for (const field of ['contractingAuthorityId', 'economicOperatorId', 'regionalSection'] as const) {
    if (field === needed && input[field] === undefined) {
      throw invalidField(field, `${field} is required for the role ${input.role}`);
    }
    if (field !== needed && input[field] !== undefined) {
      throw invalidField(field, `${field} does not apply to the role ${input.role}`);
    }
  }
  const now = deps.clock.now();
  return deps.store.transaction(async (store) => {
    if (
      input.contractingAuthorityId &&
      !(await store.authorities.findContractingAuthority(input.contractingAuthorityId))
    ) {
      throw invalidField('contractingAuthorityId', 'no such contracting authority');
    }
    if (input.economicOperatorId && !(await store.operators.findEconomicOperator(input.economicOperatorId))) {
      throw invalidField('economicOperatorId', 'no such economic operator');
    }
    if (input.regionalSection && !(await store.sections.findSection(input.regionalSection))) {
      throw invalidField('regionalSection', 'no such regional section');
    }
    const user: User = {
      id: deps.ids.uuid(),
      name,
      email,
      fiscalCode,
      role: input.role,
      contractingAuthorityId: input.contractingAuthorityId ?? null,
      economicOperatorId: input.economicOperatorId ?? null,
      regionalSectionCode: input.regionalSection ?? null,
      active: true,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await store.users.insertUser(user);
    } catch (error) {
      // adapters/db reports the unique e-mail (a concurrent creation) as a conflict naming the constraint.
      if (error instanceof DomainError && error.reason === 'users_email_key') {
        throw new DomainError('conflict', `a user with e-mail ${email} exists`, { field: 'email' });
      }
      throw error;
    }
    await store.audit.append([audit(actor, now, 'user.created', { type: 'user', id: user.id }, null, user)]);
    return user;
  });
}

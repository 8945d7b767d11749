import { createHash, randomBytes } from 'node:crypto';
import { DomainError, invalidField, notFound } from '../../domain/shared/errors.js';
import { checkPersonalFiscalCode } from '../../domain/registry/fiscal-code.js';
import { audit, requireRole, type ServiceDeps } from '../context.js';
import { type Page } from '../ports.js';
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

export async function updateUser(
  deps: Deps,
  id: string,
  input: { name?: string | undefined; email?: string | undefined; active?: boolean | undefined },
  actor: Actor,
): Promise<User> {
  requireRole(actor, 'admin');
  const now = deps.clock.now();
  return deps.store.transaction(async (store) => {
    const before = await store.users.findUser(id);
    if (!before) throw notFound('user');
    await store.users.updateUser(
      id,
      {
        ...(input.name !== undefined ? { name: checkName(input.name, 'name') } : {}),
        ...(input.email !== undefined ? { email: checkEmail(input.email, 'email') } : {}),
        ...(input.active !== undefined ? { active: input.active } : {}),
      },
      now,
    );
    if (input.active === false) await store.tokens.revokeTokens(id, now);
    const after = (await store.users.findUser(id)) as User;
    await store.audit.append([audit(actor, now, 'user.updated', { type: 'user', id }, before, after)]);
    return after;
  });
}

export async function getUser(deps: Pick<ServiceDeps, 'store'>, id: string, actor: Actor): Promise<User> {
  const user = requireRole(actor, 'admin', 'authority_staff', 'regional_staff', 'rup', 'economic_operator');
  if (user.role !== 'admin' && user.userId !== id) throw notFound('user');
  const found = await deps.store.users.findUser(id);
  if (!found) throw notFound('user');
  return found;
}

export async function listUsers(
  deps: Pick<ServiceDeps, 'store'>,
  filter: {
    limit: number;
    offset: number;
    role?: Role | undefined;
    contractingAuthorityId?: string | undefined;
  },
  actor: Actor,
): Promise<Page<User>> {
  requireRole(actor, 'admin');
  return deps.store.users.listUsers(filter);
}

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** Issues a bearer token for a user; only its hash is stored, the token is shown once. */
export async function issueToken(
  deps: Deps,
  input: { userId: string; label: string; expiresAt?: Date | undefined },
  actor: Actor,
): Promise<{ token: string; user: User }> {
  if (actor.kind !== 'system') requireRole(actor, 'admin');
  const now = deps.clock.now();
  const label = checkName(input.label, 'label', 100);
  if (input.expiresAt && input.expiresAt <= now)
    throw invalidField('expiresAt', 'expiresAt must be in the future');
  return deps.store.transaction(async (store) => {
    const user = await store.users.findUser(input.userId);
    if (!user) throw notFound('user');
    if (!user.active)
      throw new DomainError('invalid_state', 'the user is not active', { reason: 'user_inactive' });
    const token = `gara_${randomBytes(32).toString('base64url')}`;
    await store.tokens.insertToken({
      id: deps.ids.uuid(),
      userId: user.id,
      sha256: hashToken(token),
      label,
      createdAt: now,
      expiresAt: input.expiresAt ?? null,
    });
    await store.audit.append([
      audit(actor, now, 'user.token_issued', { type: 'user', id: user.id }, null, { label }),
    ]);
    return { token, user };
  });
}

export async function revokeTokens(deps: Deps, userId: string, actor: Actor): Promise<{ revoked: number }> {
  requireRole(actor, 'admin');
  const now = deps.clock.now();
  return deps.store.transaction(async (store) => {
    if (!(await store.users.findUser(userId))) throw notFound('user');
    const revoked = await store.tokens.revokeTokens(userId, now);
    await store.audit.append([
      audit(actor, now, 'user.tokens_revoked', { type: 'user', id: userId }, null, { revoked }),
    ]);
    return { revoked };
  });
}

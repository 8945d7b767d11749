import type { Role, User } from './registry.js';

/** Who is acting: a signed-in user, or the system itself (scheduled jobs). */
export type Actor =
  | {
      kind: 'user';
      userId: string;
      name: string;
      role: Role;
      contractingAuthorityId: string | null;
      economicOperatorId: string | null;
      regionalSectionCode: string | null;
      requestId?: string | undefined;
    }
  | { kind: 'system'; job: string };

export type UserActor = Extract<Actor, { kind: 'user' }>;

export function actorFromUser(user: User, requestId?: string): UserActor {
  return {
    kind: 'user',
    userId: user.id,
    name: user.name,
    role: user.role,
    contractingAuthorityId: user.contractingAuthorityId,
    economicOperatorId: user.economicOperatorId,
    regionalSectionCode: user.regionalSectionCode,
    requestId,
  };
}

export const systemActor = (job: string): Actor => ({ kind: 'system', job });

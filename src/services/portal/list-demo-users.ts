import type { ServiceDeps } from '../context.js';
import type { Role, User } from '../ports.js';

/**
 * Users a visitor may sign in as with the demo sign-in (a few active ones of each role): the portal
 * offers them only where the demo sign-in is enabled (the embedded default).
 */
export async function listDemoUsers(
  deps: Pick<ServiceDeps, 'store'>,
  perRole = 6,
): Promise<Map<Role, User[]>> {
  const roles: Role[] = ['rup', 'economic_operator', 'regional_staff', 'authority_staff', 'admin'];
  const out = new Map<Role, User[]>();
  for (const role of roles) {
    const page = await deps.store.users.listUsers({ role, limit: perRole, offset: 0 });
    out.set(
      role,
      page.items.filter((u) => u.active),
    );
  }
  return out;
}

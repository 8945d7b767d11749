import { requireRole, type Actor, type ServiceDeps } from '../context.js';

export async function myReminders(deps: Pick<ServiceDeps, 'store'>, actor: Actor) {
  const user = requireRole(actor, 'rup', 'regional_staff', 'authority_staff', 'admin', 'economic_operator');
  return deps.store.reminders.listReminders(user.userId, 100);
}

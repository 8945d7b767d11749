import { notFound } from '../../domain/shared/errors.js';
import { requireRole, type Actor, type ServiceDeps, type UserActor } from '../context.js';
import type { RegionalSection } from '../ports.js';

export const PROTOCOL_REGISTER = 'PROTOCOLLO';

/** `AOO_092/0001228`: at least seven digits (DPR 445/2000 art. 57). */
export const protocolLabel = (aooCode: string, number: number) =>
  `${aooCode}/${String(number).padStart(7, '0')}`;

/**
 * A protocol officer works on the register of their own section's AOO; administrators on any. Another
 * section's AOO answers as an unknown one (404), so that its existence and its registrations do not show.
 */
export async function aooFor(
  deps: Pick<ServiceDeps, 'store'>,
  aooCode: string,
  actor: Actor,
): Promise<{ user: UserActor; aoo: { code: string; name: string }; section: RegionalSection }> {
  const user = requireRole(actor, 'regional_staff', 'admin', 'authority_staff');
  const section = await deps.store.sections.findSectionByAoo(aooCode);
  if (!section) throw notFound(`AOO ${aooCode}`);
  if (user.role === 'regional_staff' && user.regionalSectionCode !== section.code) {
    throw notFound(`AOO ${aooCode}`);
  }
  return { user, aoo: { code: section.aooCode, name: section.name }, section };
}

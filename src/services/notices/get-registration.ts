import { notFound } from '../../domain/shared/errors.js';
import { requireRole, type Actor, type ServiceDeps } from '../context.js';
import type { ProtocolRegistration } from './ports.js';

/** One registration, for a protocol officer of its AOO (or the Authority's staff). */
export async function getRegistration(
  deps: Pick<ServiceDeps, 'store'>,
  id: string,
  actor: Actor,
): Promise<ProtocolRegistration> {
  const user = requireRole(actor, 'regional_staff', 'admin', 'authority_staff');
  const registration = await deps.store.protocol.findRegistration(id);
  const section = registration && (await deps.store.sections.findSectionByAoo(registration.aooCode));
  // Another section's registration is not there for a protocol officer (no hint that it exists).
  if (
    !registration ||
    !section ||
    (user.role === 'regional_staff' && user.regionalSectionCode !== section.code)
  )
    throw notFound('registration');
  return registration;
}

import type { Actor, ServiceDeps } from '../context.js';
import { getRegistration } from './get-registration.js';

/**
 * The signed segnatura XML of a registration: for a protocol officer of its AOO, the Authority's staff and
 * administrators; another section's registration is not found.
 */
export async function getSegnatura(
  deps: Pick<ServiceDeps, 'store'>,
  registrationId: string,
  actor: Actor,
): Promise<string> {
  return (await getRegistration(deps, registrationId, actor)).segnaturaXml;
}

import { notFound } from '../../domain/shared/errors.js';
import { canSeeAuthority, type Actor, type ServiceDeps } from '../context.js';
import type { Reserve } from './ports.js';

export async function lotReserves(
  deps: Pick<ServiceDeps, 'store'>,
  cig: string,
  actor: Actor,
): Promise<Reserve[]> {
  const lot = await deps.store.lots.findByCig(cig.toUpperCase());
  if (!lot || !canSeeAuthority(actor, lot.contractingAuthorityId, lot.regionalSectionCode))
    throw notFound(`lot with CIG ${cig}`);
  return deps.store.reserves.listReserves({ lotId: lot.id });
}

import { notFound } from '../../domain/shared/errors.js';
import { type ServiceDeps } from '../context.js';
import type { ProvisionalProcedure } from './ports.js';

export async function getProvisional(
  deps: Pick<ServiceDeps, 'store'>,
  reference: string,
): Promise<ProvisionalProcedure> {
  const found = await deps.store.provisionalProcedures.findProvisional(reference.toUpperCase());
  if (!found) throw notFound(`provisional reference ${reference}`);
  return found;
}

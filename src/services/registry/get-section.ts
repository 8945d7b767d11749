import { notFound } from '../../domain/shared/errors.js';
import type { ServiceDeps } from '../context.js';
import type { RegionalSection } from '../../domain/registry/registry.js';

export async function getSection(deps: Pick<ServiceDeps, 'store'>, code: string): Promise<RegionalSection> {
  const found = await deps.store.sections.findSection(code);
  if (!found) throw notFound(`regional section ${code}`);
  return found;
}

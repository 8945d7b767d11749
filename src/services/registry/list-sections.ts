import type { ServiceDeps } from '../context.js';
import type { RegionalSection } from '../../domain/registry/registry.js';

export async function listSections(deps: Pick<ServiceDeps, 'store'>): Promise<RegionalSection[]> {
  return deps.store.sections.listSections();
}

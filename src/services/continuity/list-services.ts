import type { ServiceDeps } from '../context.js';
import type { ServiceRecord } from './ports.js';

/** The services whose status is published (public: the status page and the subscription form name them). */
export async function listServices(deps: Pick<ServiceDeps, 'store'>): Promise<ServiceRecord[]> {
  return deps.store.incidents.services();
}

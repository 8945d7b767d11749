import type { ServiceDeps } from '../context.js';

type Deps = Pick<ServiceDeps, 'store'>;

export const listUrgencyReasons = (deps: Deps) => deps.store.reference.urgencyReasons();

import type { ServiceDeps } from '../context.js';

type Deps = Pick<ServiceDeps, 'store'>;

export const listProcedureTypes = (deps: Deps) => deps.store.reference.procedureTypes();

import type { ServiceDeps } from '../context.js';
import { checkQuery } from './reference-query.js';

type Deps = Pick<ServiceDeps, 'store'>;

export const searchPlaces = (deps: Deps, q: string, limit: number) =>
  deps.store.reference.searchPlaces(checkQuery(q).toUpperCase(), limit);

import { invalidField } from '../../domain/shared/errors.js';
import type { ServiceDeps } from '../context.js';

type Deps = Pick<ServiceDeps, 'store'>;

export const listProcedureTypes = (deps: Deps) => deps.store.reference.procedureTypes();
export const listUrgencyReasons = (deps: Deps) => deps.store.reference.urgencyReasons();

function checkQuery(q: string): string {
  const query = q.trim();
  if (query.length < 2) throw invalidField('q', 'q needs at least 2 characters');
  return query;
}

export const searchCpv = (deps: Deps, q: string, limit: number) =>
  deps.store.reference.searchCpv(checkQuery(q), limit);
export const searchPlaces = (deps: Deps, q: string, limit: number) =>
  deps.store.reference.searchPlaces(checkQuery(q).toUpperCase(), limit);

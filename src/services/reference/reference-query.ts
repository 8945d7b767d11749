import { invalidField } from '../../domain/shared/errors.js';

export function checkQuery(q: string): string {
  const query = q.trim();
  if (query.length < 2) throw invalidField('q', 'q needs at least 2 characters');
  return query;
}

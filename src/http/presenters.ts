import type { Page } from '../services/ports.js';

/**
 * API responses come from presenters, never from rows: each area's sit beside its routes
 * (`routes/<area>/<area>.presenters.ts`); the page wrapper they share is here.
 */
export const presentPage = <T, V>(
  page: Page<T>,
  request: { limit: number; offset: number },
  present: (t: T) => V,
) => ({
  items: page.items.map(present),
  total: page.total,
  limit: request.limit,
  offset: request.offset,
});

import type { ServiceDeps } from '../context.js';

export const listNotices = (deps: Pick<ServiceDeps, 'store'>, page: { limit: number; offset: number }) =>
  deps.store.notices.listPublished(page);

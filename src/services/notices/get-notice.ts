import { notFound } from '../../domain/shared/errors.js';
import type { ServiceDeps } from '../context.js';
import type { Notice } from './ports.js';
import type { Actor } from '../../domain/registry/actor.js';

export async function getNotice(
  deps: Pick<ServiceDeps, 'store'>,
  id: string,
  actor: Actor | undefined,
): Promise<Notice> {
  const notice = await deps.store.notices.findNotice(id);
  const staff = actor?.kind === 'user' && ['authority_staff', 'admin', 'regional_staff'].includes(actor.role);
  if (!notice || (notice.state === 'draft' && !staff)) throw notFound(`notice ${id}`);
  return notice;
}

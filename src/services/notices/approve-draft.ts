import { DomainError, invalidField, notFound } from '../../domain/shared/errors.js';
import { audit, requireRole, type ServiceDeps } from '../context.js';
import type { Notice } from './ports.js';
import type { Actor } from '../../domain/registry/actor.js';

type Deps = Pick<ServiceDeps, 'store' | 'clock' | 'ids'>;

/**
 * A draft (the restoration notice) is published once staff approve it, with its own source link (the
 * Authority's page of the restoration comunicato) when they give one.
 */
export async function approveDraft(
  deps: Deps,
  id: string,
  actor: Actor,
  options: { sourceUrl?: string | undefined } = {},
): Promise<Notice> {
  const staff = requireRole(actor, 'authority_staff', 'admin');
  const now = deps.clock.now();
  const sourceUrl = options.sourceUrl?.trim() || undefined;
  if (sourceUrl !== undefined && !/^https?:\/\/\S+$/.test(sourceUrl))
    throw invalidField('sourceUrl', 'sourceUrl must be an http(s) URL');
  return deps.store.transaction(async (store) => {
    const notice = await store.notices.findNotice(id);
    if (!notice) throw notFound(`notice ${id}`);
    if (!(await store.notices.publishNotice(id, now, staff.userId, sourceUrl))) {
      throw new DomainError('invalid_state', 'the notice is already published', {
        reason: 'notice_published',
      });
    }
    const published = {
      ...notice,
      state: 'published' as const,
      publishedAt: now,
      sourceUrl: sourceUrl ?? notice.sourceUrl,
    };
    await store.audit.append([
      audit(actor, now, 'notice.approved', { type: 'notice', id }, notice, published),
    ]);
    return published;
  });
}

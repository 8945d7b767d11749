import { createHash } from 'node:crypto';
import { DomainError, notFound } from '../../domain/shared/errors.js';
import type { ServiceDeps } from '../context.js';
import type { Subscription } from './ports.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

type Deps = Pick<ServiceDeps, 'store' | 'clock' | 'ids'>;

export async function confirmSubscription(deps: Deps, token: string, cancel: boolean): Promise<Subscription> {
  const now = deps.clock.now();
  return deps.store.transaction(async (store) => {
    const s = await store.subscriptions.findSubscriptionByToken(sha(token));
    if (!s) throw notFound('subscription');
    if (cancel) {
      if (s.state !== 'unsubscribed')
        await store.subscriptions.setSubscriptionState(s.id, 'unsubscribed', now);
      return { ...s, state: 'unsubscribed' };
    }
    if (s.state === 'unsubscribed')
      throw new DomainError('invalid_state', 'the subscription was cancelled', { reason: 'unsubscribed' });
    if (s.state === 'pending') await store.subscriptions.setSubscriptionState(s.id, 'active', now);
    return { ...s, state: 'active' };
  });
}

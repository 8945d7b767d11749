import { DomainError } from '../../domain/shared/errors.js';
import type { ServiceDeps } from '../context.js';
import type { PaymentPosition, StoredReceipt } from './ports.js';
import type { Actor } from '../../domain/registry/actor.js';
import { getPosition } from './get-position.js';

type Deps = Pick<ServiceDeps, 'store'>;

export async function positionReceipt(
  deps: Deps,
  noticeNumber: string,
  actor: Actor,
): Promise<{ position: PaymentPosition; receipt: StoredReceipt }> {
  const position = await getPosition(deps, noticeNumber, actor);
  const receipt =
    position.state === 'paid' ? await deps.store.paymentReceipts.findAppliedReceipt(position.id) : undefined;
  if (!receipt)
    throw new DomainError('invalid_state', `notice ${noticeNumber} is not paid yet`, { reason: 'not_paid' });
  return { position, receipt };
}

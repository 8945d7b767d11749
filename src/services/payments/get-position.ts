import { notFound } from '../../domain/shared/errors.js';
import { canSeeAuthority, type ServiceDeps } from '../context.js';
import type { PaymentPosition } from './ports.js';
import type { Actor } from '../../domain/registry/actor.js';

type Deps = Pick<ServiceDeps, 'store'>;

/**
 * A payment position is visible to its debtor (the bidder, or the contracting authority's RUPs for a
 * grouping), to the RUPs of the authority it concerns, and to staff.
 */
export async function getPosition(deps: Deps, noticeNumber: string, actor: Actor): Promise<PaymentPosition> {
  const position = await deps.store.positions.findByNoticeNumber(noticeNumber);
  if (!position) throw notFound(`payment notice ${noticeNumber}`);
  const visible =
    actor.kind === 'user' && actor.role === 'economic_operator'
      ? position.economicOperatorId !== null && position.economicOperatorId === actor.economicOperatorId
      : canSeeAuthority(actor, position.contractingAuthorityId, position.regionalSectionCode);
  if (!visible) throw notFound(`payment notice ${noticeNumber}`);
  return position;
}

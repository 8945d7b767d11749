import { DomainError } from '../../domain/shared/errors.js';
import { requireRole, type ServiceDeps } from '../context.js';
import type { Actor } from '../../domain/registry/actor.js';
import { getPosition } from './get-position.js';

/** The bidder pays its notice through the pagoPA node sandbox (embedded default only). */
export async function payInSandbox(
  deps: Pick<ServiceDeps, 'store' | 'paymentNode'>,
  noticeNumber: string,
  actor: Actor,
) {
  if (!deps.paymentNode) {
    throw new DomainError(
      'forbidden',
      'the pagoPA sandbox is switched off: pay the notice at any payment provider',
      { reason: 'sandbox_off' },
    );
  }
  const bidder = requireRole(actor, 'economic_operator', 'rup');
  const position = await getPosition(deps, noticeNumber, actor);
  if (position.state !== 'open') {
    throw new DomainError('invalid_state', `notice ${noticeNumber} is ${position.state}`, {
      reason: `position_${position.state}`,
    });
  }
  const result = await deps.paymentNode
    .pay({ noticeNumber, payer: { fiscalCode: position.debtorFiscalCode, name: bidder.name } })
    .catch((error: unknown) => {
      throw new DomainError(
        'service_unavailable',
        'the pagoPA sandbox could not reach the payment service; retry',
        { cause: error },
      );
    });
  return { result, position: await getPosition(deps, noticeNumber, actor) };
}

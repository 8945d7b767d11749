import { DomainError, notFound } from '../../domain/shared/errors.js';
import { audit, requireRole, type ServiceDeps } from '../context.js';
import type { PaymentPosition } from './ports.js';
import type { Actor } from '../../domain/registry/actor.js';

/**
 * The creditor withdraws an unpaid notice (issued in error, procedure annulled): the node then gets
 * PAA_PAGAMENTO_ANNULLATO, and a receipt arriving anyway is kept for review.
 */
export async function cancelPosition(
  deps: Pick<ServiceDeps, 'store' | 'clock'>,
  input: { noticeNumber: string; note: string },
  actor: Actor,
): Promise<PaymentPosition> {
  requireRole(actor, 'authority_staff', 'admin');
  const note = input.note.trim();
  if (note.length === 0)
    throw new DomainError('validation_failed', 'say why the notice is withdrawn', { field: 'note' });
  const now = deps.clock.now();
  return deps.store.transaction(async (store) => {
    const position = await store.positions.lockByNoticeNumber(input.noticeNumber);
    if (!position) throw notFound(`payment notice ${input.noticeNumber}`);
    if (!(await store.positions.cancel(position.id))) {
      throw new DomainError(
        'invalid_state',
        `notice ${input.noticeNumber} is ${position.state}: only an open notice can be withdrawn`,
        {
          reason: `position_${position.state}`,
        },
      );
    }
    await store.audit.append([
      audit(
        actor,
        now,
        'payment_position.cancelled',
        { type: 'payment_position', id: position.noticeNumber },
        { state: 'open' },
        { state: 'cancelled', note },
      ),
    ]);
    return { ...position, state: 'cancelled' };
  });
}

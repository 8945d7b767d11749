import type { PaymentPosition } from './ports.js';
import {
  type CreditorResult,
  type NodeCaller,
  type Deps,
  fail,
  checkCaller,
  payablePosition,
} from './pagopa-creditor.js';

/** paGetPayment / paGetPaymentV2: the payment data; marks the position as being paid. */
export async function activatePayment(
  deps: Deps,
  /** amountCents: the amount the node forwards; absent (optional in the XSD) = the position's own. */
  input: { caller: NodeCaller; fiscalCode: string; noticeNumber: string; amountCents?: number },
): Promise<CreditorResult<PaymentPosition>> {
  const callerFault = checkCaller(deps, input.caller, input.fiscalCode);
  if (callerFault) return { ok: false, fault: callerFault };
  return deps.store.transaction(async (store) => {
    const result = await payablePosition(deps, store, input.noticeNumber, true);
    if (!result.ok) return result;
    if (input.amountCents !== undefined && input.amountCents !== result.value.amountCents) {
      return fail(
        'PAA_SEMANTICA',
        `amount ${input.amountCents / 100} differs from the amount due (${result.value.amountCents / 100})`,
      );
    }
    const now = deps.clock.now();
    await store.positions.markActivated(result.value.id, now);
    return { ok: true, value: { ...result.value, activatedAt: now } };
  });
}

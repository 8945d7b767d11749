import type { PaymentPosition } from './ports.js';
import {
  type CreditorResult,
  type NodeCaller,
  type Deps,
  fail,
  checkCaller,
  payablePosition,
} from './pagopa-creditor.js';

/** paVerifyPaymentNotice: is this notice payable, for how much. */
export async function verifyNotice(
  deps: Deps,
  input: { caller: NodeCaller; fiscalCode: string; noticeNumber: string },
): Promise<CreditorResult<PaymentPosition>> {
  const callerFault = checkCaller(deps, input.caller, input.fiscalCode);
  if (callerFault) return { ok: false, fault: callerFault };
  const result = await payablePosition(deps, deps.store, input.noticeNumber, false);
  if (!result.ok) return result;
  const activatedAt = result.value.activatedAt;
  if (
    activatedAt &&
    deps.clock.now().getTime() - activatedAt.getTime() < deps.creditor.activationMinutes * 60_000
  ) {
    return fail('PAA_PAGAMENTO_IN_CORSO', `a payment of notice ${input.noticeNumber} is in progress`);
  }
  return result;
}

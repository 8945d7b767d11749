import { DomainError } from '../../domain/shared/errors.js';
import { requireRole, type ServiceDeps, type UserActor } from '../context.js';
import {
  checkIdempotencyKey,
  replayOf,
  requestHash,
  type IdempotentRequest,
  type IdempotentResult,
} from '../idempotency.js';
import type { LotFacts, NewLot } from '../ports.js';
import { insertLot, issueLot, refuseIssuance } from './issue-lot.js';
import { checkLot, type CheckedLot, type LotInput } from './lot-input.js';

type Deps = Pick<ServiceDeps, 'store' | 'clock' | 'ids' | 'cigOrdinals'>;

/** A new lot's facts before its statement runs; `lotNumber` is the statement's. */
const newLotFacts = (tenderNumber: number, lot: NewLot, lotNumber: number): LotFacts => ({
  id: lot.id,
  tenderNumber,
  lotNumber,
  cig: lot.cig,
  object: lot.object,
  amountCents: lot.amountCents,
  cpvCode: lot.cpvCode,
  istatPlaceCode: lot.istatPlaceCode,
  state: 'issued',
  acquiredAt: lot.acquiredAt,
  perfectionDeadline: lot.perfectionDeadline,
  publicationDate: null,
  invitationDate: null,
  bidDeadline: null,
  perfectedAt: null,
  cancelReason: null,
  cancelNote: null,
  cancelledAt: null,
});

/**
 * issueLot answered with `present(lot)` (201); with an Idempotency-Key, at most once per (user, key),
 * with the answers runIdempotent gives (a repeat gets the stored answer, replayed; the key used for
 * another request is refused; a refused request stores nothing) but without a transaction of its own:
 * the key is claimed, and the answer stored, by the issuance statement itself, grouped with concurrent
 * issuances (LotRepository.issue's `claim`). `present` must map `lotNumber` to a top-level `lotNumber`,
 * which the statement sets in the stored answer.
 */
export async function issueLotIdempotently<T extends Record<string, unknown>>(
  deps: Deps,
  input: { tenderNumber: number; lot: LotInput },
  actor: UserActor,
  request: IdempotentRequest | undefined,
  present: (lot: LotFacts) => T,
): Promise<IdempotentResult<T>> {
  if (request === undefined) {
    return { statusCode: 201, body: present(await issueLot(deps, input, actor)), replayed: false };
  }
  checkIdempotencyKey(request.key);
  const hash = requestHash(request.fingerprint);
  const replay = async () => {
    const previous = await deps.store.idempotency.find(actor.userId, request.key);
    return previous && replayOf<T>(previous, hash);
  };
  let checked: CheckedLot;
  try {
    requireRole(actor, 'rup');
    checked = await checkLot(deps.store.reference, input.lot, deps.clock.now());
  } catch (error) {
    // runIdempotent claims the key before any check: a key used before decides the answer
    const previous = error instanceof DomainError ? await replay() : undefined;
    if (previous) return previous;
    throw error;
  }
  const lot = await insertLot(deps, input.tenderNumber, checked, actor, (issue) =>
    deps.store.lots.issue({
      ...issue,
      claim: {
        userId: actor.userId,
        key: request.key,
        requestSha256: hash,
        at: issue.lot.acquiredAt,
        response: present(newLotFacts(input.tenderNumber, issue.lot, 0)),
      },
    }),
  );
  if (lot) return { statusCode: 201, body: present(lot), replayed: false };
  // the key was claimed before, or the tender is not an active one of the RUP's authority
  return (await replay()) ?? refuseIssuance(deps, input.tenderNumber, actor);
}

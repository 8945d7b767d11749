import { DomainError, notFound } from '../../domain/shared/errors.js';
import { canSeeAuthority, type ServiceDeps } from '../context.js';
import { lotBidderContribution } from './contributions.js';
import type { PaymentPosition, StoredReceipt } from './ports.js';
import { TtlCache } from '../cig/ttl-cache.js';
import type { Actor } from '../../domain/registry/actor.js';
import type { Lot } from '../../domain/tenders/tender.js';

export type ContributionStatus =
  | {
      status: 'paid';
      fiscalCode: string;
      amountCents: number;
      position: PaymentPosition;
      receipt: StoredReceipt;
    }
  | { status: 'not_paid'; fiscalCode: string; amountCents: number; position: PaymentPosition | undefined }
  | { status: 'not_due'; fiscalCode: string; amountCents: 0; basis: string };

type Deps = Pick<ServiceDeps, 'store'> & { cache?: VerificationCache | undefined };

/**
 * Verification is read far more than payments change: lots (immutable identity) are kept for a
 * minute, answers for `ttlMs` (2 s by default) and dropped at once when this process applies a
 * receipt for them; another process's receipt shows within `ttlMs`.
 */
export class VerificationCache {
  readonly lots: TtlCache<Lot>;
  readonly answers: TtlCache<ContributionStatus>;
  readonly operators = new TtlCache<{ fiscalCode: string; vatNumber: string | null } | null>(60_000);
  constructor(ttlMs = 2000) {
    this.lots = new TtlCache<Lot>(ttlMs > 0 ? 60_000 : 0);
    this.answers = new TtlCache<ContributionStatus>(ttlMs);
  }
  static key(cig: string, fiscalCode: string): string {
    return `${cig}|${fiscalCode}`;
  }
  paymentApplied(cig: string | null, fiscalCode: string): void {
    if (cig) this.answers.delete(VerificationCache.key(cig, fiscalCode));
  }
  clear(): void {
    this.lots.clear();
    this.answers.clear();
    this.operators.clear();
  }
}

/** Who may see a lot's payments: its RUP (own authority), staff, and each bidder for itself only. */
async function lotFor(deps: Deps, cig: string, actor: Actor, fiscalCode?: string): Promise<Lot> {
  const load = async () => {
    const found = await deps.store.lots.findByCig(cig);
    if (!found) throw notFound(`lot with CIG ${cig}`);
    return found;
  };
  const lot = deps.cache ? await deps.cache.lots.get(cig, load) : await load();
  if (actor.kind === 'user' && actor.role === 'economic_operator') {
    const operatorId = actor.economicOperatorId ?? '';
    const loadOperator = async () => (await deps.store.operators.findEconomicOperator(operatorId)) ?? null;
    const own = deps.cache ? await deps.cache.operators.get(operatorId, loadOperator) : await loadOperator();
    if (!own || (fiscalCode !== undefined && own.fiscalCode !== fiscalCode && own.vatNumber !== fiscalCode)) {
      // Another bidder's verification is not found (404), as every resource outside the caller's reach.
      throw notFound(`contribution of ${fiscalCode ?? 'this bidder'} for CIG ${cig}`);
    }
    return lot;
  }
  if (!canSeeAuthority(actor, lot.contractingAuthorityId, lot.regionalSectionCode))
    throw notFound(`lot with CIG ${cig}`);
  return lot;
}

async function statusOf(
  deps: Deps,
  lot: Lot,
  tenderCreatedAt: Date,
  fiscalCode: string,
): Promise<ContributionStatus> {
  if (deps.cache)
    return deps.cache.answers.get(VerificationCache.key(lot.cig, fiscalCode), () =>
      freshStatus(deps, lot, tenderCreatedAt, fiscalCode),
    );
  return freshStatus(deps, lot, tenderCreatedAt, fiscalCode);
}

async function freshStatus(
  deps: Deps,
  lot: Lot,
  tenderCreatedAt: Date,
  fiscalCode: string,
): Promise<ContributionStatus> {
  const fee = lotBidderContribution(lot, tenderCreatedAt);
  const position = await deps.store.positions.findForLot(lot.id, fiscalCode);
  if (position?.state === 'paid') {
    const receipt = await deps.store.paymentReceipts.findAppliedReceipt(position.id);
    if (receipt) return { status: 'paid', fiscalCode, amountCents: position.amountCents, position, receipt };
  }
  if (fee.exempt) return { status: 'not_due', fiscalCode, amountCents: 0, basis: fee.basis };
  return { status: 'not_paid', fiscalCode, amountCents: fee.amountCents, position };
}

/** Has this bidder paid the contribution for this CIG? */
export async function verifyContribution(
  deps: Deps,
  input: { cig: string; fiscalCode: string },
  actor: Actor,
): Promise<ContributionStatus & { cig: string }> {
  const lot = await lotFor(deps, input.cig, actor, input.fiscalCode);
  return { cig: lot.cig, ...(await statusOf(deps, lot, lot.tenderCreatedAt, input.fiscalCode)) };
}

/** Every bidder of a lot at once: those who opened a payment position, plus any fiscal codes asked for. */
export async function lotContributions(
  deps: Deps,
  input: { cig: string; fiscalCodes?: string[] | undefined },
  actor: Actor,
): Promise<{ cig: string; items: ContributionStatus[] }> {
  if (actor.kind === 'user' && actor.role === 'economic_operator') {
    throw new DomainError('forbidden', "a bidder cannot list other bidders' payments");
  }
  const lot = await lotFor(deps, input.cig, actor);
  const positions = await deps.store.positions.listForLot(lot.id);
  const codes = [...new Set([...positions.map((p) => p.debtorFiscalCode), ...(input.fiscalCodes ?? [])])];
  const items = [];
  for (const code of codes) items.push(await freshStatus(deps, lot, lot.tenderCreatedAt, code));
  return { cig: lot.cig, items };
}

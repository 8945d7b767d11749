import {
  oeContribution,
  saContribution,
  type Contribution,
} from '../../domain/contributions/contribution.js';
import { romeDateOf } from '../../domain/shared/dates.js';
import type { Lot, Tender } from '../../domain/tenders/tender.js';

/**
 * The procedure's start date keys the fee table: the day the tender was created (its first CIG was
 * acquired), on the Italian calendar.
 */
export const procedureStartDate = (tender: Pick<Tender, 'createdAt'>): string => romeDateOf(tender.createdAt);

export interface TenderContributions {
  startDate: string;
  /** What the contracting authority owes, on the total of the lots not cancelled. */
  authority: Contribution & { onAmountCents: number };
  /** What each bidder owes per lot, by lot id. */
  bidders: Map<string, Contribution>;
}

export function tenderContributions(
  tender: Pick<Tender, 'createdAt'>,
  lots: Pick<Lot, 'id' | 'amountCents' | 'state'>[],
): TenderContributions {
  const startDate = procedureStartDate(tender);
  const total = lots.filter((l) => l.state !== 'cancelled').reduce((sum, l) => sum + l.amountCents, 0);
  return {
    startDate,
    authority: authorityContribution(tender, total),
    bidders: new Map(lots.map((l) => [l.id, oeContribution(l.amountCents, startDate)])),
  };
}

/** What the contracting authority owes on `totalCents`, the total of the tender's lots not cancelled. */
export function authorityContribution(
  tender: Pick<Tender, 'createdAt'>,
  totalCents: number,
): TenderContributions['authority'] {
  return { ...saContribution(totalCents, procedureStartDate(tender)), onAmountCents: totalCents };
}

export const lotBidderContribution = (lot: Pick<Lot, 'amountCents'>, tenderCreatedAt: Date): Contribution =>
  oeContribution(lot.amountCents, romeDateOf(tenderCreatedAt));

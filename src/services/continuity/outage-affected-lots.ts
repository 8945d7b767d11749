import { covers, overlaps } from '../../domain/continuity/continuity-rules.js';
import { startOfRomeDay } from '../../domain/shared/dates.js';
import { requireRole, type Actor, type ServiceDeps } from '../context.js';

export interface AffectedLot {
  cig: string;
  tenderNumber: number;
  object: string;
  publicationDate: string | null;
  bidDeadline: Date;
  reasons: {
    kind: 'bid_deadline_in_outage' | 'payment_window_overlaps_outage';
    incident: string;
    start: Date;
    end: Date | null;
  }[];
}

/**
 * A RUP's procedures whose bid deadline, or whose payment window (publication to bid deadline), fell
 * inside an outage window: candidates for a deadline extension (d.lgs. 36/2023 art. 25 c.2).
 */
export async function outageAffectedLots(
  deps: Pick<ServiceDeps, 'store' | 'clock'>,
  actor: Actor,
): Promise<AffectedLot[]> {
  const rup = requireRole(actor, 'rup');
  const now = deps.clock.now();
  const incidents = await deps.store.incidents.incidentsTouching(
    ['cig_issuance', 'contribution_payments', 'portal', 'publication_data'],
    new Date(now.getTime() - 366 * 86_400_000),
    new Date(now.getTime() + 1),
  );
  if (incidents.length === 0) return [];
  const tenders = await deps.store.tenders.list({
    contractingAuthorityId: rup.contractingAuthorityId ?? '',
    limit: 1000,
    offset: 0,
  });
  const affected: AffectedLot[] = [];
  for (const tender of tenders.items) {
    for (const lot of await deps.store.lots.listByTender(tender.id)) {
      if (!lot.bidDeadline) continue;
      const reasons: AffectedLot['reasons'] = [];
      for (const i of incidents) {
        const window = { start: i.startedAt, end: i.resolvedAt };
        if (covers(window, lot.bidDeadline))
          reasons.push({
            kind: 'bid_deadline_in_outage',
            incident: i.code,
            start: i.startedAt,
            end: i.resolvedAt,
          });
        else if (
          i.services.includes('contribution_payments') &&
          overlaps(
            window,
            lot.publicationDate ? startOfRomeDay(lot.publicationDate) : lot.acquiredAt,
            lot.bidDeadline,
          )
        ) {
          reasons.push({
            kind: 'payment_window_overlaps_outage',
            incident: i.code,
            start: i.startedAt,
            end: i.resolvedAt,
          });
        }
      }
      if (reasons.length > 0) {
        affected.push({
          cig: lot.cig,
          tenderNumber: lot.tenderNumber,
          object: lot.object,
          publicationDate: lot.publicationDate,
          bidDeadline: lot.bidDeadline,
          reasons,
        });
      }
    }
  }
  return affected;
}

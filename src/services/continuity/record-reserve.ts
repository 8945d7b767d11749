import { reserveDeadline } from '../../domain/continuity/continuity-rules.js';
import { romeDateOf, startOfRomeDay } from '../../domain/shared/dates.js';
import { DomainError, invalidField, notFound } from '../../domain/shared/errors.js';
import { audit, canSeeAuthority, requireRole, type Actor, type ServiceDeps } from '../context.js';
import { checkObject } from '../tenders/lot-input.js';
import type { Reserve } from './ports.js';

/**
 * The RUP records that a bidder was admitted "con riserva" on a lot because paying was impossible
 * during an incident on contribution payments; the reserve is lifted when its receipt arrives.
 */
export async function recordReserve(
  deps: Pick<ServiceDeps, 'store' | 'clock' | 'ids'>,
  input: {
    cig: string;
    fiscalCode: string;
    bidderName: string;
    note?: string | undefined;
    incident?: string | undefined;
  },
  actor: Actor,
): Promise<Reserve> {
  const rup = requireRole(actor, 'rup');
  const now = deps.clock.now();
  const fiscalCode = input.fiscalCode.trim().toUpperCase();
  if (!/^([0-9]{11}|[A-Z0-9]{16})$/.test(fiscalCode))
    throw invalidField('fiscalCode', 'fiscalCode must be 11 digits or 16 characters');
  const bidderName = checkObject(input.bidderName, 'bidderName');
  return deps.store.transaction(async (store) => {
    const lot = await store.lots.findByCig(input.cig.toUpperCase());
    if (!lot || !canSeeAuthority(actor, lot.contractingAuthorityId))
      throw notFound(`lot with CIG ${input.cig}`);
    const position = await store.positions.findForLot(lot.id, fiscalCode);
    if (position?.state === 'paid') {
      throw new DomainError('invalid_state', 'this bidder has paid the contribution: no reserve is needed', {
        reason: 'already_paid',
      });
    }
    const from = lot.publicationDate ? startOfRomeDay(lot.publicationDate) : lot.acquiredAt;
    const candidates = await store.incidents.incidentsTouching(
      ['contribution_payments'],
      from,
      new Date(now.getTime() + 1),
    );
    const incident = input.incident
      ? candidates.find((i) => i.code === input.incident || i.id === input.incident)
      : candidates.at(-1);
    if (!incident) {
      throw new DomainError(
        'rule_violation',
        'no recorded incident on contribution payments since the lot was published: a reserve needs one',
        {
          field: 'incident',
          reason: 'no_payment_outage',
        },
      );
    }
    const existing = (await store.reserves.listReserves({ lotId: lot.id, fiscalCode }))[0];
    if (existing) return existing;
    const base = incident.resolvedAt ? romeDateOf(incident.resolvedAt) : romeDateOf(now);
    await store.reserves.insertReserve({
      id: deps.ids.uuid(),
      lotId: lot.id,
      fiscalCode,
      bidderName,
      incidentId: incident.id,
      note: input.note?.trim() || null,
      deadline: reserveDeadline(base),
      recordedAt: now,
      recordedBy: rup.userId,
    });
    const reserve = (await store.reserves.listReserves({ lotId: lot.id, fiscalCode }))[0];
    if (!reserve) throw new Error('reserve vanished');
    await store.audit.append([
      audit(actor, now, 'reserve.recorded', { type: 'reserve', id: reserve.id }, null, reserve),
    ]);
    return reserve;
  });
}

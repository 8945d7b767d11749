import { DomainError, notFound } from '../../domain/shared/errors.js';
import { checkPerfection, isPerfectionWindowClosed } from '../../domain/tenders/tender-rules.js';
import { audit, canSeeAuthority, requireRole, type ServiceDeps } from '../context.js';
import { presentLotAudit } from './tender-audit.js';
import type { Actor } from '../../domain/registry/actor.js';
import type { Lot } from '../../domain/tenders/tender.js';

export interface PerfectLotInput {
  cig: string;
  publicationDate?: string | undefined;
  invitationDate?: string | undefined;
  bidDeadline: Date;
}

type Deps = Pick<ServiceDeps, 'store' | 'clock'>;

/** The RUP completes a lot with its publication (or invitation) date and bid deadline, within the window. */
export async function perfectLot(deps: Deps, input: PerfectLotInput, actor: Actor): Promise<Lot> {
  const rup = requireRole(actor, 'rup');
  const now = deps.clock.now();
  return deps.store.transaction(async (store) => {
    const lot = await store.lots.lockByCig(input.cig);
    if (!lot || !canSeeAuthority(actor, lot.contractingAuthorityId))
      throw notFound(`lot with CIG ${input.cig}`);
    if (lot.state !== 'issued') {
      throw new DomainError(
        'invalid_state',
        `lot ${lot.cig} is ${lot.state}: only an issued lot can be perfected`,
        {
          reason: `lot_${lot.state}`,
        },
      );
    }
    if (isPerfectionWindowClosed(lot.perfectionDeadline, now)) {
      throw new DomainError(
        'invalid_state',
        `the perfezionamento window of ${lot.cig} closed on ${lot.perfectionDeadline}; the CIG lapses automatically`,
        { reason: 'perfection_window_closed' },
      );
    }
    const date = checkPerfection(input, {
      procedureType: lot.procedureTypeCode,
      acquiredAt: lot.acquiredAt,
      now,
    });
    const invitation = input.invitationDate !== undefined;
    const perfection = {
      publicationDate: invitation ? null : date,
      invitationDate: invitation ? date : null,
      bidDeadline: input.bidDeadline,
      perfectedAt: now,
      perfectedBy: rup.userId,
    };
    await store.lots.perfect(lot.id, perfection);
    const after: Lot = { ...lot, ...perfection, state: 'perfected' };
    await store.audit.append([
      audit(
        actor,
        now,
        'lot.perfected',
        { type: 'lot', id: lot.cig },
        presentLotAudit(lot),
        presentLotAudit(after),
      ),
    ]);
    return after;
  });
}

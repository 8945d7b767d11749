import { DomainError, notFound } from '../../domain/shared/errors.js';
import { checkCancellation } from '../../domain/tenders/tender-rules.js';
import { audit, requireRole } from '../context.js';
import { cancelTender as cancelGaraTender } from '../tenders/cancel-tender.js';
import { reasonOf } from './cancel-lot.js';
import { tenderNumberOf } from './insert-lot.js';
import { checkCollaboration, type SimogCall, type SimogDeps } from './simog-session.js';

/**
 * cancellaGara: gara's cancelTender (every lot cancelled first; reasons 5-8). A number reserved by
 * inserisciGara that never got a lot is cancelled here, with the same reasons (checkCancellation).
 */
export async function cancelTender(
  deps: SimogDeps,
  input: {
    ticket?: string | undefined;
    indexCollaborazione?: string | undefined;
    tenderNumber?: string | undefined;
    idMotivazione?: string | undefined;
    noteCanc?: string | undefined;
  },
  call: SimogCall,
): Promise<{ message: string }> {
  const actor = await deps.sessions.actorOf(deps, input.ticket, call);
  checkCollaboration(actor, input.indexCollaborazione);
  const tenderNumber = tenderNumberOf(input.tenderNumber);
  const reason = reasonOf(input.idMotivazione);
  const reserved = await deps.simog.simog.findTender(tenderNumber);
  if (reserved && reserved.tenderId === null) {
    const rup = requireRole(actor, 'rup');
    const checked = checkCancellation('tender', reason, input.noteCanc);
    const now = deps.clock.now();
    await deps.simog.transaction(async ({ store, simog }) => {
      const locked = await simog.lockTender(tenderNumber);
      if (!locked || locked.contractingAuthorityId !== rup.contractingAuthorityId) {
        throw notFound(`tender ${tenderNumber}`);
      }
      if (locked.cancellation)
        throw new DomainError('invalid_state', `la gara ${tenderNumber} è già cancellata`);
      if (locked.tenderId !== null)
        throw new DomainError('conflict', `la gara ${tenderNumber} ha ora un lotto: riprovare`);
      await simog.updateTender(tenderNumber, { cancellation: { at: now, ...checked } }, now);
      await store.audit.append([
        audit(
          rup,
          now,
          'simog.tender_cancelled',
          { type: 'tender', id: String(tenderNumber) },
          null,
          checked,
        ),
      ]);
    });
    return { message: `Gara ${tenderNumber} cancellata` };
  }
  const { tender } = await cancelGaraTender(deps, { tenderNumber, reason, note: input.noteCanc }, actor);
  return { message: `Gara ${tender.tenderNumber} cancellata` };
}

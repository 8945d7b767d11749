import { DomainError } from '../../domain/shared/errors.js';
import { audit, requireRole } from '../context.js';
import { getTender } from '../tenders/get-tender.js';
import { tenderNumberOf } from './insert-lot.js';
import { checkCollaboration, type SimogCall, type SimogDeps } from './simog-session.js';

/**
 * perfezionaGara: confirms a tender whose live lots are all perfected (gara perfects lot by lot; this
 * records the tender's DATA_PERFEZIONAMENTO_BANDO and state CONF, with an audit entry).
 */
export async function perfectTender(
  deps: SimogDeps,
  input: {
    ticket?: string | undefined;
    indexCollaborazione?: string | undefined;
    tenderNumber?: string | undefined;
  },
  call: SimogCall,
): Promise<{ message: string }> {
  const actor = requireRole(await deps.sessions.actorOf(deps, input.ticket, call), 'rup');
  checkCollaboration(actor, input.indexCollaborazione);
  const tenderNumber = tenderNumberOf(input.tenderNumber);
  const { tender, lots } = await getTender(deps, tenderNumber, actor);
  if (tender.state === 'cancelled') {
    throw new DomainError('invalid_state', `la gara ${tenderNumber} è cancellata`);
  }
  const pending = lots.filter((l) => l.state === 'issued').map((l) => l.cig);
  if (pending.length > 0 || !lots.some((l) => l.state === 'perfected')) {
    throw new DomainError(
      'invalid_state',
      pending.length > 0
        ? `lotti non ancora perfezionati: ${pending.join(', ')}`
        : 'la gara non ha lotti perfezionati',
    );
  }
  const now = deps.clock.now();
  await deps.simog.transaction(async ({ store, simog }) => {
    const reserved = await simog.lockTender(tenderNumber);
    if (!reserved) {
      await simog.insertTender({
        tenderNumber,
        contractingAuthorityId: tender.contractingAuthorityId,
        rupUserId: tender.rupUserId,
        object: tender.object,
        amountCents: lots.filter((l) => l.state !== 'cancelled').reduce((s, l) => s + l.amountCents, 0),
        attributes: {},
        categories: [],
        createdAt: tender.createdAt,
      });
      await simog.updateTender(tenderNumber, { tenderId: tender.id }, now);
    }
    if (reserved?.perfectedAt) return;
    await simog.updateTender(tenderNumber, { perfectedAt: now }, now);
    await store.audit.append([
      audit(actor, now, 'simog.tender_perfected', { type: 'tender', id: String(tenderNumber) }, null, {
        lots: lots.map((l) => ({ cig: l.cig, state: l.state })),
      }),
    ]);
  });
  return { message: `Gara ${tenderNumber} perfezionata` };
}

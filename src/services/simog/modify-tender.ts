import { DomainError } from '../../domain/shared/errors.js';
import { audit, requireRole } from '../context.js';
import { getTender } from '../tenders/get-tender.js';
import { checkGara, type SimogGaraInput } from './insert-tender.js';
import { tenderNumberOf } from './insert-lot.js';
import { checkCollaboration, type SimogCall, type SimogDeps } from './simog-session.js';
import { notFound } from '../../domain/shared/errors.js';

/**
 * modificaGara: before the first lot, every GaraType datum may change. Once the tender has CIGs, gara has
 * no rule to change a tender's object: the SIMOG data it keeps beside the tender (station, amount,
 * categories, ...) change, OGGETTO must stay as it is.
 */
export async function modifyTender(
  deps: SimogDeps,
  input: SimogGaraInput & { tenderNumber?: string | undefined },
  call: SimogCall,
): Promise<{ message: string }> {
  const actor = requireRole(await deps.sessions.actorOf(deps, input.ticket, call), 'rup');
  checkCollaboration(actor, input.indexCollaborazione);
  const tenderNumber = tenderNumberOf(input.tenderNumber);
  const checked = await checkGara(deps, input, actor);
  const now = deps.clock.now();
  return deps.simog.transaction(async ({ store, simog }) => {
    const reserved = await simog.lockTender(tenderNumber);
    if (!reserved || reserved.contractingAuthorityId !== actor.contractingAuthorityId) {
      // a tender created through the REST API: its SIMOG data start here
      const { tender } = await getTender({ store }, tenderNumber, actor);
      if (tender.object !== checked.object) throw unchangeable();
      await simog.insertTender({
        tenderNumber,
        contractingAuthorityId: tender.contractingAuthorityId,
        rupUserId: tender.rupUserId,
        object: tender.object,
        amountCents: checked.amountCents,
        attributes: input.attributes,
        categories: input.categories,
        createdAt: tender.createdAt,
      });
      await simog.updateTender(tenderNumber, { tenderId: tender.id }, now);
    } else {
      if (reserved.cancellation) {
        throw new DomainError('invalid_state', `la gara ${tenderNumber} è cancellata`);
      }
      if (reserved.tenderId !== null) {
        const tender = await store.tenders.findByNumber(tenderNumber);
        if (!tender) throw notFound(`gara ${tenderNumber}`);
        if (tender.state === 'cancelled')
          throw new DomainError('invalid_state', `la gara ${tenderNumber} è cancellata`);
        if (tender.object !== checked.object) throw unchangeable();
      }
      await simog.updateTender(
        tenderNumber,
        {
          object: checked.object,
          amountCents: checked.amountCents,
          attributes: input.attributes,
          categories: input.categories,
        },
        now,
      );
    }
    await store.audit.append([
      audit(
        actor,
        now,
        'simog.tender_modified',
        { type: 'tender', id: String(tenderNumber) },
        reserved?.attributes ?? null,
        input.attributes,
      ),
    ]);
    return { message: `Gara ${tenderNumber} modificata` };
  });
}

const unchangeable = () =>
  new DomainError('invalid_state', 'OGGETTO: la gara ha già CIG, il suo oggetto non si modifica', {
    field: 'OGGETTO',
    reason: 'tender_has_lots',
  });

import { DomainError } from '../../domain/shared/errors.js';
import { audit, requireRole } from '../context.js';
import { regulariseProcedure } from '../continuity/regularise-procedure.js';
import { getLot } from '../tenders/get-tender.js';
import { perfectWith, type SimogPerfectionInput } from './perfect-lot.js';
import { checkCollaboration, type SimogCall, type SimogDeps } from './simog-session.js';

const PROVISIONAL = /^PROV-[0-9]{4}-[0-9]{6}$/i;

/**
 * pubblica: the publication data of a lot. An issued lot is perfected with them (gara's perfectLot);
 * a perfected one gets its publication data (GURI, GUCE, albo, ...) recorded. For a procedure started
 * as "CIG in fase di acquisizione" during an outage, `cig` is its provisional reference (PROV-…): the
 * procedure is regularised (gara's regulariseProcedure: real CIGs, the original dates kept because
 * they fall inside the recorded outage) and the answer names the CIGs.
 */
export async function publish(
  deps: SimogDeps,
  input: SimogPerfectionInput & { publication?: Record<string, string> | undefined },
  call: SimogCall,
): Promise<{ message: string }> {
  const actor = requireRole(await deps.sessions.actorOf(deps, input.ticket, call), 'rup');
  checkCollaboration(actor, input.indexCollaborazione);
  const code = (input.cig ?? '').trim().toUpperCase();
  if (PROVISIONAL.test(code)) {
    const { record, alreadyDone } = await regulariseProcedure(deps, { reference: code }, actor);
    const cigs = record.lots.map((l) => l.cig).join(', ');
    return {
      message: `${alreadyDone ? 'Procedura già regolarizzata' : 'Procedura regolarizzata'}: ${code} → gara ${record.tenderNumber}, CIG ${cigs}`,
    };
  }
  const lot = await getLot(deps, code, actor);
  const now = deps.clock.now();
  return deps.simog.transaction(async ({ store, simog }) => {
    if (lot.state === 'cancelled') {
      throw new DomainError('invalid_state', `il lotto ${lot.cig} è cancellato`, { reason: 'lot_cancelled' });
    }
    const perfected = lot.state === 'issued';
    if (perfected) await perfectWith({ ...deps, store }, lot, input, actor);
    const [extra] = await simog.findLots([lot.cig]);
    if (input.publication) {
      await simog.saveLot(
        {
          cig: lot.cig,
          attributes: extra?.attributes ?? {},
          cup: extra?.cup ?? null,
          publication: input.publication,
        },
        now,
      );
      await store.audit.append([
        audit(
          actor,
          now,
          'simog.lot_published',
          { type: 'lot', id: lot.cig },
          extra?.publication ?? null,
          input.publication,
        ),
      ]);
    }
    return {
      message: perfected
        ? `Lotto ${lot.cig} perfezionato e pubblicato`
        : `Dati di pubblicazione del lotto ${lot.cig} registrati`,
    };
  });
}

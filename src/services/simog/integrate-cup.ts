import { DomainError, invalidField } from '../../domain/shared/errors.js';
import { audit, requireRole } from '../context.js';
import { getLot } from '../tenders/get-tender.js';
import type { SimogLot } from './ports.js';
import { checkCollaboration, type SimogCall, type SimogDeps } from './simog-session.js';

const CUP = /^[A-Z][0-9]{2}[A-Z0-9]{12}$/;

/** integraCUP: the CUP codes (CUPLOTTO/CODICICUP) of a live lot, recorded with the lot. */
export async function integrateCup(
  deps: SimogDeps,
  input: {
    ticket?: string | undefined;
    indexCollaborazione?: string | undefined;
    cig?: string | undefined;
    flagCup?: string | undefined;
    cup?: SimogLot['cup'] | undefined;
  },
  call: SimogCall,
): Promise<{ message: string; cup: SimogLot['cup'] }> {
  const actor = requireRole(await deps.sessions.actorOf(deps, input.ticket, call), 'rup');
  checkCollaboration(actor, input.indexCollaborazione);
  const lot = await getLot(deps, (input.cig ?? '').trim().toUpperCase(), actor);
  if (lot.state === 'cancelled') throw new DomainError('invalid_state', `il lotto ${lot.cig} è cancellato`);
  if (input.flagCup !== undefined && !['S', 'N'].includes(input.flagCup)) {
    throw invalidField('flagCUP', 'flagCUP: S o N');
  }
  const codes = input.cup?.codes ?? [];
  if (input.flagCup !== 'N' && codes.length === 0) throw invalidField('CUPLOTTO', 'CUPLOTTO: almeno un CUP');
  for (const [i, c] of codes.entries()) {
    if (!CUP.test(c.CUP ?? '')) {
      throw invalidField(
        `CUPLOTTO/CODICICUP[${i + 1}]/@CUP`,
        `CUP "${(c.CUP ?? '').slice(0, 20)}" non valido (15 caratteri)`,
      );
    }
  }
  const now = deps.clock.now();
  const cup = input.flagCup === 'N' ? null : { cig: lot.cig, codes };
  return deps.simog.transaction(async ({ store, simog }) => {
    const [before] = await simog.findLots([lot.cig]);
    await simog.saveLot(
      {
        cig: lot.cig,
        attributes: { ...(before?.attributes ?? {}), FLAG_CUP: cup ? 'S' : 'N' },
        cup,
        publication: before?.publication ?? null,
      },
      now,
    );
    await store.audit.append([
      audit(actor, now, 'simog.cup_integrated', { type: 'lot', id: lot.cig }, before?.cup ?? null, cup),
    ]);
    return { message: `CUP del lotto ${lot.cig} registrati`, cup };
  });
}

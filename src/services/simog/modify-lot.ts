import { DomainError } from '../../domain/shared/errors.js';
import { formatAmount, parseAmount } from '../../domain/shared/money.js';
import { audit, requireRole } from '../context.js';
import { getLot } from '../tenders/get-tender.js';
import type { SimogLottoInput } from './insert-lot.js';
import { checkCollaboration, type SimogCall, type SimogDeps } from './simog-session.js';

/**
 * modificaLotto, before perfezionamento only. gara has no rule to change the data a CIG was issued for
 * (object, amount, CPV, place, procedure type: a different lot needs its own CIG): those must stay as
 * they are; the other LottoType data (ID_CATEGORIA_PREVALENTE, CUP, ...) change.
 */
export async function modifyLot(
  deps: SimogDeps,
  input: Omit<SimogLottoInput, 'tenderNumber'> & { cig?: string | undefined },
  call: SimogCall,
): Promise<{ message: string; cup: SimogLottoInput['cup'] }> {
  const actor = requireRole(await deps.sessions.actorOf(deps, input.ticket, call), 'rup');
  checkCollaboration(actor, input.indexCollaborazione);
  const lot = await getLot(deps, (input.cig ?? '').trim().toUpperCase(), actor);
  if (lot.state !== 'issued') {
    throw new DomainError(
      'invalid_state',
      `il lotto ${lot.cig} è ${lot.state === 'perfected' ? 'perfezionato' : 'cancellato'}: non si modifica`,
      {
        reason: `lot_${lot.state}`,
      },
    );
  }
  const a = input.attributes;
  const same: [string, boolean][] = [
    ['OGGETTO', (a.OGGETTO ?? '').trim() === lot.object],
    ['IMPORTO_LOTTO', safeAmount(a.IMPORTO_LOTTO) === formatAmount(lot.amountCents)],
    ['CPV', (a.CPV ?? '').slice(0, 8) === lot.cpvCode],
    ['ID_SCELTA_CONTRAENTE', a.ID_SCELTA_CONTRAENTE === lot.procedureTypeCode],
    ['LUOGO_ISTAT', a.LUOGO_ISTAT === undefined || a.LUOGO_ISTAT === lot.istatPlaceCode],
  ];
  const changed = same.find(([, equal]) => !equal);
  if (changed) {
    throw new DomainError(
      'invalid_state',
      `${changed[0]}: il dato per cui il CIG è stato rilasciato non si modifica; cancellare il lotto (motivo 2) e richiederne un altro`,
      { field: changed[0], reason: 'cig_data_unchangeable' },
    );
  }
  const now = deps.clock.now();
  return deps.simog.transaction(async ({ store, simog }) => {
    const [before] = await simog.findLots([lot.cig]);
    const cup = input.cup ? { ...input.cup, cig: lot.cig } : (before?.cup ?? null);
    await simog.saveLot({ cig: lot.cig, attributes: a, cup, publication: before?.publication ?? null }, now);
    await store.audit.append([
      audit(actor, now, 'simog.lot_modified', { type: 'lot', id: lot.cig }, before?.attributes ?? null, a),
    ]);
    return { message: `Lotto ${lot.cig} modificato`, cup: cup ?? undefined };
  });
}

function safeAmount(value: string | undefined): string | undefined {
  try {
    return formatAmount(parseAmount(value ?? '', 'IMPORTO_LOTTO'));
  } catch {
    return undefined;
  }
}

import { startDateFieldOf } from '../../domain/tenders/tender-rules.js';
import { requireRole } from '../context.js';
import type { Lot } from '../ports.js';
import { getLot } from '../tenders/get-tender.js';
import { perfectLot as perfectGaraLot } from '../tenders/perfect-lot.js';
import { checkCollaboration, type SimogCall, type SimogDeps } from './simog-session.js';
import { simogDate, simogDeadline } from './simog-values.js';

export interface SimogPerfectionInput {
  ticket?: string | undefined;
  indexCollaborazione?: string | undefined;
  cig?: string | undefined;
  /** The publication date, or the date of the letters of invitation for procedure types 5, 10, 12. */
  dataPubblicazione?: string | undefined;
  /** The bid deadline's day (SIMOG calls it dataScadenzaPag) and time. */
  dataScadenzaPag?: string | undefined;
  oraScadenza?: string | undefined;
}

/** The perfezionamento of gara (perfectLot) with SIMOG's fields; which date it is follows the procedure type. */
export async function perfectWith(
  deps: Pick<SimogDeps, 'store' | 'clock'>,
  lot: Lot,
  input: SimogPerfectionInput,
  actor: Parameters<typeof perfectGaraLot>[2],
): Promise<Lot> {
  const date = simogDate(input.dataPubblicazione, 'dataPubblicazione');
  const bidDeadline = simogDeadline(input.dataScadenzaPag, input.oraScadenza, 'dataScadenzaPag');
  const field = startDateFieldOf(lot.procedureTypeCode);
  return perfectGaraLot(deps, { cig: lot.cig, [field]: date, bidDeadline }, actor);
}

/** perfezionaLotto: publication (or invitation) date and bid deadline, within the window. */
export async function perfectLot(
  deps: SimogDeps,
  input: SimogPerfectionInput,
  call: SimogCall,
): Promise<{ message: string }> {
  const actor = requireRole(await deps.sessions.actorOf(deps, input.ticket, call), 'rup');
  checkCollaboration(actor, input.indexCollaborazione);
  const lot = await getLot(deps, (input.cig ?? '').trim().toUpperCase(), actor);
  await perfectWith(deps, lot, input, actor);
  return { message: `Lotto ${lot.cig} perfezionato` };
}

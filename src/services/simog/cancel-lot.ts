import { invalidField } from '../../domain/shared/errors.js';
import { cancelLot as cancelGaraLot } from '../tenders/cancel-lot.js';
import { checkCollaboration, type SimogCall, type SimogDeps } from './simog-session.js';

export const reasonOf = (value: string | undefined): number => {
  if (!value || !/^[0-9]{1,2}$/.test(value.trim())) {
    throw invalidField('id_motivazione', 'id_motivazione: codice del motivo di cancellazione');
  }
  return Number(value.trim());
};

/** cancellaLotto: gara's cancelLot, with its coded reasons (1 duplicato, 2 errore, 3 decisione, 4 altro). */
export async function cancelLot(
  deps: SimogDeps,
  input: {
    ticket?: string | undefined;
    indexCollaborazione?: string | undefined;
    cig?: string | undefined;
    idMotivazione?: string | undefined;
    noteCanc?: string | undefined;
  },
  call: SimogCall,
): Promise<{ message: string }> {
  const actor = await deps.sessions.actorOf(deps, input.ticket, call);
  checkCollaboration(actor, input.indexCollaborazione);
  const lot = await cancelGaraLot(
    deps,
    {
      cig: (input.cig ?? '').trim().toUpperCase(),
      reason: reasonOf(input.idMotivazione),
      note: input.noteCanc,
    },
    actor,
  );
  return { message: `Lotto ${lot.cig} cancellato` };
}

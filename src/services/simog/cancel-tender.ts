import { cancelTender as cancelGaraTender } from '../tenders/cancel-tender.js';
import { reasonOf } from './cancel-lot.js';
import { tenderNumberOf } from './insert-lot.js';
import { checkCollaboration, type SimogCall, type SimogDeps } from './simog-session.js';

/** cancellaGara: gara's cancelTender (every lot cancelled first; reasons 5-8). */
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
  const tender = await cancelGaraTender(
    deps,
    {
      tenderNumber: tenderNumberOf(input.tenderNumber),
      reason: reasonOf(input.idMotivazione),
      note: input.noteCanc,
    },
    actor,
  );
  return { message: `Gara ${tender.tenderNumber} cancellata` };
}

import { getLot } from '../tenders/get-tender.js';
import type { SimogLot } from './ports.js';
import { loadGara, type GaraView } from './consult-tender-number.js';
import type { SimogCall, SimogDeps } from './simog-session.js';
import { lottoView } from './simog-views.js';

/** consultaGara: by CIG, the tender's GaraType data and the lot's LottoType data (every required attribute). */
export async function consultTender(
  deps: SimogDeps,
  input: { ticket?: string | undefined; cig?: string | undefined },
  call: SimogCall,
): Promise<{ gara: GaraView; lotto: Record<string, string | undefined>; cup: SimogLot['cup'] }> {
  const actor = await deps.sessions.actorOf(deps, input.ticket, call);
  const lot = await getLot(deps, (input.cig ?? '').trim().toUpperCase(), actor);
  const { gara, tender, lots } = await loadGara(deps, lot.tenderNumber, actor);
  const [extra] = await deps.simog.simog.findLots([lot.cig]);
  const total = lots.filter((l) => l.state !== 'cancelled').reduce((s, l) => s + l.amountCents, 0);
  if (!tender) throw new Error(`lot ${lot.cig} without its tender`);
  return { gara, lotto: lottoView(lot, tender, total, extra), cup: extra?.cup ?? null };
}

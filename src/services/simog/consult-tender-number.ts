import { notFound } from '../../domain/shared/errors.js';
import { canSeeAuthority, type UserActor } from '../context.js';
import type { Lot, Tender } from '../ports.js';
import { getTender } from '../tenders/get-tender.js';
import type { SimogTender } from './ports.js';
import { tenderNumberOf } from './insert-lot.js';
import type { SimogCall, SimogDeps } from './simog-session.js';
import { garaView } from './simog-views.js';

export interface GaraView {
  attributes: Record<string, string | undefined>;
  categories: string[];
}

/** A tender (or a number reserved by inserisciGara) as SIMOG shows it, for those who may see it. */
export async function loadGara(
  deps: Pick<SimogDeps, 'store' | 'simog'>,
  tenderNumber: number,
  actor: UserActor,
): Promise<{ gara: GaraView; tender: Tender | undefined; lots: Lot[]; reserved: SimogTender | undefined }> {
  const reserved = await deps.simog.simog.findTender(tenderNumber);
  let tender: Tender | undefined;
  let lots: Lot[] = [];
  if (!reserved || reserved.tenderId !== null) {
    ({ tender, lots } = await getTender(deps, tenderNumber, actor));
  } else if (!canSeeAuthority(actor, reserved.contractingAuthorityId)) {
    throw notFound(`tender ${tenderNumber}`);
  }
  const authorityId = tender?.contractingAuthorityId ?? reserved?.contractingAuthorityId ?? '';
  const authority = await deps.store.registry.findContractingAuthority(authorityId);
  if (!authority) throw notFound('contracting authority');
  const rup = await deps.store.registry.findUser(tender?.rupUserId ?? reserved?.rupUserId ?? '');
  const gara = garaView({
    tenderNumber,
    tender,
    lots,
    simog: reserved,
    authority,
    rupFiscalCode: rup?.fiscalCode ?? null,
  });
  return { gara, tender, lots, reserved };
}

/** consultaNumeroGara: the tender's GaraType data and its CIGs. */
export async function consultTenderNumber(
  deps: SimogDeps,
  input: { ticket?: string | undefined; tenderNumber?: string | undefined },
  call: SimogCall,
): Promise<{ gara: GaraView; cigs: string[] }> {
  const actor = await deps.sessions.actorOf(deps, input.ticket, call);
  const { gara, lots } = await loadGara(deps, tenderNumberOf(input.tenderNumber), actor);
  return { gara, cigs: lots.map((l) => l.cig) };
}

import { DomainError, invalidField } from '../../domain/shared/errors.js';
import { parseAmount } from '../../domain/shared/money.js';
import { audit, requireRole } from '../context.js';
import { checkObject } from '../tenders/lot-input.js';
import { checkCollaboration, type SimogCall, type SimogDeps } from './simog-session.js';

export interface SimogGaraInput {
  ticket?: string | undefined;
  indexCollaborazione?: string | undefined;
  /** GaraType attributes as sent (checked against the schema by the codec). */
  attributes: Record<string, string>;
  categories: string[];
}

/** The rules a DatiGara must meet in gara: the RUP's own authority and fiscal code, an amount, an object. */
export async function checkGara(
  deps: Pick<SimogDeps, 'store'>,
  input: SimogGaraInput,
  actor: { contractingAuthorityId: string | null; userId: string },
): Promise<{ object: string; amountCents: number; authorityId: string }> {
  const a = input.attributes;
  const object = checkObject(a.OGGETTO ?? '', 'OGGETTO');
  const amountCents = parseAmount(a.IMPORTO_GARA ?? '', 'IMPORTO_GARA');
  if (amountCents <= 0) throw invalidField('IMPORTO_GARA', 'IMPORTO_GARA deve essere maggiore di zero');
  const authority = await deps.store.registry.findContractingAuthority(actor.contractingAuthorityId ?? '');
  if (!authority || !authority.active) {
    throw new DomainError('forbidden', 'la stazione appaltante del RUP non è attiva in anagrafe');
  }
  if (a.CF_AMMINISTRAZIONE !== authority.fiscalCode) {
    throw invalidField(
      'CF_AMMINISTRAZIONE',
      `CF_AMMINISTRAZIONE non è il codice fiscale dell'amministrazione del RUP`,
    );
  }
  const user = await deps.store.registry.findUser(actor.userId);
  if (user?.fiscalCode && a.CF_UTENTE?.toUpperCase() !== user.fiscalCode) {
    throw invalidField('CF_UTENTE', 'CF_UTENTE non è il codice fiscale dell’utente del ticket');
  }
  return { object, amountCents, authorityId: authority.id };
}

/**
 * inserisciGara: reserves the tender number (`id_gara`) and keeps the GaraType data. gara's tender row
 * is created with the first lot (inserisciLotto), which brings the procedure type and the contract object
 * gara's tenders require.
 */
export async function insertTender(
  deps: SimogDeps,
  input: SimogGaraInput,
  call: SimogCall,
): Promise<{ tenderNumber: number }> {
  const actor = requireRole(await deps.sessions.actorOf(deps, input.ticket, call), 'rup');
  checkCollaboration(actor, input.indexCollaborazione);
  const checked = await checkGara(deps, input, actor);
  const now = deps.clock.now();
  return deps.simog.transaction(async ({ store, simog }) => {
    const tenderNumber = await store.codes.nextTenderNumber();
    await simog.insertTender({
      tenderNumber,
      contractingAuthorityId: checked.authorityId,
      rupUserId: actor.userId,
      object: checked.object,
      amountCents: checked.amountCents,
      attributes: input.attributes,
      categories: input.categories,
      createdAt: now,
    });
    await store.audit.append([
      audit(actor, now, 'simog.tender_reserved', { type: 'tender', id: String(tenderNumber) }, null, {
        object: checked.object,
        amountCents: checked.amountCents,
        attributes: input.attributes,
      }),
    ]);
    return { tenderNumber };
  });
}

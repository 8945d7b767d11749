import { createHash } from 'node:crypto';
import { DomainError, invalidField, notFound } from '../../domain/shared/errors.js';
import { requireRole, type UserActor } from '../context.js';
import { checkIdempotencyKey, replayOf, requestHash, runIdempotent } from '../idempotency.js';
import type { Lot, Store, Tender } from '../ports.js';
import { createTender } from '../tenders/create-tender.js';
import { insertLot as insertTenderLot, issueLot, refuseIssuance } from '../tenders/issue-lot.js';
import { checkLot, type CheckedLot, type LotInput } from '../tenders/lot-input.js';
import type { SimogRepository } from './ports.js';
import { checkCollaboration, type SimogCall, type SimogDeps } from './simog-session.js';
import { contractObjectOf } from './simog-values.js';

export interface SimogLottoInput {
  ticket?: string | undefined;
  indexCollaborazione?: string | undefined;
  /** The tender number (`id_gara`). */
  tenderNumber?: string | undefined;
  attributes: Record<string, string>;
  cup?: { cig?: string | undefined; codes: Record<string, string>[] } | undefined;
  contractTypes: string[];
}

export interface InsertedLot {
  cig: string;
  lotNumber: number;
  cfAmministrazione: string;
  cfStazione: string;
  cfUtente: string;
}

export function tenderNumberOf(value: string | undefined, field = 'id_gara'): number {
  const n = Number(value?.trim());
  if (!value || !/^[0-9]{7}$/.test(value.trim()) || !Number.isInteger(n)) {
    throw invalidField(field, `${field}: numero gara di 7 cifre`);
  }
  return n;
}

/** gara's LotInput from LottoType attributes (the same rules as POST /tenders/{n}/lots apply to it). */
export function lotInputOf(a: Record<string, string>): LotInput {
  if (!a.ID_CATEGORIA_PREVALENTE?.trim()) {
    throw invalidField('ID_CATEGORIA_PREVALENTE', 'ID_CATEGORIA_PREVALENTE: obbligatorio');
  }
  return {
    object: a.OGGETTO ?? '',
    amount: a.IMPORTO_LOTTO ?? '',
    cpv: a.CPV ?? '',
    place: a.LUOGO_ISTAT ?? '',
  };
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** What an inserisciLotto's key stores: the answer a repeat gets. */
interface StoredLot {
  cig: string;
  lotNumber: number;
  contractingAuthorityFiscalCode: string;
  cfUtente: string;
}

const storedOf = (lot: Lot, cfUtente: string): StoredLot => ({
  cig: lot.cig,
  lotNumber: lot.lotNumber,
  contractingAuthorityFiscalCode: lot.contractingAuthorityFiscalCode,
  cfUtente,
});

/** (Keys stored before 2026-12-03 hold an InsertedLot.) */
const insertedOf = (s: StoredLot | InsertedLot): InsertedLot => {
  if (!('contractingAuthorityFiscalCode' in s)) return s;
  const cf = s.contractingAuthorityFiscalCode;
  return { cig: s.cig, lotNumber: s.lotNumber, cfAmministrazione: cf, cfStazione: cf, cfUtente: s.cfUtente };
};

/**
 * inserisciLotto: a lot and its CIG, through gara's issuance (or createTender for the first lot of a
 * tender number reserved by inserisciGara). Idempotent: the key is the `Idempotency-Key` HTTP header
 * when sent, otherwise the request itself (tender number + the lot's data): a platform that repeats the
 * same inserisciLotto after a timeout gets the same CIG for 72 hours (see services/idempotency.ts).
 * A further lot is issued as REST's are, grouped with concurrent ones in one statement that also claims
 * the key and writes the SIMOG data (SimogUnitOfWork.issueLot).
 */
export async function insertLot(
  deps: SimogDeps,
  input: SimogLottoInput,
  call: SimogCall,
): Promise<InsertedLot> {
  const session = await deps.sessions.actorOf(deps, input.ticket, call);
  const actor = requireRole(session, 'rup');
  checkCollaboration(actor, input.indexCollaborazione);
  const tenderNumber = tenderNumberOf(input.tenderNumber);
  const lotInput = lotInputOf(input.attributes);
  const fingerprint = {
    op: 'inserisciLotto',
    tenderNumber,
    lot: input.attributes,
    cup: input.cup ?? null,
    types: input.contractTypes,
  };
  const key = `simog:${call.idempotencyKey ?? `inserisciLotto:${sha256(JSON.stringify(fingerprint))}`}`;
  checkIdempotencyKey(key);
  const cfUtente = session.fiscalCode ?? '';
  // Before the transaction (no lock held meanwhile): the tender's facts, which never change once it
  // exists (kept in memory), or what inserisciGara reserved.
  let known = deps.sessions.knownTender(tenderNumber);
  const reserved = known ? undefined : await deps.simog.simog.findTender(tenderNumber);
  if (!known && (!reserved || reserved.tenderId !== null)) {
    const tender = await deps.store.tenders.findByNumber(tenderNumber);
    if (tender) known = deps.sessions.rememberTender(tenderNumber, tender);
  }
  if (known && known.contractingAuthorityId === actor.contractingAuthorityId) {
    checkAgainstTender(input.attributes, known);
  }
  if (reserved && reserved.tenderId === null) {
    let issued = false; // not when runIdempotent replayed the stored answer
    const first = await deps.simog.transaction(async ({ store, simog }) => {
      const result = await runIdempotent(
        { store, clock: deps.clock },
        actor,
        { key, fingerprint },
        async (tx) => {
          const lot = await firstLot({ ...deps, store: tx }, simog, tenderNumber, lotInput, input, actor);
          await simog.saveLot(
            {
              cig: lot.cig,
              attributes: input.attributes,
              cup: input.cup ? { ...input.cup, cig: lot.cig } : null,
              publication: null,
            },
            deps.clock.now(),
          );
          const body = storedOf(lot, cfUtente);
          issued = true;
          return { statusCode: 201, body };
        },
      );
      return insertedOf(result.body);
    });
    if (issued) call.onIssued?.();
    return first;
  }
  const hash = requestHash(fingerprint);
  const replay = async () => {
    const previous = await deps.store.idempotency.find(actor.userId, key);
    return previous && insertedOf(replayOf<StoredLot>(previous, hash).body);
  };
  let checked: CheckedLot;
  try {
    checked = await checkLot(deps.store.reference, lotInput, deps.clock.now());
  } catch (error) {
    // a code list changed since the first of these requests: a repeat still gets its CIG
    const previous = error instanceof DomainError ? await replay() : undefined;
    if (previous) return previous;
    throw error;
  }
  const lot = await insertTenderLot(deps, tenderNumber, checked, actor, (issue) =>
    deps.simog.issueLot({
      ...issue,
      claim: {
        userId: actor.userId,
        key,
        requestSha256: hash,
        at: issue.lot.acquiredAt,
        // lotNumber and the authority's fiscal code are set by the statement (see IssuanceClaim)
        response: { cig: issue.lot.cig, cfUtente, contractingAuthorityFiscalCode: '' },
      },
      simogLot: {
        attributes: input.attributes,
        cup: input.cup ? { ...input.cup, cig: issue.lot.cig } : null,
      },
    }),
  );
  if (lot) {
    call.onIssued?.();
    return insertedOf(storedOf(lot, cfUtente));
  }
  return (await replay()) ?? refuseIssuance(deps, tenderNumber, actor);
}

/** The first lot of a tender number reserved by inserisciGara: gara's tender is created with it. */
async function firstLot(
  deps: SimogDeps & { store: Store },
  simog: SimogRepository,
  tenderNumber: number,
  lotInput: LotInput,
  input: SimogLottoInput,
  actor: UserActor,
): Promise<Lot> {
  const a = input.attributes;
  const reserved = await simog.lockTender(tenderNumber);
  if (!reserved || reserved.contractingAuthorityId !== actor.contractingAuthorityId) {
    throw notFound(`gara ${tenderNumber}`);
  }
  if (reserved.cancellation) {
    throw new DomainError('invalid_state', `la gara ${tenderNumber} è cancellata: nessun lotto si aggiunge`, {
      reason: 'tender_cancelled',
    });
  }
  if (reserved.tenderId !== null) {
    // created by a concurrent first lot meanwhile
    const tender = await deps.store.tenders.findByNumber(tenderNumber);
    if (tender) checkAgainstTender(a, tender);
    return nextLot(deps, tenderNumber, lotInput, actor);
  }
  const { lots, tender } = await createTender(
    deps,
    {
      object: reserved.object,
      procedureType: a.ID_SCELTA_CONTRAENTE ?? '',
      sector: 'ordinary',
      contractObject: contractObjectOf(a.TIPO_CONTRATTO),
      lots: [lotInput],
    },
    actor,
    { tenderNumber },
  );
  await simog.updateTender(tenderNumber, { tenderId: tender.id }, deps.clock.now());
  const [lot] = lots;
  if (!lot) throw new Error('createTender returned no lot');
  return lot;
}

/** A further lot: gara's issueLot (which answers "not found" for another authority's tender). */
async function nextLot(
  deps: SimogDeps & { store: Store },
  tenderNumber: number,
  lotInput: LotInput,
  actor: UserActor,
): Promise<Lot> {
  return issueLot(deps, { tenderNumber, lot: lotInput }, actor);
}

/** One procedure type and one contract object per tender in gara: a lot must agree with its tender. */
function checkAgainstTender(
  a: Record<string, string>,
  tender: Pick<Tender, 'procedureTypeCode' | 'contractObject'>,
): void {
  if (a.ID_SCELTA_CONTRAENTE !== tender.procedureTypeCode) {
    throw invalidField(
      'ID_SCELTA_CONTRAENTE',
      `ID_SCELTA_CONTRAENTE ${a.ID_SCELTA_CONTRAENTE ?? ''} diverso da quello della gara (${tender.procedureTypeCode})`,
    );
  }
  if (a.TIPO_CONTRATTO !== undefined && contractObjectOf(a.TIPO_CONTRATTO) !== tender.contractObject) {
    throw invalidField('TIPO_CONTRATTO', 'TIPO_CONTRATTO diverso da quello della gara');
  }
}

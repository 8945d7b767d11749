import { DomainError, invalidField } from '../../domain/shared/errors.js';
import {
  contractObjects,
  sectors,
  type ContractObject,
  type Sector,
} from '../../domain/tenders/tender-rules.js';
import { audit, requireRole, type ServiceDeps } from '../context.js';
import { insertLot } from './issue-lot.js';
import { checkLot, checkObject, type CheckedLot, type LotInput } from './lot-input.js';
import { presentTenderAudit } from './tender-audit.js';
import type { Actor } from '../../domain/registry/actor.js';
import type { Lot, Tender } from '../../domain/tenders/tender.js';

export interface CreateTenderInput {
  object: string;
  /** Code of the sceltaContraente list. */
  procedureType: string;
  sector: Sector;
  contractObject: ContractObject;
  /** Code of one of the contracting authority's cost centres. */
  costCentre?: string | undefined;
  lots: LotInput[];
}

export const MAX_LOTS_PER_REQUEST = 200;

type Deps = Pick<ServiceDeps, 'store' | 'clock' | 'ids' | 'cigOrdinals'>;

/**
 * A RUP creates a tender for their contracting authority, with its lots: the tender gets its 7-digit
 * number and every lot its CIG, all in one transaction.
 */
export async function createTender(
  deps: Deps,
  input: CreateTenderInput,
  actor: Actor,
  /** A tender number reserved earlier (SIMOG's inserisciGara answers it before the first lot). */
  options: { tenderNumber?: number } = {},
): Promise<{ tender: Tender; lots: Lot[] }> {
  const rup = requireRole(actor, 'rup');
  const caId = rup.contractingAuthorityId as string;
  const now = deps.clock.now();
  const object = checkObject(input.object, 'object');
  if (!sectors.includes(input.sector))
    throw invalidField('sector', `sector must be one of ${sectors.join(', ')}`);
  if (!contractObjects.includes(input.contractObject)) {
    throw invalidField('contractObject', `contractObject must be one of ${contractObjects.join(', ')}`);
  }
  if (!(await deps.store.reference.procedureTypeExists(input.procedureType))) {
    throw invalidField(
      'procedureType',
      `procedureType "${input.procedureType}" is not in the sceltaContraente list`,
    );
  }
  if (input.lots.length === 0) throw invalidField('lots', 'a tender needs at least one lot');
  if (input.lots.length > MAX_LOTS_PER_REQUEST) {
    throw invalidField(
      'lots',
      `at most ${MAX_LOTS_PER_REQUEST} lots per request; add more with POST .../lots`,
    );
  }
  const checked: CheckedLot[] = [];
  for (const [index, lot] of input.lots.entries()) {
    checked.push(await checkLot(deps.store.reference, lot, now, `lots[${index}].`));
  }
  const authority = await deps.store.authorities.findContractingAuthority(caId);
  if (!authority || !authority.active) {
    throw new DomainError('forbidden', 'your contracting authority is not active in the registry');
  }
  let costCentreId: string | null = null;
  if (input.costCentre !== undefined) {
    const centre = authority.costCentres.find((c) => c.code === input.costCentre && c.active);
    if (!centre) {
      throw invalidField(
        'costCentre',
        `costCentre "${input.costCentre}" is not an active cost centre of ${authority.name}`,
      );
    }
    costCentreId = centre.id;
  }

  return deps.store.transaction(async (store) => {
    const tenderNumber = options.tenderNumber ?? (await store.codes.nextTenderNumber());
    const tenderId = deps.ids.uuid();
    await store.tenders.insert({
      id: tenderId,
      tenderNumber,
      contractingAuthorityId: caId,
      costCentreId,
      rupUserId: rup.userId,
      object,
      procedureTypeCode: input.procedureType,
      sector: input.sector,
      contractObject: input.contractObject,
      createdAt: now,
    });
    const lots: Lot[] = [];
    for (const lot of checked) {
      const issued = await insertLot({ ...deps, store }, tenderNumber, lot, rup);
      if (!issued) throw new Error(`tender ${tenderNumber} not active right after creation`);
      lots.push(issued);
    }
    const tender = await store.tenders.findByNumber(tenderNumber);
    if (!tender) throw new Error(`tender ${tenderNumber} not found right after creation`);
    await store.audit.append([
      audit(
        actor,
        now,
        'tender.created',
        { type: 'tender', id: String(tenderNumber) },
        null,
        presentTenderAudit(tender),
      ),
    ]);
    return { tender, lots };
  });
}

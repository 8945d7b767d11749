import {
  covers,
  provisionalReference,
  regularisationDeadline,
} from '../../domain/continuity/continuity-rules.js';
import { romeDateOf } from '../../domain/shared/dates.js';
import { DomainError, invalidField, notFound } from '../../domain/shared/errors.js';
import {
  checkStartDates,
  contractObjects,
  sectors,
  type ContractObject,
  type Sector,
} from '../../domain/tenders/tender-rules.js';
import { audit, requireRole, type Actor, type ServiceDeps } from '../context.js';
import type { Store } from '../ports.js';
import { checkLot, checkObject, type CheckedLot, type LotInput } from '../tenders/lot-input.js';
import type { IncidentRecord, ProvisionalProcedure } from './ports.js';

type Deps = Pick<ServiceDeps, 'store' | 'clock' | 'ids' | 'cigOrdinals'>;

/** The incident that makes a service unavailable right now, if any (the most severe, then the oldest). */
async function openIncidentOn(store: Store, service: string, now: Date): Promise<IncidentRecord | undefined> {
  const incidents = await store.incidents.incidentsTouching([service], now, new Date(now.getTime() + 1));
  return incidents.find((i) => covers({ start: i.startedAt, end: i.resolvedAt }, now));
}

export interface UrgentProcedureInput {
  object: string;
  procedureType: string;
  sector: Sector;
  contractObject: ContractObject;
  /** Code of the motivoUrgenza list. */
  urgencyReason: string;
  /** Why the procedure cannot wait (Italian text, printed in the regularisation record). */
  motivation: string;
  /** Per lot, the date the procedure type requires (`startDateFieldOf`): publication or invitation. */
  lots: (LotInput & {
    publicationDate?: string | undefined;
    invitationDate?: string | undefined;
    bidDeadline: Date;
  })[];
}

/**
 * During an outage of CIG issuance, a RUP registers an urgent procedure and gets a provisional
 * reference (PROV-YYYY-NNNNNN, clearly not a CIG) to print beside "CIG in fase di acquisizione".
 */
export async function registerUrgentProcedure(
  deps: Deps,
  input: UrgentProcedureInput,
  actor: Actor,
): Promise<ProvisionalProcedure> {
  const rup = requireRole(actor, 'rup');
  const now = deps.clock.now();
  const object = checkObject(input.object, 'object');
  if (!sectors.includes(input.sector))
    throw invalidField('sector', `sector must be one of ${sectors.join(', ')}`);
  if (!contractObjects.includes(input.contractObject))
    throw invalidField('contractObject', `contractObject must be one of ${contractObjects.join(', ')}`);
  if (!(await deps.store.reference.procedureTypeExists(input.procedureType))) {
    throw invalidField(
      'procedureType',
      `procedureType "${input.procedureType}" is not in the sceltaContraente list`,
    );
  }
  const reasons = await deps.store.reference.urgencyReasons();
  const reason = reasons.find((r) => r.code === input.urgencyReason);
  const today = romeDateOf(now);
  if (!reason || (reason.validTo !== null && reason.validTo < today)) {
    throw invalidField(
      'urgencyReason',
      `urgencyReason "${input.urgencyReason}" is not a reason of the motivoUrgenza list in force`,
    );
  }
  const motivation = input.motivation.trim();
  if (motivation.length < 10)
    throw invalidField(
      'motivation',
      'motivation must explain in at least 10 characters why the procedure cannot wait',
    );
  if (input.lots.length === 0) throw invalidField('lots', 'a procedure needs at least one lot');
  if (input.lots.length > 200) throw invalidField('lots', 'at most 200 lots');
  type StartedLot = CheckedLot & {
    publicationDate: string | null;
    invitationDate: string | null;
    bidDeadline: Date;
  };
  const lots: StartedLot[] = [];
  for (const [index, lot] of input.lots.entries()) {
    const prefix = `lots[${index}].`;
    const checked = await checkLot(deps.store.reference, lot, now, prefix);
    // The documents are published (or the letters sent) before the CIG exists: that is the point here.
    // Which date is required is the procedure type's rule, the same as on perfezionamento.
    const { field, date } = checkStartDates(lot, input.procedureType, prefix);
    lots.push({
      ...checked,
      publicationDate: field === 'publicationDate' ? date : null,
      invitationDate: field === 'invitationDate' ? date : null,
      bidDeadline: lot.bidDeadline,
    });
  }
  return deps.store.transaction(async (store) => {
    const incident = await openIncidentOn(store, 'cig_issuance', now);
    if (!incident) {
      throw new DomainError(
        'invalid_state',
        'CIG issuance is working: request the CIG now instead of a provisional reference',
        {
          reason: 'cig_issuance_available',
        },
      );
    }
    const authority = await store.authorities.findContractingAuthority(rup.contractingAuthorityId ?? '');
    if (!authority) throw notFound('contracting authority');
    const id = deps.ids.uuid();
    const reference = provisionalReference(
      Number(today.slice(0, 4)),
      await store.provisionalProcedures.nextProvisionalSequence(),
    );
    await store.provisionalProcedures.insertProvisional(
      {
        id,
        reference,
        contractingAuthorityId: authority.id,
        rupUserId: rup.userId,
        object,
        procedureTypeCode: input.procedureType,
        sector: input.sector,
        contractObject: input.contractObject,
        urgencyReasonCode: input.urgencyReason,
        motivation,
        incidentId: incident.id,
        registeredAt: now,
        regularisationDeadline: regularisationDeadline(today),
      },
      lots.map((l, i) => ({ id: deps.ids.uuid(), lotNumber: i + 1, ...l })),
    );
    const procedure = await store.provisionalProcedures.findProvisional(reference);
    if (!procedure) throw new Error('provisional procedure vanished');
    await store.audit.append([
      audit(
        actor,
        now,
        'provisional_procedure.registered',
        { type: 'provisional_procedure', id: reference },
        null,
        procedure,
      ),
    ]);
    return procedure;
  });
}

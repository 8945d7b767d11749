import { dateWithinWindows } from '../../domain/continuity/continuity-rules.js';
import { notFound } from '../../domain/shared/errors.js';
import { checkPerfection } from '../../domain/tenders/tender-rules.js';
import { audit, requireRole, systemActor, type Actor, type ServiceDeps, type UserActor } from '../context.js';
import type { Lot, Store } from '../ports.js';
import { insertLot } from '../tenders/issue-lot.js';
import type { IncidentRecord, ProvisionalProcedure } from './ports.js';

type Deps = Pick<ServiceDeps, 'store' | 'clock' | 'ids' | 'cigOrdinals'>;

export interface RegularisationRecord {
  reference: string;
  tenderNumber: number;
  regularisedAt: Date;
  incident: { code: string; title: string; startedAt: Date; resolvedAt: Date | null };
  lots: {
    lotNumber: number;
    cig: string;
    publicationDate: string | null;
    invitationDate: string | null;
    bidDeadline: Date;
    acquiredAt: Date;
    publicationInsideOutage: boolean;
  }[];
}

/**
 * When CIG issuance works, binds real CIGs to the provisional lots and records their publication data
 * with the original dates — accepted because they fall inside a recorded outage window. One
 * transaction: a retry either finds it done or does it all. Runs as the RUP, or as the system job on
 * the RUP's behalf.
 */
export async function regulariseProcedure(
  deps: Deps,
  input: { reference: string },
  actor: Actor,
): Promise<{ procedure: ProvisionalProcedure; record: RegularisationRecord; alreadyDone: boolean }> {
  if (actor.kind === 'user') requireRole(actor, 'rup');
  const now = deps.clock.now();
  return deps.store.transaction(async (store) => {
    const procedure = await store.provisionalProcedures.lockProvisional(input.reference.toUpperCase());
    if (
      !procedure ||
      (actor.kind === 'user' && actor.contractingAuthorityId !== procedure.contractingAuthorityId)
    ) {
      throw notFound(`provisional reference ${input.reference}`);
    }
    const windows = (
      await store.incidents.incidentsTouching(['cig_issuance'], new Date(0), new Date(now.getTime() + 1))
    ).map((i) => ({
      start: i.startedAt,
      end: i.resolvedAt,
    }));
    const incident = await store.incidents.findIncident(procedure.incidentId);
    if (!incident) throw notFound('incident');
    if (procedure.state === 'regularised') {
      // Regularised by a concurrent call while this one waited for the lock: the locked row was read
      // again at commit, not its tender (joined); read the procedure back whole, as the winner left it.
      const done = (await store.provisionalProcedures.findProvisional(procedure.reference)) ?? procedure;
      return { procedure: done, record: await recordOf(store, done, incident, windows), alreadyDone: true };
    }
    // A declared outage records the window; it does not stop what works. Regularisation issues the
    // CIGs in this transaction: if issuance really fails, so does the transaction, and nothing is kept.
    const rupUser = await store.users.findUser(procedure.rupUserId);
    if (!rupUser) throw notFound('RUP');
    const rup: UserActor = {
      kind: 'user',
      userId: rupUser.id,
      name: rupUser.name,
      role: 'rup',
      contractingAuthorityId: procedure.contractingAuthorityId,
      economicOperatorId: null,
      regionalSectionCode: null,
      requestId: actor.kind === 'user' ? actor.requestId : undefined,
    };
    const tenderNumber = await store.codes.nextTenderNumber();
    const tenderId = deps.ids.uuid();
    await store.tenders.insert({
      id: tenderId,
      tenderNumber,
      contractingAuthorityId: procedure.contractingAuthorityId,
      costCentreId: null,
      rupUserId: procedure.rupUserId,
      object: procedure.object,
      procedureTypeCode: procedure.procedureTypeCode,
      sector: procedure.sector,
      contractObject: procedure.contractObject,
      createdAt: now,
    });
    const txDeps = { ...deps, store };
    const issued: Lot[] = [];
    for (const pl of procedure.lots) {
      const lot = await insertLot(
        txDeps,
        tenderNumber,
        {
          object: pl.object,
          amountCents: pl.amountCents,
          cpvCode: pl.cpvCode,
          istatPlaceCode: pl.istatPlaceCode,
        },
        rup,
      );
      if (!lot) throw new Error(`tender ${tenderNumber} not active during regularisation`);
      const startDate = pl.invitationDate ?? pl.publicationDate ?? '';
      const insideOutage = dateWithinWindows(startDate, windows);
      // The procedure's own type decides the date it needs, as on perfezionamento.
      checkPerfection(
        {
          publicationDate: pl.publicationDate,
          invitationDate: pl.invitationDate,
          bidDeadline: pl.bidDeadline,
        },
        {
          procedureType: procedure.procedureTypeCode,
          acquiredAt: now,
          now,
          publicationBeforeAcquisitionAllowed: insideOutage,
        },
      );
      const perfection = {
        publicationDate: pl.publicationDate,
        invitationDate: pl.invitationDate,
        bidDeadline: pl.bidDeadline,
        perfectedAt: now,
        perfectedBy: procedure.rupUserId,
      };
      await store.lots.perfect(lot.id, perfection);
      await store.provisionalProcedures.bindProvisionalLot(pl.id, lot.id);
      issued.push({ ...lot, ...perfection, state: 'perfected' });
    }
    await store.provisionalProcedures.markRegularised(procedure.id, tenderId, now);
    const done = await store.provisionalProcedures.findProvisional(procedure.reference);
    if (!done) throw new Error('provisional procedure vanished');
    const record = await recordOf(store, done, incident, windows);
    await store.audit.append([
      audit(
        actor.kind === 'system' ? systemActor('regularisation') : actor,
        now,
        'provisional_procedure.regularised',
        { type: 'provisional_procedure', id: procedure.reference },
        { state: 'pending' },
        record,
      ),
    ]);
    return { procedure: done, record, alreadyDone: false };
  });
}

async function recordOf(
  store: Store,
  procedure: ProvisionalProcedure,
  incident: IncidentRecord,
  windows: { start: Date; end: Date | null }[],
): Promise<RegularisationRecord> {
  const lots = [];
  for (const pl of procedure.lots) {
    const lot = pl.cig ? await store.lots.findByCig(pl.cig) : undefined;
    if (!lot || !pl.cig) continue;
    lots.push({
      lotNumber: pl.lotNumber,
      cig: pl.cig,
      publicationDate: pl.publicationDate,
      invitationDate: pl.invitationDate,
      bidDeadline: pl.bidDeadline,
      acquiredAt: lot.acquiredAt,
      publicationInsideOutage: dateWithinWindows(pl.invitationDate ?? pl.publicationDate ?? '', windows),
    });
  }
  return {
    reference: procedure.reference,
    tenderNumber: procedure.tenderNumber ?? 0,
    regularisedAt: procedure.regularisedAt ?? new Date(0),
    incident: {
      code: incident.code,
      title: incident.title,
      startedAt: incident.startedAt,
      resolvedAt: incident.resolvedAt,
    },
    lots,
  };
}

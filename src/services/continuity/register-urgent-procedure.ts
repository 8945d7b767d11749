import {
  covers,
  dateWithinWindows,
  overlaps,
  provisionalReference,
  regularisationDeadline,
  reserveDeadline,
} from '../../domain/continuity/continuity-rules.js';
import { addDays, formatDateIt, romeDateOf, startOfRomeDay } from '../../domain/shared/dates.js';
import { DomainError, invalidField, notFound } from '../../domain/shared/errors.js';
import {
  checkPerfection,
  checkStartDates,
  contractObjects,
  sectors,
  type ContractObject,
  type Sector,
} from '../../domain/tenders/tender-rules.js';
import {
  audit,
  canSeeAuthority,
  requireRole,
  systemActor,
  type Actor,
  type ServiceDeps,
  type UserActor,
} from '../context.js';
import type { Lot, Store } from '../ports.js';
import { insertLot } from '../tenders/issue-lot.js';
import { checkLot, checkObject, type CheckedLot, type LotInput } from '../tenders/lot-input.js';
import type { IncidentRecord, ProvisionalProcedure, Reserve } from './ports.js';
import { newMessageId } from '../notices/message-id.js';

type Deps = Pick<ServiceDeps, 'store' | 'clock' | 'ids' | 'cigOrdinals'>;

/** The incident that makes a service unavailable right now, if any (the most severe, then the oldest). */
async function openIncidentOn(store: Store, service: string, now: Date): Promise<IncidentRecord | undefined> {
  const incidents = await store.continuity.incidentsTouching([service], now, new Date(now.getTime() + 1));
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
    const authority = await store.registry.findContractingAuthority(rup.contractingAuthorityId ?? '');
    if (!authority) throw notFound('contracting authority');
    const id = deps.ids.uuid();
    const reference = provisionalReference(
      Number(today.slice(0, 4)),
      await store.continuity.nextProvisionalSequence(),
    );
    await store.continuity.insertProvisional(
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
    const procedure = await store.continuity.findProvisional(reference);
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

export async function getProvisional(
  deps: Pick<ServiceDeps, 'store'>,
  reference: string,
): Promise<ProvisionalProcedure> {
  const found = await deps.store.continuity.findProvisional(reference.toUpperCase());
  if (!found) throw notFound(`provisional reference ${reference}`);
  return found;
}

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
    const procedure = await store.continuity.lockProvisional(input.reference.toUpperCase());
    if (
      !procedure ||
      (actor.kind === 'user' && actor.contractingAuthorityId !== procedure.contractingAuthorityId)
    ) {
      throw notFound(`provisional reference ${input.reference}`);
    }
    const windows = (
      await store.continuity.incidentsTouching(['cig_issuance'], new Date(0), new Date(now.getTime() + 1))
    ).map((i) => ({
      start: i.startedAt,
      end: i.resolvedAt,
    }));
    const incident = await store.continuity.findIncident(procedure.incidentId);
    if (!incident) throw notFound('incident');
    if (procedure.state === 'regularised') {
      // Regularised by a concurrent call while this one waited for the lock: the locked row was read
      // again at commit, not its tender (joined); read the procedure back whole, as the winner left it.
      const done = (await store.continuity.findProvisional(procedure.reference)) ?? procedure;
      return { procedure: done, record: await recordOf(store, done, incident, windows), alreadyDone: true };
    }
    // A declared outage records the window; it does not stop what works. Regularisation issues the
    // CIGs in this transaction: if issuance really fails, so does the transaction, and nothing is kept.
    const rupUser = await store.registry.findUser(procedure.rupUserId);
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
      await store.continuity.bindProvisionalLot(pl.id, lot.id);
      issued.push({ ...lot, ...perfection, state: 'perfected' });
    }
    await store.continuity.markRegularised(procedure.id, tenderId, now);
    const done = await store.continuity.findProvisional(procedure.reference);
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

/** Pending procedures of the RUP's authority (or of a region, or all, for staff), soonest deadline first. */
export async function listProvisional(
  deps: Pick<ServiceDeps, 'store' | 'clock'>,
  filter: {
    state?: 'pending' | 'regularised' | undefined;
    overdue?: boolean | undefined;
    regionalSection?: string | undefined;
  },
  actor: Actor,
): Promise<ProvisionalProcedure[]> {
  const user = requireRole(actor, 'rup', 'regional_staff', 'authority_staff', 'admin');
  const today = romeDateOf(deps.clock.now());
  return deps.store.continuity.listProvisional({
    state: filter.overdue ? 'pending' : filter.state,
    deadlineBefore: filter.overdue ? today : undefined,
    ...(user.role === 'rup' ? { contractingAuthorityId: user.contractingAuthorityId ?? '' } : {}),
    ...(user.role === 'regional_staff'
      ? { regionalSectionCode: user.regionalSectionCode ?? '' }
      : { regionalSectionCode: filter.regionalSection }),
  });
}

/**
 * The regularisation job: every pending procedure, on the RUP's behalf, as soon as CIGs can be issued
 * (the same rule as the RUP's own request: an incident still open does not hold it back).
 */
export async function regularisePending(deps: Deps): Promise<{ regularised: string[]; failed: string[] }> {
  const pending = await deps.store.continuity.listProvisional({ state: 'pending' });
  const regularised: string[] = [];
  const failed: string[] = [];
  for (const p of pending) {
    try {
      const result = await regulariseProcedure(
        deps,
        { reference: p.reference },
        systemActor('regularisation'),
      );
      if (!result.alreadyDone) regularised.push(p.reference);
    } catch {
      failed.push(p.reference);
    }
  }
  return { regularised, failed };
}

/** Reminder data for RUPs: procedures still pending, with days left (negative when overdue). */
export function daysLeft(p: Pick<ProvisionalProcedure, 'regularisationDeadline'>, now: Date): number {
  return Math.round(
    (startOfRomeDay(p.regularisationDeadline).getTime() - startOfRomeDay(romeDateOf(now)).getTime()) /
      86_400_000,
  );
}

// ---- Reserves ---------------------------------------------------------------------------------

/**
 * The RUP records that a bidder was admitted "con riserva" on a lot because paying was impossible
 * during an incident on contribution payments; the reserve is lifted when its receipt arrives.
 */
export async function recordReserve(
  deps: Pick<ServiceDeps, 'store' | 'clock' | 'ids'>,
  input: {
    cig: string;
    fiscalCode: string;
    bidderName: string;
    note?: string | undefined;
    incident?: string | undefined;
  },
  actor: Actor,
): Promise<Reserve> {
  const rup = requireRole(actor, 'rup');
  const now = deps.clock.now();
  const fiscalCode = input.fiscalCode.trim().toUpperCase();
  if (!/^([0-9]{11}|[A-Z0-9]{16})$/.test(fiscalCode))
    throw invalidField('fiscalCode', 'fiscalCode must be 11 digits or 16 characters');
  const bidderName = checkObject(input.bidderName, 'bidderName');
  return deps.store.transaction(async (store) => {
    const lot = await store.lots.findByCig(input.cig.toUpperCase());
    if (!lot || !canSeeAuthority(actor, lot.contractingAuthorityId))
      throw notFound(`lot with CIG ${input.cig}`);
    const position = await store.payments.findForLot(lot.id, fiscalCode);
    if (position?.state === 'paid') {
      throw new DomainError('invalid_state', 'this bidder has paid the contribution: no reserve is needed', {
        reason: 'already_paid',
      });
    }
    const from = lot.publicationDate ? startOfRomeDay(lot.publicationDate) : lot.acquiredAt;
    const candidates = await store.continuity.incidentsTouching(
      ['contribution_payments'],
      from,
      new Date(now.getTime() + 1),
    );
    const incident = input.incident
      ? candidates.find((i) => i.code === input.incident || i.id === input.incident)
      : candidates.at(-1);
    if (!incident) {
      throw new DomainError(
        'rule_violation',
        'no recorded incident on contribution payments since the lot was published: a reserve needs one',
        {
          field: 'incident',
          reason: 'no_payment_outage',
        },
      );
    }
    const existing = (await store.continuity.listReserves({ lotId: lot.id, fiscalCode }))[0];
    if (existing) return existing;
    const base = incident.resolvedAt ? romeDateOf(incident.resolvedAt) : romeDateOf(now);
    await store.continuity.insertReserve({
      id: deps.ids.uuid(),
      lotId: lot.id,
      fiscalCode,
      bidderName,
      incidentId: incident.id,
      note: input.note?.trim() || null,
      deadline: reserveDeadline(base),
      recordedAt: now,
      recordedBy: rup.userId,
    });
    const reserve = (await store.continuity.listReserves({ lotId: lot.id, fiscalCode }))[0];
    if (!reserve) throw new Error('reserve vanished');
    await store.audit.append([
      audit(actor, now, 'reserve.recorded', { type: 'reserve', id: reserve.id }, null, reserve),
    ]);
    return reserve;
  });
}

export async function lotReserves(
  deps: Pick<ServiceDeps, 'store'>,
  cig: string,
  actor: Actor,
): Promise<Reserve[]> {
  const lot = await deps.store.lots.findByCig(cig.toUpperCase());
  if (!lot || !canSeeAuthority(actor, lot.contractingAuthorityId, lot.regionalSectionCode))
    throw notFound(`lot with CIG ${cig}`);
  return deps.store.continuity.listReserves({ lotId: lot.id });
}

/** The job: reserves whose deadline passed after the incident ended are expired (audit-logged). */
export async function expireReserves(
  deps: Pick<ServiceDeps, 'store' | 'clock'>,
): Promise<{ expired: number }> {
  const now = deps.clock.now();
  return deps.store.transaction(async (store) => {
    const expired = await store.continuity.expireReserves(romeDateOf(now), now);
    await store.audit.append(
      expired.map((r) =>
        audit(
          systemActor('expire-reserves'),
          now,
          'reserve.expired',
          { type: 'reserve', id: r.id },
          { state: 'open' },
          r,
        ),
      ),
    );
    return { expired: expired.length };
  });
}

// ---- Procedures touched by an outage ----------------------------------------------------------

export interface AffectedLot {
  cig: string;
  tenderNumber: number;
  object: string;
  publicationDate: string | null;
  bidDeadline: Date;
  reasons: {
    kind: 'bid_deadline_in_outage' | 'payment_window_overlaps_outage';
    incident: string;
    start: Date;
    end: Date | null;
  }[];
}

/**
 * A RUP's procedures whose bid deadline, or whose payment window (publication to bid deadline), fell
 * inside an outage window: candidates for a deadline extension (d.lgs. 36/2023 art. 25 c.2).
 */
export async function outageAffectedLots(
  deps: Pick<ServiceDeps, 'store' | 'clock'>,
  actor: Actor,
): Promise<AffectedLot[]> {
  const rup = requireRole(actor, 'rup');
  const now = deps.clock.now();
  const incidents = await deps.store.continuity.incidentsTouching(
    ['cig_issuance', 'contribution_payments', 'portal', 'publication_data'],
    new Date(now.getTime() - 366 * 86_400_000),
    new Date(now.getTime() + 1),
  );
  if (incidents.length === 0) return [];
  const tenders = await deps.store.tenders.list({
    contractingAuthorityId: rup.contractingAuthorityId ?? '',
    limit: 1000,
    offset: 0,
  });
  const affected: AffectedLot[] = [];
  for (const tender of tenders.items) {
    for (const lot of await deps.store.lots.listByTender(tender.id)) {
      if (!lot.bidDeadline) continue;
      const reasons: AffectedLot['reasons'] = [];
      for (const i of incidents) {
        const window = { start: i.startedAt, end: i.resolvedAt };
        if (covers(window, lot.bidDeadline))
          reasons.push({
            kind: 'bid_deadline_in_outage',
            incident: i.code,
            start: i.startedAt,
            end: i.resolvedAt,
          });
        else if (
          i.services.includes('contribution_payments') &&
          overlaps(
            window,
            lot.publicationDate ? startOfRomeDay(lot.publicationDate) : lot.acquiredAt,
            lot.bidDeadline,
          )
        ) {
          reasons.push({
            kind: 'payment_window_overlaps_outage',
            incident: i.code,
            start: i.startedAt,
            end: i.resolvedAt,
          });
        }
      }
      if (reasons.length > 0) {
        affected.push({
          cig: lot.cig,
          tenderNumber: lot.tenderNumber,
          object: lot.object,
          publicationDate: lot.publicationDate,
          bidDeadline: lot.bidDeadline,
          reasons,
        });
      }
    }
  }
  return affected;
}

/**
 * The reminder job: once a day, each RUP with a procedure to regularise within a week (or overdue)
 * gets a reminder, listed at GET /api/v1/reminders and sent by e-mail through the outbox (in the same
 * transaction: one reminder a day per procedure, one message per reminder).
 */
export async function remindRegularisations(
  deps: Pick<ServiceDeps, 'store' | 'clock' | 'ids'>,
  options: { linkBase?: string } = {},
): Promise<{ reminded: number }> {
  const now = deps.clock.now();
  const today = romeDateOf(now);
  const due = await deps.store.continuity.listProvisional({
    state: 'pending',
    deadlineBefore: addDays(today, 8),
  });
  let reminded = 0;
  for (const p of due) {
    const left = daysLeft(p, now);
    const deadline = formatDateIt(p.regularisationDeadline);
    const message =
      left < 0
        ? `La procedura ${p.reference} ("${p.object}") doveva essere regolarizzata entro il ${deadline}: è scaduta da ${-left} giorni.`
        : `La procedura ${p.reference} ("${p.object}") va regolarizzata entro il ${deadline} (${left === 0 ? 'oggi' : `tra ${left} giorni`}).`;
    const recorded = await deps.store.transaction(async (store) => {
      const id = deps.ids.uuid();
      if (
        !(await store.continuity.insertReminder({
          id,
          userId: p.rupUserId,
          subjectType: 'provisional_procedure',
          subjectId: p.reference,
          day: today,
          message,
          createdAt: now,
        }))
      )
        return false;
      const rup = await store.registry.findUser(p.rupUserId);
      if (rup?.active) {
        await store.notices.insertOutbox(
          [
            {
              id: deps.ids.uuid(),
              kind: 'reminder',
              channel: 'email',
              relayId: null,
              subscriptionId: null,
              eventId: null,
              recipientName: rup.name,
              address: rup.email,
              contractingAuthorityId: p.contractingAuthorityId,
              idempotencyKey: `reminder:${p.reference}:${today}`,
              messageId: newMessageId(`reminder.${id}`),
              subject: `Promemoria: regolarizzazione della procedura ${p.reference}`,
              body: [
                `Gentile ${rup.name},`,
                '',
                message,
                '',
                'La procedura è stata registrata senza CIG durante un disservizio («CIG in fase di acquisizione»).',
                'Regolarizzarla assegna i CIG ai lotti con le date di pubblicazione originali.',
                ...(options.linkBase
                  ? [
                      '',
                      `Apri la procedura: ${options.linkBase}/area-personale/procedure-urgenti/${p.reference}`,
                    ]
                  : []),
              ].join('\n'),
              nextAttemptAt: now,
              createdAt: now,
            },
          ],
          now,
        );
      }
      return true;
    });
    if (recorded) reminded += 1;
  }
  return { reminded };
}

export async function myReminders(deps: Pick<ServiceDeps, 'store'>, actor: Actor) {
  const user = requireRole(actor, 'rup', 'regional_staff', 'authority_staff', 'admin', 'economic_operator');
  return deps.store.continuity.listReminders(user.userId, 100);
}

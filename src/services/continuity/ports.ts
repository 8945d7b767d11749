import type { IncidentImpact, IncidentState } from '../../domain/continuity/status-view.js';

export interface IncidentRecord {
  id: string;
  code: string;
  title: string;
  impact: IncidentImpact;
  state: IncidentState;
  source: 'staff' | 'probe';
  startedAt: Date;
  resolvedAt: Date | null;
  createdAt: Date;
  services: string[];
  updates: { at: Date; state: IncidentState; message: string }[];
}

export interface MaintenanceRecord {
  id: string;
  title: string;
  description: string;
  startsAt: Date;
  endsAt: Date;
  cancelledAt: Date | null;
  services: string[];
}

export interface ServiceRecord {
  code: string;
  name: string;
  description: string;
}

export interface ProvisionalLot {
  id: string;
  lotNumber: number;
  object: string;
  amountCents: number;
  cpvCode: string;
  istatPlaceCode: string;
  /** Exactly one of the two, as the procedure type requires (`startDateFieldOf`). */
  publicationDate: string | null;
  invitationDate: string | null;
  bidDeadline: Date;
  lotId: string | null;
  cig: string | null;
}

export interface ProvisionalProcedure {
  id: string;
  reference: string;
  contractingAuthorityId: string;
  contractingAuthorityName: string;
  regionalSectionCode: string;
  rupUserId: string;
  object: string;
  procedureTypeCode: string;
  sector: 'ordinary' | 'special';
  contractObject: 'works' | 'supplies' | 'services';
  urgencyReasonCode: string;
  motivation: string;
  incidentId: string;
  incidentCode: string;
  state: 'pending' | 'regularised';
  registeredAt: Date;
  regularisationDeadline: string;
  regularisedAt: Date | null;
  tenderId: string | null;
  tenderNumber: number | null;
  lots: ProvisionalLot[];
}

export interface Reserve {
  id: string;
  lotId: string;
  cig: string;
  contractingAuthorityId: string;
  regionalSectionCode: string;
  fiscalCode: string;
  bidderName: string;
  incidentId: string;
  incidentCode: string;
  note: string | null;
  state: 'open' | 'lifted' | 'expired';
  deadline: string;
  recordedAt: Date;
  liftedAt: Date | null;
  liftedByReceipt: string | null;
  expiredAt: Date | null;
}

export interface Reminder {
  id: string;
  subjectType: string;
  subjectId: string;
  day: string;
  message: string;
  createdAt: Date;
}

/**
 * What `store.continuity` offers: one interface per aggregate (the database adapter implements them all
 * in one object). A use case names the slices it uses.
 */
export type ContinuityRepository = ReminderRepository &
  IncidentRepository &
  MaintenanceRepository &
  ProvisionalProcedureRepository &
  ReserveRepository;

export interface ReminderRepository {
  /** Records a reminder unless one exists for the same subject and day; true when recorded. */
  insertReminder(r: Reminder & { userId: string }): Promise<boolean>;
  listReminders(userId: string, limit: number): Promise<Reminder[]>;
}

/** The monitored services and their incidents (outage windows with their timeline). */
export interface IncidentRepository {
  services(): Promise<ServiceRecord[]>;
  nextIncidentSequence(): Promise<number>;
  insertIncident(
    incident: Omit<IncidentRecord, 'updates' | 'resolvedAt'> & { createdBy: string | null },
    firstUpdate: { id: string; message: string },
  ): Promise<void>;
  findIncident(idOrCode: string): Promise<IncidentRecord | undefined>;
  lockIncident(idOrCode: string): Promise<IncidentRecord | undefined>;
  updateIncident(
    id: string,
    changes: {
      state: IncidentState;
      impact?: IncidentImpact;
      title?: string;
      resolvedAt?: Date | null;
      services?: string[];
    },
  ): Promise<void>;
  addIncidentUpdate(update: {
    id: string;
    incidentId: string;
    state: IncidentState;
    message: string;
    at: Date;
    createdBy: string | null;
  }): Promise<void>;
  /** Incidents open now or active since `since` (resolved after it), with services and updates. */
  listIncidents(filter: { since: Date }): Promise<IncidentRecord[]>;
  /** Every incident that touched a service between two instants. */
  incidentsTouching(services: readonly string[], from: Date, to: Date): Promise<IncidentRecord[]>;
}

export interface MaintenanceRepository {
  insertMaintenance(m: MaintenanceRecord & { createdAt: Date; createdBy: string | null }): Promise<void>;
  cancelMaintenance(id: string, at: Date): Promise<boolean>;
  /** Not cancelled and ending after `since`, plus cancelled ones of the same period. */
  listMaintenances(filter: { since: Date }): Promise<MaintenanceRecord[]>;
}

/** Urgent procedures registered during an outage with a provisional reference, and their lots. */
export interface ProvisionalProcedureRepository {
  nextProvisionalSequence(): Promise<number>;
  insertProvisional(
    procedure: Omit<
      ProvisionalProcedure,
      | 'lots'
      | 'contractingAuthorityName'
      | 'regionalSectionCode'
      | 'incidentCode'
      | 'tenderNumber'
      | 'state'
      | 'regularisedAt'
      | 'tenderId'
    >,
    lots: Omit<ProvisionalLot, 'lotId' | 'cig'>[],
  ): Promise<void>;
  findProvisional(reference: string): Promise<ProvisionalProcedure | undefined>;
  lockProvisional(reference: string): Promise<ProvisionalProcedure | undefined>;
  bindProvisionalLot(provisionalLotId: string, lotId: string): Promise<void>;
  markRegularised(id: string, tenderId: string, at: Date): Promise<void>;
  listProvisional(filter: {
    contractingAuthorityId?: string | undefined;
    regionalSectionCode?: string | undefined;
    state?: 'pending' | 'regularised' | undefined;
    deadlineBefore?: string | undefined;
  }): Promise<ProvisionalProcedure[]>;
}

/** Bidders admitted "con riserva" because paying was impossible during an incident. */
export interface ReserveRepository {
  insertReserve(
    r: Omit<
      Reserve,
      | 'cig'
      | 'contractingAuthorityId'
      | 'regionalSectionCode'
      | 'incidentCode'
      | 'state'
      | 'liftedAt'
      | 'liftedByReceipt'
      | 'expiredAt'
    > & { recordedBy: string },
  ): Promise<void>;
  listReserves(filter: {
    lotId?: string | undefined;
    contractingAuthorityId?: string | undefined;
    fiscalCode?: string | undefined;
  }): Promise<Reserve[]>;
  /** Sets the deadline of the open reserves due to an incident (called when it is resolved). */
  setReserveDeadlines(incidentId: string, deadline: string): Promise<void>;
  /** Lifts the open reserve of a bidder on a lot; false when there was none. */
  liftReserve(lotId: string, fiscalCode: string, receiptId: string, at: Date): Promise<boolean>;
  /** Expires open reserves whose deadline is before `today`; returns them. */
  expireReserves(today: string, at: Date): Promise<Reserve[]>;
}

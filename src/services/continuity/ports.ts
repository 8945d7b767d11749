import type { IncidentImpact, IncidentState } from '../../domain/continuity/status-view.js';
import type { IncidentRecord, ServiceRecord } from '../../domain/continuity/incident.js';
import type { MaintenanceRecord } from '../../domain/continuity/maintenance.js';
import type { ProvisionalLot, ProvisionalProcedure } from '../../domain/continuity/provisional-procedure.js';
import type { Reserve } from '../../domain/continuity/reserve.js';
import type { Reminder } from '../../domain/continuity/reminder.js';

// The domain's nouns live in src/domain; re-exported here for the code that imports them from here.
export type { IncidentRecord, ServiceRecord } from '../../domain/continuity/incident.js';
export type { MaintenanceRecord } from '../../domain/continuity/maintenance.js';
export type { ProvisionalLot, ProvisionalProcedure } from '../../domain/continuity/provisional-procedure.js';
export type { Reserve } from '../../domain/continuity/reserve.js';
export type { Reminder } from '../../domain/continuity/reminder.js';

/**
 * Every continuity slice together (the type of `store.continuity`). The Store offers each aggregate on
 * its own (`incidents`, `maintenances`, `provisionalProcedures`, `reserves`, `reminders`; the database
 * adapter implements them all in one object); a use case names the slices it uses.
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
  findMaintenance(id: string): Promise<MaintenanceRecord | undefined>;
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

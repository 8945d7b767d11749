import { addDays, romeDateOf, startOfRomeDay, type IsoDate } from '../shared/dates.js';
import { DomainError, invalidField } from '../shared/errors.js';
import { AUTHORITY_SEAT_PLACE, deadlineAfter } from '../shared/italian-holidays.js';
import type { IncidentImpact, IncidentState, MaintenanceState, ServiceState } from './status-view.js';
import { serviceStateSeverity } from './status-view.js';

/** The services whose status is tracked (codes of the `services` table). */
export const serviceCodes = [
  'cig_issuance',
  'smart_cig',
  'contribution_payments',
  'publication_data',
  'notices',
  'portal',
] as const;
export type ServiceCode = (typeof serviceCodes)[number];

/** An outage window as recorded: open while `end` is null. */
export interface Window {
  start: Date;
  end: Date | null;
}

export interface IncidentFacts extends Window {
  code: string;
  impact: IncidentImpact;
  services: readonly string[];
}

export interface MaintenanceFacts {
  startsAt: Date;
  endsAt: Date;
  cancelledAt: Date | null;
  services: readonly string[];
}

export const overlaps = (w: Window, from: Date, to: Date): boolean =>
  w.start < to && (w.end === null || w.end > from);
export const covers = (w: Window, at: Date): boolean => w.start <= at && (w.end === null || w.end > at);

/** Maintenance starts and ends on time by itself: its state is a function of the clock. */
export function maintenanceState(
  m: Pick<MaintenanceFacts, 'startsAt' | 'endsAt' | 'cancelledAt'>,
  now: Date,
): MaintenanceState {
  if (m.cancelledAt) return 'cancelled';
  if (now < m.startsAt) return 'scheduled';
  if (now < m.endsAt) return 'in_progress';
  return 'completed';
}

const worst = (states: ServiceState[]): ServiceState =>
  states.reduce<ServiceState>(
    (a, b) => (serviceStateSeverity[b] > serviceStateSeverity[a] ? b : a),
    'operational',
  );

/** A service's state over [from, to): the worst incident impact or maintenance touching it. */
export function serviceStateBetween(
  service: string,
  incidents: readonly IncidentFacts[],
  maintenances: readonly MaintenanceFacts[],
  from: Date,
  to: Date,
): { state: ServiceState; incidents: string[] } {
  const touching = incidents.filter((i) => i.services.includes(service) && overlaps(i, from, to));
  const inMaintenance = maintenances.some(
    (m) =>
      !m.cancelledAt &&
      m.services.includes(service) &&
      overlaps({ start: m.startsAt, end: m.endsAt }, from, to),
  );
  return {
    state: worst([
      ...touching.map((i) => i.impact as ServiceState),
      ...(inMaintenance ? ['maintenance' as const] : []),
    ]),
    incidents: touching.map((i) => i.code),
  };
}

export function serviceStateAt(
  service: string,
  incidents: readonly IncidentFacts[],
  maintenances: readonly MaintenanceFacts[],
  at: Date,
) {
  return serviceStateBetween(service, incidents, maintenances, at, new Date(at.getTime() + 1));
}

/** The last `days` Rome calendar days up to today, oldest first, each with its worst state. */
export function dailyHistory(
  service: string,
  incidents: readonly IncidentFacts[],
  maintenances: readonly MaintenanceFacts[],
  now: Date,
  days = 90,
): { date: IsoDate; state: ServiceState; incidents: string[] }[] {
  const today = romeDateOf(now);
  const out = [];
  for (let back = days - 1; back >= 0; back--) {
    const date = addDays(today, -back);
    const from = startOfRomeDay(date);
    const to = back === 0 ? now : startOfRomeDay(addDays(date, 1));
    out.push({ date, ...serviceStateBetween(service, incidents, maintenances, from, to) });
  }
  return out;
}

export function checkServices(codes: readonly string[], field = 'services'): string[] {
  const unique = [...new Set(codes)];
  if (unique.length === 0) throw invalidField(field, `${field}: name at least one service`);
  const unknown = unique.filter((c) => !(serviceCodes as readonly string[]).includes(c));
  if (unknown.length > 0)
    throw invalidField(
      field,
      `${field}: unknown service ${unknown.join(', ')} (known: ${serviceCodes.join(', ')})`,
    );
  return unique;
}

export function checkIncidentTransition(from: IncidentState, to: IncidentState): void {
  if (from === 'resolved') {
    throw new DomainError(
      'invalid_state',
      'a resolved incident is a recorded outage window and cannot change',
      { reason: 'incident_resolved' },
    );
  }
  void to;
}

/** Dated rules of the contingency procedures (choices documented in the README). */
export const contingencyRules = {
  /** Days the RUP has to regularise a procedure registered with a provisional reference. */
  regularisationDays: 30,
  /** Days after the end of the incident within which a bidder admitted with reserve must pay. */
  reserveDaysAfterRestoration: 10,
} as const;

/**
 * The day by which a provisional procedure registered on `registeredOn` must be regularised: 30 days,
 * moved to the next working day (Sunday, holiday at the Authority's seat, Rome) — the act is addressed
 * to the Authority.
 */
export function regularisationDeadline(registeredOn: IsoDate): IsoDate {
  return deadlineAfter(registeredOn, contingencyRules.regularisationDays, AUTHORITY_SEAT_PLACE);
}

/**
 * The day by which a bidder admitted with reserve must pay the contribution (to the Authority, through
 * pagoPA): 10 days after the restoration, moved to the next working day like every such deadline.
 */
export function reserveDeadline(restoredOn: IsoDate): IsoDate {
  return deadlineAfter(restoredOn, contingencyRules.reserveDaysAfterRestoration, AUTHORITY_SEAT_PLACE);
}

export function provisionalReference(year: number, sequence: number): string {
  return `PROV-${year}-${String(sequence).padStart(6, '0')}`;
}

export const PROVISIONAL_REFERENCE_PATTERN = '^PROV-[0-9]{4}-[0-9]{6}$';

/** Was the date (Rome calendar) inside one of these windows? Publication data are then accepted late. */
export function dateWithinWindows(date: IsoDate, windows: readonly Window[]): boolean {
  const from = startOfRomeDay(date);
  const to = startOfRomeDay(addDays(date, 1));
  return windows.some((w) => overlaps(w, from, to));
}

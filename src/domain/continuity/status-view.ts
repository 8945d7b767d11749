/**
 * The public view of the services' status: what the status page, the status API, the AgID-style
 * /status and the Atom feed are rendered from. Plain data (ISO strings), so that it can be kept in
 * memory and in a snapshot on disk and served while the database is down.
 */
export type ServiceState = 'operational' | 'degraded' | 'partial_outage' | 'major_outage' | 'maintenance';
export type IncidentImpact = 'degraded' | 'partial_outage' | 'major_outage';
export type IncidentState = 'investigating' | 'identified' | 'monitoring' | 'resolved';
export type MaintenanceState = 'scheduled' | 'in_progress' | 'completed' | 'cancelled';

export const serviceStateLabels: Record<ServiceState, string> = {
  operational: 'Operativo',
  degraded: 'Prestazioni ridotte',
  partial_outage: 'Interruzione parziale',
  major_outage: 'Interruzione totale',
  maintenance: 'In manutenzione',
};

export const incidentStateLabels: Record<IncidentState, string> = {
  investigating: 'In analisi',
  identified: 'Causa individuata',
  monitoring: 'In osservazione',
  resolved: 'Risolto',
};

export const maintenanceStateLabels: Record<MaintenanceState, string> = {
  scheduled: 'Programmata',
  in_progress: 'In corso',
  completed: 'Completata',
  cancelled: 'Annullata',
};

/** Worst first: the state a service shows when several things affect it. */
export const serviceStateSeverity: Record<ServiceState, number> = {
  major_outage: 4,
  partial_outage: 3,
  degraded: 2,
  maintenance: 1,
  operational: 0,
};

export interface IncidentUpdateView {
  at: string;
  state: IncidentState;
  message: string;
}

export interface IncidentView {
  id: string;
  /** Human reference, e.g. INC-2021-0003 */
  code: string;
  title: string;
  impact: IncidentImpact;
  state: IncidentState;
  /** Service codes affected. */
  services: string[];
  startedAt: string;
  resolvedAt: string | null;
  /** Opened by staff or by the automatic probes. */
  source: 'staff' | 'probe';
  /** Oldest first. */
  updates: IncidentUpdateView[];
}

export interface MaintenanceView {
  id: string;
  title: string;
  description: string;
  services: string[];
  startsAt: string;
  endsAt: string;
  state: MaintenanceState;
}

export interface DayStatus {
  /** YYYY-MM-DD, Europe/Rome */
  date: string;
  /** The worst state of the day. */
  state: ServiceState;
  /** Codes of the incidents that touched the day. */
  incidents: string[];
}

export interface ServiceStatusView {
  code: string;
  name: string;
  description: string;
  state: ServiceState;
  /** The last 90 days, oldest first; today last. */
  history: DayStatus[];
}

export interface StatusView {
  generatedAt: string;
  /** The worst state among the services. */
  overall: ServiceState;
  database: 'reachable' | 'unreachable';
  /** True when served from memory or the snapshot on disk because the database does not answer. */
  stale: boolean;
  services: ServiceStatusView[];
  /** Open incidents first, then those resolved in the last 7 days; newest first within each group. */
  incidents: IncidentView[];
  /** In progress and upcoming. */
  maintenances: MaintenanceView[];
}

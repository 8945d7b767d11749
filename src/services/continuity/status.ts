import {
  dailyHistory,
  maintenanceState,
  serviceStateAt,
  type IncidentFacts,
  type MaintenanceFacts,
} from '../../domain/continuity/continuity-rules.js';
import {
  serviceStateSeverity,
  type IncidentView,
  type ServiceState,
  type StatusView,
} from '../../domain/continuity/status-view.js';
import type { ServiceDeps } from '../context.js';
import type { IncidentRecord, MaintenanceRecord, ServiceRecord } from './ports.js';

const DAY = 86_400_000;

export const incidentFacts = (i: IncidentRecord): IncidentFacts => ({
  code: i.code,
  impact: i.impact,
  services: i.services,
  start: i.startedAt,
  end: i.resolvedAt,
});

const maintenanceFacts = (m: MaintenanceRecord): MaintenanceFacts => ({
  startsAt: m.startsAt,
  endsAt: m.endsAt,
  cancelledAt: m.cancelledAt,
  services: m.services,
});

export const presentIncident = (i: IncidentRecord): IncidentView => ({
  id: i.id,
  code: i.code,
  title: i.title,
  impact: i.impact,
  state: i.state,
  services: i.services,
  startedAt: i.startedAt.toISOString(),
  resolvedAt: i.resolvedAt?.toISOString() ?? null,
  source: i.source,
  updates: i.updates.map((u) => ({ at: u.at.toISOString(), state: u.state, message: u.message })),
});

/** Builds the status view from recorded incidents and maintenance (plus not-yet-recorded ones). */
export function composeStatusView(input: {
  now: Date;
  services: ServiceRecord[];
  incidents: IncidentRecord[];
  maintenances: MaintenanceRecord[];
  databaseUp: boolean;
  stale: boolean;
}): StatusView {
  const { now } = input;
  const facts = input.incidents.map(incidentFacts);
  const mFacts = input.maintenances.map(maintenanceFacts);
  const services = input.services.map((s) => ({
    code: s.code,
    name: s.name,
    description: s.description,
    state: serviceStateAt(s.code, facts, mFacts, now).state,
    history: dailyHistory(s.code, facts, mFacts, now, 90),
  }));
  const overall = services.reduce<ServiceState>(
    (a, s) => (serviceStateSeverity[s.state] > serviceStateSeverity[a] ? s.state : a),
    'operational',
  );
  const open = input.incidents
    .filter((i) => i.resolvedAt === null)
    .sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime());
  const recent = input.incidents
    .filter((i) => i.resolvedAt !== null && now.getTime() - i.resolvedAt.getTime() <= 7 * DAY)
    .sort((a, b) => (b.resolvedAt as Date).getTime() - (a.resolvedAt as Date).getTime());
  return {
    generatedAt: now.toISOString(),
    overall,
    database: input.databaseUp ? 'reachable' : 'unreachable',
    stale: input.stale,
    services,
    incidents: [...open, ...recent].map(presentIncident),
    maintenances: input.maintenances
      .map((m) => ({
        id: m.id,
        title: m.title,
        description: m.description,
        services: m.services,
        startsAt: m.startsAt.toISOString(),
        endsAt: m.endsAt.toISOString(),
        state: maintenanceState(m, now),
      }))
      .filter((m) => m.state === 'scheduled' || m.state === 'in_progress'),
  };
}

/** Reads what the view needs: services, the incidents of the last 90 days, current maintenance. */
export async function loadStatusFacts(deps: Pick<ServiceDeps, 'store' | 'clock'>) {
  const now = deps.clock.now();
  const since = new Date(now.getTime() - 91 * DAY);
  const [services, incidents, maintenances] = await Promise.all([
    deps.store.continuity.services(),
    deps.store.continuity.listIncidents({ since }),
    deps.store.continuity.listMaintenances({ since }),
  ]);
  return { now, services, incidents, maintenances };
}

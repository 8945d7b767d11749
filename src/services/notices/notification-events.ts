import { serviceStateLabels, incidentStateLabels } from '../../domain/continuity/status-view.js';
import type { IncidentRecord, MaintenanceRecord } from '../continuity/ports.js';

export function incidentEvent(incident: IncidentRecord) {
  const last = incident.updates.at(-1);
  // One event per timeline entry that changed something (the caller decides); the key makes a replay harmless.
  const key = `incident:${incident.code}:${incident.updates.length}`;
  const label =
    incident.state === 'investigating' && incident.updates.length <= 1
      ? 'Nuovo incidente'
      : incidentStateLabels[incident.state];
  return {
    key,
    kind:
      incident.updates.length <= 1
        ? 'incident.opened'
        : incident.state === 'resolved'
          ? 'incident.resolved'
          : 'incident.changed',
    services: incident.services,
    subject: `[${label}] ${incident.code} - ${incident.title}`,
    text: [
      `${incident.code} - ${incident.title}`,
      `Stato: ${incidentStateLabels[incident.state]}; impatto: ${serviceStateLabels[incident.impact]}`,
      `Servizi: ${incident.services.join(', ')}`,
      last ? `\n${last.message}` : '',
    ].join('\n'),
    // Deliveries run in parallel and may arrive out of order: `sequence` orders an incident's events.
    payload: {
      sequence: incident.updates.length,
      incident: {
        code: incident.code,
        title: incident.title,
        state: incident.state,
        impact: incident.impact,
        services: incident.services,
        startedAt: incident.startedAt,
        resolvedAt: incident.resolvedAt,
      },
    },
  };
}

export function maintenanceEvent(m: MaintenanceRecord, phase: 'started' | 'ended') {
  return {
    key: `maintenance:${m.id}:${phase}`,
    kind: `maintenance.${phase}`,
    services: m.services,
    subject: `[Manutenzione ${phase === 'started' ? 'iniziata' : 'terminata'}] ${m.title}`,
    text: `${m.title}\n${m.description}\nServizi: ${m.services.join(', ')}`,
    payload: {
      maintenance: {
        id: m.id,
        title: m.title,
        services: m.services,
        startsAt: m.startsAt,
        endsAt: m.endsAt,
        phase,
      },
    },
  };
}

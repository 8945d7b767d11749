import type { IncidentImpact, IncidentState } from './status-view.js';

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

export interface ServiceRecord {
  code: string;
  name: string;
  description: string;
}

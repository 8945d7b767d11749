export type NoticeKind = 'outage' | 'maintenance' | 'restoration' | 'information';

export interface Notice {
  id: string;
  title: string;
  noticeDate: string;
  body: string;
  kind: NoticeKind;
  incidentId: string | null;
  /** The maintenance it announces, if any (never together with an incident). */
  maintenanceId: string | null;
  sourceUrl: string | null;
  state: 'draft' | 'published';
  restorationOf: string | null;
  services: string[];
  createdAt: Date;
  publishedAt: Date | null;
}

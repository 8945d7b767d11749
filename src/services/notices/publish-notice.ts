import { checkServices } from '../../domain/continuity/continuity-rules.js';
import { isValidIsoDate } from '../../domain/shared/dates.js';
import { invalidField } from '../../domain/shared/errors.js';
import { audit, requireRole, type ServiceDeps } from '../context.js';
import type { Notice, NoticeKind } from './ports.js';
import type { Actor } from '../../domain/registry/actor.js';

type Deps = Pick<ServiceDeps, 'store' | 'clock' | 'ids'>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const kinds: NoticeKind[] = ['outage', 'maintenance', 'restoration', 'information'];

export interface PublishNoticeInput {
  title: string;
  noticeDate: string;
  body: string;
  kind: NoticeKind;
  incident?: string | undefined;
  /** The id of the maintenance the comunicato announces (not with `incident`). */
  maintenance?: string | undefined;
  services?: string[] | undefined;
  sourceUrl?: string | undefined;
}

/** Authority staff publish a comunicato: public archive, Atom feed, API; regional sections relay it. */
export async function publishNotice(deps: Deps, input: PublishNoticeInput, actor: Actor): Promise<Notice> {
  const staff = requireRole(actor, 'authority_staff', 'admin');
  const now = deps.clock.now();
  const title = input.title.trim();
  if (title.length === 0 || title.length > 300) throw invalidField('title', 'title must be 1-300 characters');
  const body = input.body.trim();
  if (body.length === 0) throw invalidField('body', 'body must not be empty');
  if (!kinds.includes(input.kind)) throw invalidField('kind', `kind must be one of ${kinds.join(', ')}`);
  if (!isValidIsoDate(input.noticeDate))
    throw invalidField('noticeDate', 'noticeDate is not a calendar date (YYYY-MM-DD)');
  if (input.sourceUrl !== undefined && !/^https?:\/\/\S+$/.test(input.sourceUrl))
    throw invalidField('sourceUrl', 'sourceUrl must be an http(s) URL');
  const services = input.services && input.services.length > 0 ? checkServices(input.services) : [];
  return deps.store.transaction(async (store) => {
    let incidentId: string | null = null;
    if (input.incident) {
      const incident = await store.incidents.findIncident(input.incident);
      if (!incident) throw invalidField('incident', `incident ${input.incident} does not exist`);
      incidentId = incident.id;
    }
    let maintenanceId: string | null = null;
    if (input.maintenance) {
      if (incidentId)
        throw invalidField('maintenance', 'a notice names an incident or a maintenance, not both');
      const maintenance = UUID.test(input.maintenance)
        ? await store.maintenances.findMaintenance(input.maintenance)
        : undefined;
      if (!maintenance) throw invalidField('maintenance', `maintenance ${input.maintenance} does not exist`);
      maintenanceId = maintenance.id;
    }
    const notice: Notice = {
      id: deps.ids.uuid(),
      title,
      noticeDate: input.noticeDate,
      body,
      kind: input.kind,
      incidentId,
      maintenanceId,
      sourceUrl: input.sourceUrl ?? null,
      state: 'published',
      restorationOf: null,
      services,
      createdAt: now,
      publishedAt: now,
    };
    await store.notices.insertNotice({ ...notice, createdBy: staff.userId });
    await store.audit.append([
      audit(actor, now, 'notice.published', { type: 'notice', id: notice.id }, null, notice),
    ]);
    return notice;
  });
}

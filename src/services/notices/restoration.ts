import { formatDateTimeIt, romeDateOf } from '../../domain/shared/dates.js';
import { contingencyRules, reserveDeadline } from '../../domain/continuity/continuity-rules.js';
import { audit, type ServiceDeps } from '../context.js';
import type { IncidentRecord } from '../continuity/ports.js';
import type { Store } from '../ports.js';
import type { Notice } from './ports.js';
import { systemActor } from '../../domain/registry/actor.js';

const when = { format: formatDateTimeIt };

const dateIt = (iso: string) => iso.split('-').reverse().join('/');

/**
 * When an incident is resolved, drafts the restoration notice of each published outage notice about it:
 * the outage interval, what to regularise and by when. Called in the incident's transaction.
 */
export async function draftRestorations(
  store: Store,
  deps: Pick<ServiceDeps, 'ids'>,
  incident: IncidentRecord,
  now: Date,
): Promise<Notice[]> {
  if (!incident.resolvedAt) return [];
  const notices = await store.notices.listForIncident(incident.id);
  const drafts: Notice[] = [];
  for (const original of notices.filter((n) => n.state === 'published' && n.kind === 'outage')) {
    if (notices.some((n) => n.restorationOf === original.id)) continue;
    const restored = romeDateOf(incident.resolvedAt);
    const draft: Notice = {
      id: deps.ids.uuid(),
      title: "Ripristino dei servizi on line dell'Autorità",
      noticeDate: restored,
      body: [
        `Si comunica che i servizi on line dell'Autorità, interrotti dal ${when.format(incident.startedAt)} al ${when.format(incident.resolvedAt)} (${incident.code}), sono stati ripristinati.`,
        '',
        `- le stazioni appaltanti che hanno avviato procedure indicando negli atti che il CIG è in fase di acquisizione devono acquisirlo e comunicare i dati di pubblicazione entro ${contingencyRules.regularisationDays} giorni dalla registrazione della procedura, usando il riferimento provvisorio rilasciato;`,
        `- gli operatori economici ammessi con riserva devono regolarizzare il versamento del contributo entro il ${dateIt(reserveDeadline(restored))};`,
        "- i CIG acquisiti e i pagamenti effettuati durante l'interruzione restano pienamente validi.",
      ].join('\n'),
      kind: 'restoration',
      incidentId: incident.id,
      maintenanceId: null,
      // Its own link, given when staff approve it (the Authority's page of this comunicato); never the
      // outage comunicato's.
      sourceUrl: null,
      state: 'draft',
      restorationOf: original.id,
      services: original.services,
      createdAt: now,
      publishedAt: null,
    };
    await store.notices.insertNotice({ ...draft, createdBy: null });
    await store.audit.append([
      audit(systemActor('restoration'), now, 'notice.drafted', { type: 'notice', id: draft.id }, null, draft),
    ]);
    drafts.push(draft);
  }
  return drafts;
}

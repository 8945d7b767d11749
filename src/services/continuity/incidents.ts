import {
  checkIncidentTransition,
  checkServices,
  reserveDeadline,
} from '../../domain/continuity/continuity-rules.js';
import type { IncidentImpact, IncidentState } from '../../domain/continuity/status-view.js';
import { romeDateOf } from '../../domain/shared/dates.js';
import { invalidField, notFound } from '../../domain/shared/errors.js';
import { audit, requireRole, type ServiceDeps } from '../context.js';
import type { IncidentRecord } from './ports.js';
import { emitEvent, incidentEvent } from '../notices/subscriptions.js';
import { draftRestorations } from '../notices/restoration.js';
import type { Actor } from '../../domain/registry/actor.js';
import { issueIncidentCertificate } from '../certificates/issue-certificate.js';

type Deps = Pick<ServiceDeps, 'store' | 'clock' | 'ids'>;

const impacts: IncidentImpact[] = ['degraded', 'partial_outage', 'major_outage'];
const states: IncidentState[] = ['investigating', 'identified', 'monitoring', 'resolved'];

function checkText(value: string, field: string, max: number): string {
  const text = value.trim();
  if (text.length === 0) throw invalidField(field, `${field} must not be empty`);
  if (text.length > max) throw invalidField(field, `${field} is longer than ${max} characters`);
  return text;
}

function checkInstant(value: Date | undefined, field: string, now: Date, notBefore?: Date): Date {
  const at = value ?? now;
  if (Number.isNaN(at.getTime())) throw invalidField(field, `${field} is not a date-time`);
  if (at > now)
    throw invalidField(field, `${field} cannot be in the future: an outage window records what happened`);
  if (notBefore && at < notBefore) throw invalidField(field, `${field} precedes the start of the incident`);
  return at;
}

export interface OpenIncidentInput {
  title: string;
  impact: IncidentImpact;
  services: string[];
  /** When the outage began (defaults to now; may be earlier: it is a recorded fact). */
  startedAt?: Date | undefined;
  /** First update, in Italian. */
  message: string;
}

/** Staff (or the probes, as the system) open an incident: the start of an outage window. */
export async function openIncident(
  deps: Deps,
  input: OpenIncidentInput,
  actor: Actor,
): Promise<IncidentRecord> {
  if (actor.kind === 'user') requireRole(actor, 'authority_staff', 'regional_staff', 'admin');
  const now = deps.clock.now();
  if (!impacts.includes(input.impact))
    throw invalidField('impact', `impact must be one of ${impacts.join(', ')}`);
  const title = checkText(input.title, 'title', 200);
  const message = checkText(input.message, 'message', 4000);
  const services = checkServices(input.services);
  const startedAt = checkInstant(input.startedAt, 'startedAt', now);
  return deps.store.transaction(async (store) => {
    const id = deps.ids.uuid();
    const code = `INC-${romeDateOf(startedAt).slice(0, 4)}-${String(await store.continuity.nextIncidentSequence()).padStart(4, '0')}`;
    await store.continuity.insertIncident(
      {
        id,
        code,
        title,
        impact: input.impact,
        state: 'investigating',
        source: actor.kind === 'system' ? 'probe' : 'staff',
        startedAt,
        createdAt: now,
        services,
        createdBy: actor.kind === 'user' ? actor.userId : null,
      },
      { id: deps.ids.uuid(), message },
    );
    const incident = await store.continuity.findIncident(id);
    if (!incident) throw new Error('incident vanished');
    await store.audit.append([
      audit(actor, now, 'incident.opened', { type: 'incident', id: code }, null, incident),
    ]);
    await emitEvent(store, deps, now, incidentEvent(incident));
    return incident;
  });
}

export interface UpdateIncidentInput {
  incident: string;
  state: IncidentState;
  message: string;
  impact?: IncidentImpact | undefined;
  services?: string[] | undefined;
  /** For state resolved: when the outage ended (defaults to now). */
  resolvedAt?: Date | undefined;
}

/**
 * An update to the timeline (investigating -> identified -> monitoring -> resolved). Resolving issues the
 * incident's downtime certificate in the same transaction.
 */
export async function updateIncident(
  deps: Deps & Pick<ServiceDeps, 'certificates' | 'creditor'>,
  input: UpdateIncidentInput,
  actor: Actor,
): Promise<IncidentRecord> {
  if (actor.kind === 'user') requireRole(actor, 'authority_staff', 'regional_staff', 'admin');
  const now = deps.clock.now();
  if (!states.includes(input.state)) throw invalidField('state', `state must be one of ${states.join(', ')}`);
  if (input.impact !== undefined && !impacts.includes(input.impact))
    throw invalidField('impact', `impact must be one of ${impacts.join(', ')}`);
  const message = checkText(input.message, 'message', 4000);
  const services = input.services === undefined ? undefined : checkServices(input.services);
  return deps.store.transaction(async (store) => {
    const before = await store.continuity.lockIncident(input.incident);
    if (!before) throw notFound(`incident ${input.incident}`);
    checkIncidentTransition(before.state, input.state);
    const resolvedAt =
      input.state === 'resolved' ? checkInstant(input.resolvedAt, 'resolvedAt', now, before.startedAt) : null;
    await store.continuity.updateIncident(before.id, {
      state: input.state,
      ...(input.impact ? { impact: input.impact } : {}),
      ...(services ? { services } : {}),
      resolvedAt,
    });
    await store.continuity.addIncidentUpdate({
      id: deps.ids.uuid(),
      incidentId: before.id,
      state: input.state,
      message,
      at: resolvedAt ?? now,
      createdBy: actor.kind === 'user' ? actor.userId : null,
    });
    const after = await store.continuity.findIncident(before.id);
    if (!after) throw new Error('incident vanished');
    await store.audit.append([
      audit(
        actor,
        now,
        input.state === 'resolved' ? 'incident.resolved' : 'incident.updated',
        { type: 'incident', id: before.code },
        before,
        after,
      ),
    ]);
    // Subscribers hear of real changes only: a further message with the same state, impact and
    // services goes on the status page's timeline, not to their inboxes.
    const changed =
      before.state !== after.state ||
      before.impact !== after.impact ||
      [...before.services].sort().join() !== [...after.services].sort().join();
    if (changed) await emitEvent(store, deps, now, incidentEvent(after));
    if (resolvedAt) {
      await draftRestorations(store, deps, after, now);
      // Bidders admitted with reserve because of this incident now have a deadline to pay.
      const deadline = reserveDeadline(romeDateOf(resolvedAt));
      await store.continuity.setReserveDeadlines(before.id, deadline);
      await issueIncidentCertificate(store, deps, after, now);
    }
    return after;
  });
}

export async function getIncident(
  deps: Pick<ServiceDeps, 'store'>,
  idOrCode: string,
): Promise<IncidentRecord> {
  const found = await deps.store.continuity.findIncident(idOrCode);
  if (!found) throw notFound(`incident ${idOrCode}`);
  return found;
}

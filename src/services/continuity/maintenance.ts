import { checkServices } from '../../domain/continuity/continuity-rules.js';
import { DomainError, invalidField, notFound } from '../../domain/shared/errors.js';
import { audit, requireRole, type ServiceDeps } from '../context.js';
import type { MaintenanceRecord } from './ports.js';
import type { Actor } from '../../domain/registry/actor.js';

type Deps = Pick<ServiceDeps, 'store' | 'clock' | 'ids'>;

/**
 * Staff (the Authority's, or a regional section's) schedule maintenance; it starts and ends on time by
 * itself (its state follows the clock).
 */
export async function scheduleMaintenance(
  deps: Deps,
  input: { title: string; description: string; services: string[]; startsAt: Date; endsAt: Date },
  actor: Actor,
): Promise<MaintenanceRecord> {
  const staff = requireRole(actor, 'authority_staff', 'regional_staff', 'admin');
  const now = deps.clock.now();
  const title = input.title.trim();
  if (title.length === 0 || title.length > 200) throw invalidField('title', 'title must be 1-200 characters');
  if (input.description.length > 4000)
    throw invalidField('description', 'description is longer than 4000 characters');
  if (Number.isNaN(input.startsAt.getTime()) || input.startsAt < now)
    throw invalidField('startsAt', 'startsAt must be a future date-time');
  if (Number.isNaN(input.endsAt.getTime()) || input.endsAt <= input.startsAt)
    throw invalidField('endsAt', 'endsAt must follow startsAt');
  const maintenance: MaintenanceRecord = {
    id: deps.ids.uuid(),
    title,
    description: input.description.trim(),
    startsAt: input.startsAt,
    endsAt: input.endsAt,
    cancelledAt: null,
    services: checkServices(input.services),
  };
  return deps.store.transaction(async (store) => {
    await store.continuity.insertMaintenance({ ...maintenance, createdAt: now, createdBy: staff.userId });
    await store.audit.append([
      audit(
        actor,
        now,
        'maintenance.scheduled',
        { type: 'maintenance', id: maintenance.id },
        null,
        maintenance,
      ),
    ]);
    return maintenance;
  });
}

export async function cancelMaintenance(deps: Deps, id: string, actor: Actor): Promise<void> {
  requireRole(actor, 'authority_staff', 'regional_staff', 'admin');
  const now = deps.clock.now();
  await deps.store.transaction(async (store) => {
    const all = await store.continuity.listMaintenances({ since: new Date(0) });
    const found = all.find((m) => m.id === id);
    if (!found) throw notFound(`maintenance ${id}`);
    if (found.startsAt <= now)
      throw new DomainError('invalid_state', 'a maintenance that has started cannot be cancelled', {
        reason: 'maintenance_started',
      });
    if (!(await store.continuity.cancelMaintenance(id, now))) {
      throw new DomainError('invalid_state', 'the maintenance is already cancelled', {
        reason: 'maintenance_cancelled',
      });
    }
    await store.audit.append([
      audit(actor, now, 'maintenance.cancelled', { type: 'maintenance', id }, found, {
        ...found,
        cancelledAt: now,
      }),
    ]);
  });
}

import { notFound } from '../../domain/shared/errors.js';
import { audit, requireRole, type Actor, type ServiceDeps } from '../context.js';
import type { RegionalSection } from '../ports.js';
import { checkEmail, checkName } from './registry-input.js';
import { invalidField } from '../../domain/shared/errors.js';

export async function listSections(deps: Pick<ServiceDeps, 'store'>): Promise<RegionalSection[]> {
  return deps.store.registry.listSections();
}

export async function getSection(deps: Pick<ServiceDeps, 'store'>, code: string): Promise<RegionalSection> {
  const found = await deps.store.registry.findSection(code);
  if (!found) throw notFound(`regional section ${code}`);
  return found;
}

/** The 21 sections are fixed by law; an administrator maintains their name, office data and AOO code. */
export async function updateSection(
  deps: Pick<ServiceDeps, 'store' | 'clock'>,
  code: string,
  input: {
    name?: string | undefined;
    pec?: string | undefined;
    aooCode?: string | undefined;
    city?: string | undefined;
  },
  actor: Actor,
): Promise<RegionalSection> {
  requireRole(actor, 'admin');
  const now = deps.clock.now();
  if (input.aooCode !== undefined && !/^[A-Za-z0-9_]{1,16}$/.test(input.aooCode)) {
    throw invalidField('aooCode', 'aooCode is 1-16 letters, digits or "_" (e.g. AOO_092)');
  }
  return deps.store.transaction(async (store) => {
    const before = await store.registry.findSection(code);
    if (!before) throw notFound(`regional section ${code}`);
    await store.registry.updateSection(
      code,
      {
        ...(input.name !== undefined ? { name: checkName(input.name, 'name') } : {}),
        ...(input.pec !== undefined ? { pec: checkEmail(input.pec, 'pec') } : {}),
        ...(input.city !== undefined ? { city: checkName(input.city, 'city') } : {}),
        ...(input.aooCode !== undefined ? { aooCode: input.aooCode } : {}),
      },
      now,
    );
    const after = (await store.registry.findSection(code)) as RegionalSection;
    await store.audit.append([
      audit(actor, now, 'regional_section.updated', { type: 'regional_section', id: code }, before, after),
    ]);
    return after;
  });
}

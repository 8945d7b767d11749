import { notFound, invalidField } from '../../domain/shared/errors.js';
import { audit, requireRole, type ServiceDeps } from '../context.js';
import { checkEmail, checkName } from './registry-input.js';
import type { Actor } from '../../domain/registry/actor.js';
import type { RegionalSection } from '../../domain/registry/registry.js';

/** A site address as printed on a letter: www.regione.puglia.it, or with its scheme and a path. */
const WEBSITE = /^(https?:\/\/)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(\/\S*)?$/;

/** The 21 sections are fixed by law; an administrator maintains their name, office data and AOO code. */
export async function updateSection(
  deps: Pick<ServiceDeps, 'store' | 'clock'>,
  code: string,
  input: {
    name?: string | undefined;
    pec?: string | undefined;
    aooCode?: string | undefined;
    city?: string | undefined;
    letterheadOffices?: string[] | undefined;
    website?: string | null | undefined;
  },
  actor: Actor,
): Promise<RegionalSection> {
  requireRole(actor, 'admin');
  const now = deps.clock.now();
  if (input.aooCode !== undefined && !/^[A-Za-z0-9_]{1,16}$/.test(input.aooCode)) {
    throw invalidField('aooCode', 'aooCode is 1-16 letters, digits or "_" (e.g. AOO_092)');
  }
  const offices = input.letterheadOffices?.map((line, i) => {
    const trimmed = line.trim().replace(/\s+/g, ' ');
    if (trimmed === '' || trimmed.length > 150)
      throw invalidField('letterheadOffices', `letterhead line ${i + 1} must be 1-150 characters`);
    return trimmed;
  });
  if (offices && offices.length > 4) throw invalidField('letterheadOffices', 'at most 4 letterhead lines');
  const website = input.website === null ? null : input.website?.trim();
  if (typeof website === 'string' && !WEBSITE.test(website))
    throw invalidField('website', 'website is a site address such as www.regione.puglia.it');
  return deps.store.transaction(async (store) => {
    const before = await store.sections.findSection(code);
    if (!before) throw notFound(`regional section ${code}`);
    await store.sections.updateSection(
      code,
      {
        ...(input.name !== undefined ? { name: checkName(input.name, 'name') } : {}),
        ...(input.pec !== undefined ? { pec: checkEmail(input.pec, 'pec') } : {}),
        ...(input.city !== undefined ? { city: checkName(input.city, 'city') } : {}),
        ...(input.aooCode !== undefined ? { aooCode: input.aooCode } : {}),
        ...(offices !== undefined ? { letterheadOffices: offices } : {}),
        ...(website !== undefined ? { website } : {}),
      },
      now,
    );
    const after = (await store.sections.findSection(code)) as RegionalSection;
    await store.audit.append([
      audit(actor, now, 'regional_section.updated', { type: 'regional_section', id: code }, before, after),
    ]);
    return after;
  });
}

import { invalidField } from '../../domain/shared/errors.js';
import { sectionCodeForPlace } from '../../domain/registry/regions.js';
import type { Store } from '../ports.js';

export function checkName(value: string, field: string, max = 300): string {
  const name = value.trim();
  if (name.length === 0) throw invalidField(field, `${field} must not be empty`);
  if (name.length > max) throw invalidField(field, `${field} is longer than ${max} characters`);
  return name;
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

export function checkEmail(value: string, field: string): string {
  const email = value.trim().toLowerCase();
  if (!EMAIL.test(email) || email.length > 254)
    throw invalidField(field, `${field} is not an e-mail address`);
  return email;
}

export async function resolveSection(
  store: Store,
  place: string,
  explicit: string | undefined,
): Promise<string> {
  const code = explicit ?? sectionCodeForPlace(place);
  if (!code)
    throw invalidField('regionalSection', `no regional section covers place ${place}: give regionalSection`);
  if (!(await store.sections.findSection(code))) {
    throw invalidField('regionalSection', `regionalSection "${code}" does not exist`);
  }
  return code;
}

export async function checkPlace(store: Store, place: string): Promise<void> {
  if (!(await store.reference.findPlace(place))) {
    throw invalidField('istatPlace', `istatPlace "${place}" is not an ISTAT place code`);
  }
}

import { invalidField } from '../../domain/shared/errors.js';

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

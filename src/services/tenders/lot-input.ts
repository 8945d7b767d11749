import { invalidField } from '../../domain/shared/errors.js';
import { parseAmount } from '../../domain/shared/money.js';
import { MAX_OBJECT_LENGTH } from '../../domain/tenders/tender-rules.js';
import { romeDateOf } from '../../domain/shared/dates.js';
import type { ReferenceRepository } from '../ports.js';

export interface LotInput {
  object: string;
  /** Decimal euro, e.g. "150000.00". */
  amount: string;
  /** Main CPV code, 8 digits (a trailing "-N" check digit is accepted and dropped). */
  cpv: string;
  /** ISTAT place code, 9 digits. */
  place: string;
}

export interface CheckedLot {
  object: string;
  amountCents: number;
  cpvCode: string;
  istatPlaceCode: string;
}

export function checkObject(value: string, field: string): string {
  const object = value.trim();
  if (object.length === 0) throw invalidField(field, `${field} must not be empty`);
  if (object.length > MAX_OBJECT_LENGTH) {
    throw invalidField(field, `${field} is longer than ${MAX_OBJECT_LENGTH} characters`);
  }
  return object;
}

/** Checks a lot against the rules and the code lists; `prefix` locates it in the request (`lots[2].`). */
export async function checkLot(
  reference: ReferenceRepository,
  input: LotInput,
  now: Date,
  prefix = '',
): Promise<CheckedLot> {
  const object = checkObject(input.object, `${prefix}object`);
  const amountCents = parseAmount(input.amount, `${prefix}amount`);
  if (amountCents <= 0) throw invalidField(`${prefix}amount`, `${prefix}amount must be greater than zero`);
  const cpvCode = /^[0-9]{8}-[0-9]$/.test(input.cpv) ? input.cpv.slice(0, 8) : input.cpv;
  if (!/^[0-9]{8}$/.test(cpvCode) || !(await reference.cpvExists(cpvCode))) {
    throw invalidField(`${prefix}cpv`, `${prefix}cpv "${input.cpv}" is not a code of the CPV list`);
  }
  const place = await reference.findPlace(input.place);
  if (!place)
    throw invalidField(`${prefix}place`, `${prefix}place "${input.place}" is not an ISTAT place code`);
  const today = romeDateOf(now);
  if ((place.validFrom && today < place.validFrom) || (place.validTo && today > place.validTo)) {
    throw invalidField(
      `${prefix}place`,
      `${prefix}place ${place.code} (${place.name}) is not in force today`,
    );
  }
  return { object, amountCents, cpvCode, istatPlaceCode: place.code };
}

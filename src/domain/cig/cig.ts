/**
 * CIG (codice identificativo gara): the three official families and the Authority's published check
 * algorithm (specs/anac-pcp/algoritmo-validazione-cig.md). Pure functions, no I/O.
 */

export type CigFamily = 'simog_v1' | 'pcp' | 'smart_cig';

export const cigFamilyLabels: Record<CigFamily, string> = {
  simog_v1: 'SIMOG v1 (numeric)',
  pcp: 'SIMOG v2 / PCP',
  smart_cig: 'SmartCIG',
};

export type CigInvalidReason =
  'empty' | 'wrong_length' | 'invalid_characters' | 'unknown_family' | 'zero_progressive' | 'check_mismatch';

export type CigValidation =
  | { valid: true; code: string; family: CigFamily }
  | { valid: false; code: string; reason: CigInvalidReason; message: string };

const PCP_SERIES = 'ABCDEFGHIJKLMNOPQRSTU';
const SMART_SERIES = 'ZYX';
/** Codes in one PCP letter series (6 hex digits). */
export const PCP_SERIES_SIZE = 16 ** 6;
/** Codes in one SmartCIG letter series (7 hex digits, zero excluded). */
export const SMART_SERIES_SIZE = 16 ** 7 - 1;

const hex = (value: number, width: number): string => value.toString(16).toUpperCase().padStart(width, '0');

export function simogV1Check(progressive: number): string {
  return hex((progressive * 211) % 4091, 3);
}

/** `letter` is A..U; `progressive` the value of the 6 hex digits. */
export function pcpCheck(letter: string, progressive: number): string {
  const ord = letter.charCodeAt(0) - 64; // A=1 ... U=21
  return hex(((progressive + ord) * 211) % 4091, 3);
}

export function smartCigCheck(progressive: number): string {
  return hex((progressive * 211) % 251, 2);
}

function invalid(code: string, reason: CigInvalidReason, message: string): CigValidation {
  return { valid: false, code, reason, message };
}

/**
 * Validates any CIG string. Surrounding blanks are ignored and letters are read case-insensitively
 * (CIGs are printed upper case; a pasted lower-case code is still the same code).
 */
export function validateCig(input: string): CigValidation {
  const code = input.trim().toUpperCase();
  if (code.length === 0) return invalid(code, 'empty', 'no code given');
  if (code.length !== 10) {
    return invalid(code, 'wrong_length', `a CIG has 10 characters, this has ${code.length}`);
  }
  if (!/^[0-9A-Z]{10}$/.test(code)) {
    return invalid(code, 'invalid_characters', 'a CIG contains only digits and letters');
  }
  const first = code[0] as string;
  if (first >= '0' && first <= '9') return validateSimogV1(code);
  if (PCP_SERIES.includes(first)) return validatePcp(code, first);
  if (SMART_SERIES.includes(first)) return validateSmartCig(code);
  return invalid(
    code,
    'unknown_family',
    `no CIG family starts with "${first}" (digits: SIMOG v1; A-U: SIMOG v2/PCP; X, Y, Z: SmartCIG)`,
  );
}

function validateSimogV1(code: string): CigValidation {
  const body = code.slice(0, 7);
  const check = code.slice(7);
  if (!/^[0-9]{7}$/.test(body)) {
    return invalid(code, 'invalid_characters', 'a numeric (SIMOG v1) CIG starts with 7 decimal digits');
  }
  if (!/^[0-9A-F]{3}$/.test(check)) {
    return invalid(code, 'invalid_characters', 'the last 3 characters (check) must be hexadecimal');
  }
  const progressive = Number.parseInt(body, 10);
  if (progressive === 0) return invalid(code, 'zero_progressive', 'the progressive 0000000 is never issued');
  const expected = simogV1Check(progressive);
  if (check !== expected) return checkMismatch(code, check);
  return { valid: true, code, family: 'simog_v1' };
}

function validatePcp(code: string, letter: string): CigValidation {
  const body = code.slice(1, 7);
  const check = code.slice(7);
  if (!/^[0-9A-F]{6}$/.test(body)) {
    return invalid(code, 'invalid_characters', 'characters 2-7 of a SIMOG v2/PCP CIG must be hexadecimal');
  }
  if (!/^[0-9A-F]{3}$/.test(check)) {
    return invalid(code, 'invalid_characters', 'the last 3 characters (check) must be hexadecimal');
  }
  const expected = pcpCheck(letter, Number.parseInt(body, 16));
  if (check !== expected) return checkMismatch(code, check);
  return { valid: true, code, family: 'pcp' };
}

function validateSmartCig(code: string): CigValidation {
  const check = code.slice(1, 3);
  const body = code.slice(3);
  if (!/^[0-9A-F]{7}$/.test(body)) {
    return invalid(code, 'invalid_characters', 'characters 4-10 of a SmartCIG must be hexadecimal');
  }
  if (!/^[0-9A-F]{2}$/.test(check)) {
    return invalid(code, 'invalid_characters', 'characters 2-3 of a SmartCIG (check) must be hexadecimal');
  }
  const progressive = Number.parseInt(body, 16);
  if (progressive === 0) return invalid(code, 'zero_progressive', 'the progressive 0000000 is never issued');
  const expected = smartCigCheck(progressive);
  if (check !== expected) return checkMismatch(code, check);
  return { valid: true, code, family: 'smart_cig' };
}

/** The expected value is not disclosed: it would turn a typo into a "valid" code. */
function checkMismatch(code: string, got: string): CigValidation {
  return invalid(code, 'check_mismatch', `check characters "${got}" do not match the code (mistyped?)`);
}

/**
 * The n-th PCP code, n from 0: series A holds 0..16^6-1, then B, ... up to U.
 */
export function pcpCigFromOrdinal(ordinal: number): string {
  if (!Number.isSafeInteger(ordinal) || ordinal < 0 || ordinal >= PCP_SERIES.length * PCP_SERIES_SIZE) {
    throw new RangeError(`PCP ordinal out of range: ${ordinal}`);
  }
  const letter = PCP_SERIES[Math.floor(ordinal / PCP_SERIES_SIZE)] as string;
  const progressive = ordinal % PCP_SERIES_SIZE;
  return letter + hex(progressive, 6) + pcpCheck(letter, progressive);
}

/**
 * The n-th SmartCIG, n from 1: series Z holds 1..16^7-1, then Y, then X (SmartCIGs in use start with Z).
 */
export function smartCigFromOrdinal(ordinal: number): string {
  if (!Number.isSafeInteger(ordinal) || ordinal < 1 || ordinal > SMART_SERIES.length * SMART_SERIES_SIZE) {
    throw new RangeError(`SmartCIG ordinal out of range: ${ordinal}`);
  }
  const index = ordinal - 1;
  const letter = SMART_SERIES[Math.floor(index / SMART_SERIES_SIZE)] as string;
  const progressive = (index % SMART_SERIES_SIZE) + 1;
  return letter + smartCigCheck(progressive) + hex(progressive, 7);
}

/** Wording printed in tender documents when the CIG could not be obtained yet (6 May 2021 notice). */
export const PENDING_CIG_WORDING = 'CIG in fase di acquisizione';

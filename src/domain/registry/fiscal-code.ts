/**
 * Italian tax identifiers.
 * - 11 digits: codice fiscale of a legal person, or partita IVA; the 11th digit is a Luhn-style check.
 * - 16 characters: codice fiscale of a natural person (DM 23/12/1976), with omocodia substitutions.
 */

export type FiscalCodeCheck =
  { valid: true; kind: 'numeric' | 'personal' } | { valid: false; message: string };

export function numericCheckDigit(first10: string): number {
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    let digit = first10.charCodeAt(i) - 48;
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return (10 - (sum % 10)) % 10;
}

export function checkNumericFiscalCode(code: string): FiscalCodeCheck {
  if (!/^[0-9]{11}$/.test(code)) return { valid: false, message: 'must be 11 digits' };
  if (/^0{7}/.test(code)) return { valid: false, message: 'the first seven digits cannot all be zero' };
  if (numericCheckDigit(code.slice(0, 10)) !== code.charCodeAt(10) - 48) {
    return { valid: false, message: 'the check digit (11th) does not match' };
  }
  return { valid: true, kind: 'numeric' };
}

// Values of characters in odd positions (1st, 3rd, ...) of a personal codice fiscale.
const ODD_VALUES = [
  1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
];
const OMOCODIA = 'LMNPQRSTUV';
const PERSONAL_RE =
  /^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/;

function charIndex(ch: string): number {
  const c = ch.charCodeAt(0);
  return c >= 48 && c <= 57 ? c - 48 : c - 65;
}

export function personalCheckChar(first15: string): string {
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    const index = charIndex(first15[i] as string);
    sum += i % 2 === 0 ? (ODD_VALUES[index] as number) : index;
  }
  return String.fromCharCode(65 + (sum % 26));
}

export function checkPersonalFiscalCode(code: string): FiscalCodeCheck {
  if (!PERSONAL_RE.test(code)) {
    return { valid: false, message: 'must be 16 characters in the form RSSMRA80A01H501U' };
  }
  const dayDigits = [code[9], code[10]].map((c) => {
    const omocode = OMOCODIA.indexOf(c as string);
    return omocode >= 0 ? omocode : Number(c);
  });
  const day = (dayDigits[0] as number) * 10 + (dayDigits[1] as number);
  if (!((day >= 1 && day <= 31) || (day >= 41 && day <= 71))) {
    return { valid: false, message: 'the day of birth is out of range' };
  }
  if (personalCheckChar(code.slice(0, 15)) !== code[15]) {
    return { valid: false, message: 'the check character (16th) does not match' };
  }
  return { valid: true, kind: 'personal' };
}

/** A codice fiscale of either kind, upper case. */
export function checkFiscalCode(code: string): FiscalCodeCheck {
  if (code.length === 11) return checkNumericFiscalCode(code);
  if (code.length === 16) return checkPersonalFiscalCode(code);
  return { valid: false, message: 'must be 11 digits (legal person) or 16 characters (natural person)' };
}

/** Partita IVA: 11 digits, office code 001-100, 120, 121, 888 or 999, Luhn-style check digit. */
export function checkVatNumber(code: string): FiscalCodeCheck {
  const numeric = checkNumericFiscalCode(code);
  if (!numeric.valid) return numeric;
  const office = Number(code.slice(7, 10));
  if (!((office >= 1 && office <= 100) || [120, 121, 888, 999].includes(office))) {
    return { valid: false, message: 'digits 8-10 are not a valid provincial office code' };
  }
  return numeric;
}

/** Completes 10 digits with their check digit (used to build demo data). */
export function withNumericCheckDigit(first10: string): string {
  return first10 + String(numericCheckDigit(first10));
}

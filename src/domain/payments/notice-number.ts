/**
 * pagoPA notice numbers (NAV, "numero avviso"), 18 digits, with aux digit 3:
 *   3 + segregation code (2 digits) + IUV base (13 digits) + check digits (2)
 * where the check digits are (the first 16 digits) mod 93, zero-padded; the IUV is the last 17 digits.
 */

export interface NoticeNumberParts {
  auxDigit: '3';
  segregationCode: string;
  iuvBase: string;
  checkDigits: string;
  /** The last 17 digits: the payment's unique id (IUV) at the creditor. */
  iuv: string;
}

export type NoticeNumberCheck = ({ valid: true } & NoticeNumberParts) | { valid: false; reason: string };

export const mod93CheckDigits = (first16: string): string =>
  String(Number(BigInt(first16) % 93n)).padStart(2, '0');

export function buildNoticeNumber(segregationCode: string, iuvBase: string): string {
  if (!/^[0-9]{2}$/.test(segregationCode)) throw new RangeError('the segregation code has 2 digits');
  if (!/^[0-9]{13}$/.test(iuvBase)) throw new RangeError('the IUV base has 13 digits');
  const first16 = `3${segregationCode}${iuvBase}`;
  return first16 + mod93CheckDigits(first16);
}

/** IUV base for the n-th position of a year: year (4 digits) + 9-digit sequence. */
export function iuvBaseFor(year: number, sequence: number): string {
  if (!Number.isInteger(sequence) || sequence < 1 || sequence > 999_999_999)
    throw new RangeError(`IUV sequence out of range: ${sequence}`);
  return `${year}${String(sequence).padStart(9, '0')}`;
}

export function checkNoticeNumber(input: string): NoticeNumberCheck {
  const nav = input.replace(/\s+/g, '');
  if (!/^[0-9]{18}$/.test(nav)) return { valid: false, reason: 'a notice number has 18 digits' };
  if (nav[0] !== '3')
    return { valid: false, reason: `aux digit ${nav[0]} is not issued by this creditor (3 expected)` };
  const first16 = nav.slice(0, 16);
  if (mod93CheckDigits(first16) !== nav.slice(16))
    return { valid: false, reason: 'the check digits (mod 93) do not match' };
  return {
    valid: true,
    auxDigit: '3',
    segregationCode: nav.slice(1, 3),
    iuvBase: nav.slice(3, 16),
    checkDigits: nav.slice(16),
    iuv: nav.slice(1),
  };
}

/** Printed form: groups of 4 digits ("3012 0250 0000 1228 05"). */
export const groupNoticeNumber = (nav: string): string => nav.replace(/(\d{4})(?=\d)/g, '$1 ');

/** QR payload of a pagoPA notice (version 002): amount in cents. */
export const qrPayload = (nav: string, creditorFiscalCode: string, amountCents: number): string =>
  `PAGOPA|002|${nav}|${creditorFiscalCode}|${amountCents}`;

import { invalidField } from './errors.js';

/**
 * Amounts travel as decimal strings with at most two decimals ("150000.00") and live as integer cents.
 * At most 9,999,999,999.99 euro (also a CHECK on lots): with at most 9,000 lots in a tender, every sum
 * stays an exact JavaScript number (below 2^53 cents).
 */
export const AMOUNT_PATTERN = '^(0|[1-9][0-9]{0,9})(\\.[0-9]{1,2})?$';
const amountRe = new RegExp(AMOUNT_PATTERN);

/** Parses "1234.5" into 123450 cents without going through floating point. */
export function parseAmount(value: string, field = 'amount'): number {
  if (!amountRe.test(value)) {
    throw invalidField(
      field,
      `${field} must be a decimal amount in euro with at most 2 decimals and at most 9999999999.99, e.g. "1234.50"`,
    );
  }
  const [units = '0', decimals = ''] = value.split('.');
  return Number(units) * 100 + Number(decimals.padEnd(2, '0'));
}

export function formatAmount(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** Italian rendering for documents and the UI: 1.020,99 */
export function formatAmountIt(cents: number): string {
  const [units = '0', decimals = '00'] = formatAmount(cents).split('.');
  return `${units.replace(/\B(?=(\d{3})+(?!\d))/g, '.')},${decimals}`;
}

export const euros = (units: number): number => units * 100;

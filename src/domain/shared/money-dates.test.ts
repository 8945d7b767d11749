import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  formatDateIt,
  instantFromRomeLocal,
  isValidDateTime,
  isValidIsoDate,
  isValidPeriod,
  romeDateOf,
  startOfRomeDay,
} from './dates.js';
import { formatAmount, formatAmountIt, parseAmount } from './money.js';

describe('money', () => {
  it('parses decimal strings to exact cents', () => {
    expect(parseAmount('150000.00')).toBe(15_000_000);
    expect(parseAmount('0.1')).toBe(10);
    expect(parseAmount('39999.99')).toBe(3_999_999);
    expect(parseAmount('7')).toBe(700);
    for (const bad of ['', '1.234', '-5', '01', '1e5', '1,50', ' 1']) {
      expect(() => parseAmount(bad, 'amount')).toThrow(/amount/);
    }
  });
  it('round-trips any amount', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999_999_999 }), (cents) => {
        expect(parseAmount(formatAmount(cents))).toBe(cents);
      }),
    );
  });
  it('renders in Italian', () => {
    expect(formatAmountIt(102_099)).toBe('1.020,99');
    expect(formatAmountIt(3_000)).toBe('30,00');
  });
});

describe('dates on the Italian calendar', () => {
  it('an instant late in the UTC evening is already the next day in Rome', () => {
    expect(romeDateOf(new Date('2021-05-03T22:30:00Z'))).toBe('2021-05-04'); // CEST
    expect(romeDateOf(new Date('2021-01-03T22:30:00Z'))).toBe('2021-01-03'); // CET
  });
  it('adds days across months and leap years', () => {
    expect(addDays('2021-05-07', 150)).toBe('2021-10-04');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
  });
  it('knows real dates', () => {
    expect(isValidIsoDate('2021-02-29')).toBe(false);
    expect(isValidIsoDate('2024-02-29')).toBe(true);
    expect(isValidIsoDate('2021-5-7')).toBe(false);
  });
  it('accepts dates, instants and months in the plausible years 2000-2100 only', () => {
    for (const d of ['0000-01-01', '0001-01-01', '1970-01-01', '1999-12-31', '2101-01-01', '9999-12-31'])
      expect(isValidIsoDate(d), d).toBe(false);
    for (const d of ['2000-01-01', '2100-12-31']) expect(isValidIsoDate(d), d).toBe(true);
    for (const t of [
      '0001-01-01T00:00:00Z',
      '1970-01-01T00:00:00Z',
      '9999-12-31T23:59:59Z',
      '2026-03-01T10:00:00', // no offset
      '2026-02-30T10:00:00Z',
      '2026-03-01T24:00:00Z',
      '2026-03-01T10:00:60Z',
      '2026-03-01T10:00:00+25:00',
      '2026-03-01 10:00:00Z',
    ])
      expect(isValidDateTime(t), t).toBe(false);
    for (const t of ['2026-03-01T10:00:00Z', '2026-03-01T10:00:00.123456+01:00', '2000-01-01t00:00:00z'])
      expect(isValidDateTime(t), t).toBe(true);
    for (const p of ['0000-01', '1970-12', '2026-13', '9999-01']) expect(isValidPeriod(p), p).toBe(false);
    expect(isValidPeriod('2026-03')).toBe(true);
  });
  it('finds the start of a Rome day in winter and summer', () => {
    expect(startOfRomeDay('2021-05-07').toISOString()).toBe('2021-05-06T22:00:00.000Z');
    expect(startOfRomeDay('2021-01-07').toISOString()).toBe('2021-01-06T23:00:00.000Z');
  });
  it('formats dates the Italian way', () => {
    expect(formatDateIt('2021-05-07')).toBe('07/05/2021');
  });
  it('reads Italian wall-clock times, and gives an Invalid Date for what is not one', () => {
    expect(instantFromRomeLocal('2021-05-07T12:00:00').toISOString()).toBe('2021-05-07T10:00:00.000Z');
    expect(instantFromRomeLocal('2021-01-07T12:00:00').toISOString()).toBe('2021-01-07T11:00:00.000Z');
    for (const bad of [
      'T12:00:00',
      '2026-13-01T12:00:00',
      '2026-02-30T12:00:00',
      '2026-03-01T25:99:00',
      '01/03/2026T12:00:00',
    ])
      expect(instantFromRomeLocal(bad).getTime(), bad).toBeNaN();
  });
});

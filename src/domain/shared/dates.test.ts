import { describe, expect, it } from 'vitest';
import { formatDateTimeIt, formatLongDateIt, formatTimeIt } from './dates.js';

describe('the one Italian date formatter', () => {
  const at = new Date('2021-05-07T08:05:09Z'); // 10:05:09 in Rome (CEST)

  it('prints every date-and-time style in use, in Rome time', () => {
    expect(formatDateTimeIt(at)).toBe('07/05/2021 10:05');
    expect(formatDateTimeIt(at, { joiner: ' ore ' })).toBe('07/05/2021 ore 10:05');
    expect(formatDateTimeIt(at, { joiner: ', ore ' })).toBe('07/05/2021, ore 10:05');
    expect(formatDateTimeIt(at, { seconds: true })).toBe('07/05/2021 10:05:09');
    expect(formatTimeIt(new Date('2021-01-15T23:30:00Z'))).toBe('00:30'); // CET, past midnight
    expect(formatTimeIt(at, { seconds: true })).toBe('10:05:09');
  });

  it('writes long dates with the month in lower case, the day padded only in letters', () => {
    expect(formatLongDateIt('2021-05-03')).toBe('3 maggio 2021');
    expect(formatLongDateIt('2021-05-03', { twoDigitDay: true })).toBe('03 maggio 2021');
    expect(formatLongDateIt('2021-12-01')).toBe('1 dicembre 2021');
    expect(() => formatLongDateIt('2021-02-30')).toThrow(RangeError);
  });
});

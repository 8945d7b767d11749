/**
 * Hostile pass 3 (extreme dates: DST gaps in Europe/Rome). Wall-clock times without an offset come from
 * the portal's forms (a lot's bid deadline, an urgent procedure's), SIMOG's DATA/ORA attributes and
 * pagoPA's local date-times.
 * Found: a time inside the spring-forward gap (2026-03-29 02:00-02:59, which no clock in Rome shows)
 * was read as UTC: 02:30 became 04:30 in Rome, later than 03:30 entered by someone else (deadlines no
 * longer in the order they were typed, two hours after the time typed).
 * Fixed: a time in the gap is moved forward by the gap, as clocks are: 02:30 is 03:30 CEST
 * (src/domain/shared/dates.ts, instantFromRomeLocal).
 */
import { describe, expect, it } from 'vitest';
import { instantFromRomeLocal, romeLocalDateTime } from '../../src/domain/shared/dates.js';

describe('wall-clock times in Europe/Rome around the DST changes', () => {
  it('a time in the spring-forward gap is moved forward by the gap', () => {
    expect(instantFromRomeLocal('2026-03-29T02:00:00').toISOString()).toBe('2026-03-29T01:00:00.000Z');
    expect(instantFromRomeLocal('2026-03-29T02:30:00').toISOString()).toBe('2026-03-29T01:30:00.000Z');
    expect(romeLocalDateTime(instantFromRomeLocal('2026-03-29T02:30:00'))).toBe('2026-03-29T03:30:00');
  });

  it('every minute of both change days reads back as typed, or an hour on inside the gap', () => {
    for (const day of ['2026-03-29', '2026-10-25']) {
      for (let minute = 0; minute < 24 * 60; minute++) {
        const hh = Math.floor(minute / 60);
        const mm = String(minute % 60).padStart(2, '0');
        const typed = `${day}T${String(hh).padStart(2, '0')}:${mm}:00`;
        const inGap = day === '2026-03-29' && hh === 2;
        const expected = inGap ? `${day}T03:${mm}:00` : typed;
        expect(romeLocalDateTime(instantFromRomeLocal(typed)), typed).toBe(expected);
      }
    }
  });
});

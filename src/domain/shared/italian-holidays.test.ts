import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays } from './dates.js';
import {
  AUTHORITY_SEAT_PLACE,
  deadlineAfter,
  easterSunday,
  holidayOn,
  isSunday,
  isWorkingDay,
  nextWorkingDay,
  patronDays,
} from './italian-holidays.js';
import { perfectionDeadline } from '../tenders/tender-rules.js';
import { regularisationDeadline, reserveDeadline } from '../continuity/continuity-rules.js';

const isoDate = fc
  .date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const places = fc.constantFrom(undefined, ...Object.keys(patronDays));

describe('Italian public holidays', () => {
  it('Easter Sunday of known years', () => {
    expect(easterSunday(2024)).toBe('2024-03-31');
    expect(easterSunday(2025)).toBe('2025-04-20');
    expect(easterSunday(2026)).toBe('2026-04-05');
    expect(easterSunday(2027)).toBe('2027-03-28');
    expect(easterSunday(2021)).toBe('2021-04-04');
    expect(easterSunday(2000)).toBe('2000-04-23');
    expect(easterSunday(2038)).toBe('2038-04-25'); // the latest possible date
    expect(easterSunday(2285)).toBe('2285-03-22'); // the earliest possible date
  });

  it('Easter is a Sunday between 22 March and 25 April; Easter Monday is a holiday', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1583, max: 4099 }), (year) => {
        const easter = easterSunday(year);
        expect(isSunday(easter)).toBe(true);
        expect(easter.slice(5) >= '03-22' && easter.slice(5) <= '04-25').toBe(true);
        // (Easter Monday may coincide with 25 April, e.g. 2011: a holiday either way.)
        expect(holidayOn(addDays(easter, 1))).toBeDefined();
        expect(isWorkingDay(addDays(easter, 1))).toBe(false);
      }),
    );
  });

  it('the fixed national holidays, every year', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1990, max: 2099 }), (year) => {
        for (const md of [
          '01-01',
          '01-06',
          '04-25',
          '05-01',
          '06-02',
          '08-15',
          '11-01',
          '12-08',
          '12-25',
          '12-26',
        ])
          expect(isWorkingDay(`${year}-${md}`)).toBe(false);
      }),
    );
    expect(isWorkingDay('2025-10-04')).toBe(true); // a Saturday, and not yet a national holiday
    expect(holidayOn('2026-10-04')).toMatch(/San Francesco/);
  });

  it('a patron day counts only at an office in that municipality', () => {
    expect(isWorkingDay('2026-06-29', AUTHORITY_SEAT_PLACE)).toBe(false); // Rome, Monday
    expect(isWorkingDay('2026-06-29', '003015146')).toBe(true); // Milan
    expect(isWorkingDay('2026-06-29')).toBe(true);
    expect(isWorkingDay('2026-12-07', '003015146')).toBe(false); // Sant'Ambrogio, Milan
    expect(isWorkingDay('2026-12-07', AUTHORITY_SEAT_PLACE)).toBe(true);
    // A patron day on a Saturday is still a holiday there (Saturdays are otherwise working days).
    expect(isWorkingDay('2026-09-19', '015063049')).toBe(false); // San Gennaro, Naples
    expect(isWorkingDay('2026-09-19')).toBe(true);
    expect(nextWorkingDay('2026-09-19', '015063049')).toBe('2026-09-21');
    expect(isWorkingDay('2024-12-06', '016072006')).toBe(false); // San Nicola, Bari
    for (const place of ['001001272', '007010025', '009048017'])
      expect(isWorkingDay('2026-06-24', place)).toBe(false);
    expect(isWorkingDay('2026-07-15', '019082053')).toBe(false);
    expect(isWorkingDay('2024-10-04', '008037006')).toBe(false); // Bologna, before the national holiday
    expect(isWorkingDay('2024-10-04')).toBe(true);
  });

  it('Saturdays are working days; Sundays are not', () => {
    expect(isWorkingDay('2026-12-05')).toBe(true);
    expect(isWorkingDay('2026-12-06')).toBe(false);
    expect(nextWorkingDay('2026-12-06')).toBe('2026-12-07');
    expect(nextWorkingDay('2026-12-06', '003015146')).toBe('2026-12-09'); // Sant'Ambrogio, then 8 Dec
  });

  it('the next working day is the first day from the date that is not a Sunday or holiday', () => {
    fc.assert(
      fc.property(isoDate, places, (date, place) => {
        const next = nextWorkingDay(date, place);
        expect(next >= date).toBe(true);
        expect(isWorkingDay(next, place)).toBe(true);
        expect(isSunday(next)).toBe(false);
        for (let d = date; d < next; d = addDays(d, 1)) expect(isWorkingDay(d, place)).toBe(false);
        expect(nextWorkingDay(next, place)).toBe(next);
        // At most Sunday + Christmas + Santo Stefano (or Easter + Monday and a patron day) in a row.
        expect(next <= addDays(date, 4)).toBe(true);
      }),
    );
  });

  it('a deadline is never earlier than the plain count and never on a Sunday or holiday', () => {
    fc.assert(
      fc.property(isoDate, fc.integer({ min: 0, max: 400 }), places, (from, days, place) => {
        const due = deadlineAfter(from, days, place);
        expect(due >= addDays(from, days)).toBe(true);
        expect(isWorkingDay(due, place)).toBe(true);
      }),
    );
  });
});

describe('deadlines computed by the system', () => {
  it('the perfezionamento deadline moves off Sundays and holidays at the seat (Rome)', () => {
    // Acquired 2026-01-01 (Rome): +90 days = 2026-04-01 (Wednesday): unchanged.
    expect(perfectionDeadline(new Date('2026-01-01T10:00:00+01:00'))).toBe('2026-04-01');
    // Acquired 2026-01-05: +90 = 2026-04-05, Easter Sunday; Easter Monday next: Tuesday 7 April.
    expect(perfectionDeadline(new Date('2026-01-05T10:00:00+01:00'))).toBe('2026-04-07');
    // Acquired 2026-03-31: +90 = 2026-06-29, Saints Peter and Paul in Rome: 30 June.
    expect(perfectionDeadline(new Date('2026-03-31T10:00:00+02:00'))).toBe('2026-06-30');
  });

  it('the regularisation and reserve deadlines move too', () => {
    // Registered 2026-11-25: +30 = 2026-12-25 (Christmas), 26 (Santo Stefano), 27 (Sunday): the 28th.
    expect(regularisationDeadline('2026-11-25')).toBe('2026-12-28');
    // Restored 2026-05-23: +10 = 2026-06-02 (Festa della Repubblica): the 3rd.
    expect(reserveDeadline('2026-05-23')).toBe('2026-06-03');
    expect(reserveDeadline('2021-05-07')).toBe('2021-05-17');
  });
});

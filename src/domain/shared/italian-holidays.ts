import { addDays, type IsoDate } from './dates.js';

/**
 * The Italian calendar of public holidays, for deadlines that move to the next working day when they
 * fall on a holiday (art. 155 c.4 c.p.c., art. 2963 c.c.; the rule d.lgs. 36/2023 follows). Sundays and
 * national holidays count everywhere; a patron saint's day counts only for a deadline at an office
 * located in that municipality. Saturdays are working days (the Saturday extension of art. 155 c.5
 * c.p.c. covers acts done in court only; a choice, documented in the README).
 */

/** Easter Sunday of the Gregorian calendar (anonymous Gregorian algorithm, Meeus/Jones/Butcher). */
export function easterSunday(year: number): IsoDate {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Fixed national holidays (month-day), with the year they apply from when that is recent. */
const fixedNationalHolidays: readonly { monthDay: string; name: string; fromYear?: number }[] = [
  { monthDay: '01-01', name: 'Capodanno' },
  { monthDay: '01-06', name: 'Epifania' },
  { monthDay: '04-25', name: 'Festa della Liberazione' },
  { monthDay: '05-01', name: 'Festa del lavoro' },
  { monthDay: '06-02', name: 'Festa della Repubblica' },
  { monthDay: '08-15', name: 'Assunzione' },
  // Restored as a national holiday by legge 151/2025, from 2026.
  { monthDay: '10-04', name: 'San Francesco d’Assisi, patrono d’Italia', fromYear: 2026 },
  { monthDay: '11-01', name: 'Ognissanti' },
  { monthDay: '12-08', name: 'Immacolata Concezione' },
  { monthDay: '12-25', name: 'Natale' },
  { monthDay: '12-26', name: 'Santo Stefano' },
];

/**
 * Patron saints' days of the main municipalities, by ISTAT place code (code list `codIstat`: region +
 * municipality). A local holiday: it moves a deadline only at an office located in that municipality.
 */
export const patronDays: Readonly<Record<string, { monthDay: string; name: string; city: string }>> = {
  '012058091': { monthDay: '06-29', name: 'Santi Pietro e Paolo', city: 'Roma' },
  '003015146': { monthDay: '12-07', name: "Sant'Ambrogio", city: 'Milano' },
  '015063049': { monthDay: '09-19', name: 'San Gennaro', city: 'Napoli' },
  '016072006': { monthDay: '12-06', name: 'San Nicola', city: 'Bari' },
  '001001272': { monthDay: '06-24', name: 'San Giovanni Battista', city: 'Torino' },
  '007010025': { monthDay: '06-24', name: 'San Giovanni Battista', city: 'Genova' },
  '009048017': { monthDay: '06-24', name: 'San Giovanni Battista', city: 'Firenze' },
  '019082053': { monthDay: '07-15', name: 'Santa Rosalia', city: 'Palermo' },
  '005027042': { monthDay: '04-25', name: 'San Marco', city: 'Venezia' },
  '008037006': { monthDay: '10-04', name: 'San Petronio', city: 'Bologna' },
};

/** The Authority's seat (Rome): the office of the deadlines for acts addressed to the Authority. */
export const AUTHORITY_SEAT_PLACE = '012058091';

/** The holiday on a date, if any: national, or the patron day of `place` (an ISTAT place code). */
export function holidayOn(date: IsoDate, place?: string): string | undefined {
  const year = Number(date.slice(0, 4));
  const monthDay = date.slice(5);
  const fixed = fixedNationalHolidays.find(
    (h) => h.monthDay === monthDay && (h.fromYear === undefined || year >= h.fromYear),
  );
  if (fixed) return fixed.name;
  const easter = easterSunday(year);
  if (date === easter) return 'Pasqua';
  if (date === addDays(easter, 1)) return "Lunedì dell'Angelo";
  const patron = place === undefined ? undefined : patronDays[place];
  if (patron && patron.monthDay === monthDay) return `${patron.name} (patrono di ${patron.city})`;
  return undefined;
}

export const isSunday = (date: IsoDate): boolean => new Date(`${date}T12:00:00Z`).getUTCDay() === 0;

/** A working day for deadlines: not a Sunday, not a holiday (Saturdays are working days). */
export function isWorkingDay(date: IsoDate, place?: string): boolean {
  return !isSunday(date) && holidayOn(date, place) === undefined;
}

/** The date itself when it is a working day, else the first working day after it. */
export function nextWorkingDay(date: IsoDate, place?: string): IsoDate {
  let d = date;
  while (!isWorkingDay(d, place)) d = addDays(d, 1);
  return d;
}

/** A deadline of `days` calendar days from `from`, moved to the next working day when it falls on a holiday. */
export function deadlineAfter(from: IsoDate, days: number, place?: string): IsoDate {
  return nextWorkingDay(addDays(from, days), place);
}

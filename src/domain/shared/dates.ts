/**
 * Calendar dates are ISO strings (YYYY-MM-DD); instants are Date. Legal deadlines run on the Italian
 * calendar, so an instant becomes a date in Europe/Rome.
 */
export const TIME_ZONE = 'Europe/Rome';

const romeDate = new Intl.DateTimeFormat('en-CA', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

export type IsoDate = string;

export const ISO_DATE_PATTERN = '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$';

let lastMinute = Number.NaN;
let lastDate = '';

/** The Rome calendar day of an instant. Memoised per minute (offsets are whole hours): Intl is slow. */
export function romeDateOf(instant: Date): IsoDate {
  const minute = Math.floor(instant.getTime() / 60_000);
  if (minute !== lastMinute) {
    lastDate = romeDate.format(instant);
    lastMinute = minute;
  }
  return lastDate;
}

/**
 * The years a business date or instant may fall in, for every date the service accepts (API, portal,
 * CLI): a tender, a payment or an incident outside them is a typing error, and PostgreSQL refuses year 0.
 */
export const PLAUSIBLE_YEARS = { first: 2000, last: 2100 } as const;

const plausibleYear = (year: number): boolean =>
  year >= PLAUSIBLE_YEARS.first && year <= PLAUSIBLE_YEARS.last;

/** A real calendar day (no 30 February) written YYYY-MM-DD, in the plausible years. */
export function isValidIsoDate(value: string): boolean {
  if (!new RegExp(ISO_DATE_PATTERN).test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return (
    !Number.isNaN(d.getTime()) &&
    d.toISOString().slice(0, 10) === value &&
    plausibleYear(Number(value.slice(0, 4)))
  );
}

const RFC3339 = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-](\d{2}):(\d{2}))$/;

/** An RFC 3339 date-time with its offset (`2026-03-02T10:00:00Z`, `...+01:00`), in the plausible years. */
export function isValidDateTime(value: string): boolean {
  const m = RFC3339.exec(value);
  if (!m || !isValidIsoDate(m[1]!)) return false;
  const [hh, mm, ss] = [Number(m[2]), Number(m[3]), Number(m[4])];
  const offsetOk = m[7] === undefined || (Number(m[7]) <= 23 && Number(m[8]) <= 59);
  return hh <= 23 && mm <= 59 && ss <= 59 && offsetOk && !Number.isNaN(Date.parse(value));
}

export const PERIOD_PATTERN = '^[0-9]{4}-(0[1-9]|1[0-2])$';

/** A calendar month `YYYY-MM` in the plausible years. */
export function isValidPeriod(value: string): boolean {
  return new RegExp(PERIOD_PATTERN).test(value) && plausibleYear(Number(value.slice(0, 4)));
}

export function addDays(date: IsoDate, days: number): IsoDate {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Start instants (ms) of the days already placed: the status view asks for 90 days every second. */
const dayStarts = new Map<IsoDate, number>();

/** The instant at which a Rome calendar day starts (handles CET/CEST). A new Date on every call. */
export function startOfRomeDay(date: IsoDate): Date {
  const known = dayStarts.get(date);
  if (known !== undefined) return new Date(known);
  // Rome is UTC+1 or UTC+2: try both offsets and keep the one that maps back to the same date at 00:00.
  for (const offset of [1, 2]) {
    const candidate = new Date(`${date}T00:00:00Z`);
    candidate.setUTCHours(-offset);
    if (romeDateOf(candidate) === date && romeDateOf(new Date(candidate.getTime() - 1)) !== date) {
      if (dayStarts.size >= 4096) dayStarts.clear();
      dayStarts.set(date, candidate.getTime());
      return candidate;
    }
  }
  throw new RangeError(`cannot place ${date} in ${TIME_ZONE}`);
}

const itDate = new Intl.DateTimeFormat('it-IT', {
  timeZone: TIME_ZONE,
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
});

/** 07/05/2021 */
export function formatDateIt(value: Date | IsoDate): string {
  const instant = typeof value === 'string' ? new Date(`${value}T12:00:00Z`) : value;
  return itDate.format(instant);
}

/** 15:43, or 15:43:07 with seconds (Rome wall clock, 24 hours). */
export function formatTimeIt(instant: Date, options: { seconds?: boolean } = {}): string {
  return romeLocalDateTime(instant).slice(11, options.seconds ? 19 : 16);
}

export interface DateTimeStyle {
  /** Between the date and the time: ' ' (default), ' ore ' (pages), ', ore ' (receipts). */
  joiner?: ' ' | ' ore ' | ', ore ';
  /** 15:43:07 instead of 15:43 (registers, where the order within a minute matters). */
  seconds?: boolean;
}

/**
 * 02/12/2026 15:43 (Rome wall clock): the date-and-time of everything people read. The styles in use:
 * `02/12/2026 ore 15:43` (status page, portal), `02/12/2026, ore 15:43` (payment receipt),
 * `02/12/2026 15:43:07` (protocol register).
 */
export function formatDateTimeIt(instant: Date, style: DateTimeStyle = {}): string {
  return `${formatDateIt(instant)}${style.joiner ?? ' '}${formatTimeIt(instant, { seconds: style.seconds ?? false })}`;
}

const MONTHS_IT = [
  'gennaio',
  'febbraio',
  'marzo',
  'aprile',
  'maggio',
  'giugno',
  'luglio',
  'agosto',
  'settembre',
  'ottobre',
  'novembre',
  'dicembre',
] as const;

/**
 * "3 maggio 2021" for a calendar day (month in lower case, as Italian writes it); "03 maggio 2021"
 * with `twoDigitDay` (the letters and the daily register, as the Authority's letters write it).
 * Throws RangeError on anything but a valid YYYY-MM-DD.
 */
export function formatLongDateIt(date: IsoDate, options: { twoDigitDay?: boolean } = {}): string {
  if (!isValidIsoDate(date)) throw new RangeError(`not a calendar date (YYYY-MM-DD): ${date}`);
  const [year, month, day] = date.split('-') as [string, string, string];
  return `${options.twoDigitDay ? day : String(Number(day))} ${MONTHS_IT[Number(month) - 1]} ${year}`;
}

const romeDateTime = new Intl.DateTimeFormat('sv-SE', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** Local Italian wall-clock time without offset, as pagoPA messages carry it: 2021-05-07T10:15:00 */
export function romeLocalDateTime(instant: Date): string {
  return romeDateTime.format(instant).replace(' ', 'T');
}

/**
 * The instant of an Italian wall-clock time without offset (an explicit offset or Z is honoured). Outside
 * the plausible years it is an Invalid Date too.
 */
export function instantFromRomeLocal(value: string): Date {
  if (!isValidIsoDate(value.slice(0, 10))) return new Date(Number.NaN);
  if (/(Z|[+-]\d\d:\d\d)$/.test(value)) return new Date(value);
  const naive = value.slice(0, 19);
  // Not a wall-clock time (a missing day, 25:99, 2026-13-01): an Invalid Date, which callers refuse.
  const asUtc = new Date(`${naive}Z`);
  if (
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(naive) ||
    Number.isNaN(asUtc.getTime()) ||
    asUtc.toISOString().slice(0, 19) !== naive // 30 February does not roll over into March
  )
    return new Date(Number.NaN);
  for (const offset of [1, 2]) {
    const candidate = new Date(new Date(`${naive}Z`).getTime() - offset * 3_600_000);
    if (romeLocalDateTime(candidate) === naive) return candidate;
  }
  // In the spring-forward gap (02:00-02:59 on the last Sunday of March, shown by no clock in Rome): moved
  // forward by the gap, as clocks are (02:30 is 03:30 CEST), so that later times stay later instants.
  return new Date(asUtc.getTime() - 3_600_000);
}

import {
  addDays,
  isValidIsoDate,
  isValidPeriod,
  startOfRomeDay,
  type IsoDate,
} from '../../domain/shared/dates.js';
import { invalidField } from '../../domain/shared/errors.js';
import type { InstantRange } from './ports.js';

/** A month ('YYYY-MM', the monthly files) or a day ('YYYY-MM-DD', the daily deltas), in Europe/Rome. */
export interface Period {
  kind: 'month' | 'day';
  label: string;
  range: InstantRange;
}

export function parsePeriod(value: string): Period {
  if (isValidPeriod(value)) {
    const [year, month] = value.split('-').map(Number) as [number, number];
    const next = month === 12 ? `${year + 1}-01-01` : `${year}-${String(month + 1).padStart(2, '0')}-01`;
    return {
      kind: 'month',
      label: value,
      range: { from: startOfRomeDay(`${value}-01` as IsoDate), to: startOfRomeDay(next as IsoDate) },
    };
  }
  if (isValidIsoDate(value)) {
    return {
      kind: 'day',
      label: value,
      range: { from: startOfRomeDay(value as IsoDate), to: startOfRomeDay(addDays(value as IsoDate, 1)) },
    };
  }
  throw invalidField('period', 'a month YYYY-MM or a day YYYY-MM-DD', 'invalid_period');
}

/**
 * Dated rule data: how many days a RUP has to perfect a lot, by the date its CIG was acquired
 * (Europe/Rome calendar). Changing a figure is a data change here plus a test, never a code change.
 */
export interface PerfectionWindowRule {
  /** First acquisition date the rule applies to, inclusive; null = since always. */
  from: string | null;
  /** Last acquisition date, inclusive; null = until further notice. */
  to: string | null;
  days: number;
  source: string;
}

export const perfectionWindowRules: readonly PerfectionWindowRule[] = [
  {
    from: '2020-03-19',
    to: '2022-06-16',
    days: 150,
    source: 'ANAC, extension of the perfezionamento window during the COVID-19 emergency',
  },
  { from: null, to: null, days: 90, source: 'ANAC, delibera n. 1 of 11 January 2017' },
];

/**
 * Dated rule data: the contribution owed to the Authority (ANAC), by the date the procedure started
 * (Europe/Rome calendar). Amounts in cents; bands by the amount of the tender (contracting authority)
 * or of the lot (each bidder), lower bound inclusive. Changing a figure is a data change here plus a
 * test, never a code change. Sources: ANAC deliberations on the contribution for 2019-2022 (in force
 * until 31/03/2023) and for 2023 onwards; the 2023+ table is reported by two sources and disputed by a
 * third for three rows (domain.md): it is data, correct it here if needed.
 */
export interface FeeBand {
  /** Lower bound of the amount, in cents, inclusive. */
  from: number;
  /** Contracting authority's fee, in cents (0 = exempt). */
  sa: number;
  /** Each bidder's fee, in cents (0 = exempt). */
  oe: number;
}

export interface FeeTable {
  id: string;
  /** First procedure start date the table applies to, inclusive; null = since always. */
  from: string | null;
  /** Last start date, inclusive; null = until further notice. */
  to: string | null;
  /** Ordered by `from`; an empty list means every procedure started in the period is exempt. */
  bands: FeeBand[];
  source: string;
}

const euro = (n: number) => n * 100;

const table2019: FeeBand[] = [
  { from: 0, sa: 0, oe: 0 },
  { from: euro(40_000), sa: euro(30), oe: 0 },
  { from: euro(150_000), sa: euro(225), oe: euro(20) },
  { from: euro(300_000), sa: euro(225), oe: euro(35) },
  { from: euro(500_000), sa: euro(375), oe: euro(70) },
  { from: euro(800_000), sa: euro(375), oe: euro(80) },
  { from: euro(1_000_000), sa: euro(600), oe: euro(140) },
  { from: euro(5_000_000), sa: euro(800), oe: euro(200) },
  { from: euro(20_000_000), sa: euro(800), oe: euro(500) },
];

const table2023: FeeBand[] = [
  { from: 0, sa: 0, oe: 0 },
  { from: euro(40_000), sa: euro(35), oe: 0 },
  { from: euro(150_000), sa: euro(250), oe: euro(18) },
  { from: euro(300_000), sa: euro(250), oe: euro(33) },
  { from: euro(500_000), sa: euro(410), oe: euro(77) },
  { from: euro(800_000), sa: euro(410), oe: euro(90) },
  { from: euro(1_000_000), sa: euro(660), oe: euro(165) },
  { from: euro(5_000_000), sa: euro(880), oe: euro(220) },
  { from: euro(20_000_000), sa: euro(880), oe: euro(560) },
];

/** Most specific first: the COVID exemption window overrides the table in force around it. */
export const feeTables: readonly FeeTable[] = [
  {
    id: 'covid-exemption-2020',
    from: '2020-05-19',
    to: '2020-12-31',
    bands: [],
    source: 'DL 34/2020 art. 65: procedures started 19/05/2020 - 31/12/2020 owe no contribution',
  },
  { id: 'anac-2019', from: null, to: '2023-03-31', bands: table2019, source: 'ANAC, contribution 2019-2022' },
  {
    id: 'anac-2023',
    from: '2023-04-01',
    to: null,
    bands: table2023,
    source: 'ANAC, contribution from 01/04/2023',
  },
];

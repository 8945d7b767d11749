import type { IsoDate } from '../shared/dates.js';
import { feeTables, type FeeBand, type FeeTable } from './fee-tables.js';

export interface Contribution {
  /** Cents; 0 when exempt. */
  amountCents: number;
  exempt: boolean;
  /** Why: the table and band applied, or the exemption. */
  basis: string;
  tableId: string;
}

export function feeTableFor(startDate: IsoDate, tables: readonly FeeTable[] = feeTables): FeeTable {
  const table = tables.find(
    (t) => (t.from === null || startDate >= t.from) && (t.to === null || startDate <= t.to),
  );
  if (!table) throw new Error(`no contribution table covers ${startDate}`);
  return table;
}

function bandFor(table: FeeTable, amountCents: number): FeeBand | undefined {
  let found: FeeBand | undefined;
  for (const band of table.bands) if (amountCents >= band.from) found = band;
  return found;
}

function contribution(
  who: 'sa' | 'oe',
  amountCents: number,
  startDate: IsoDate,
  tables?: readonly FeeTable[],
): Contribution {
  const table = feeTableFor(startDate, tables);
  const band = bandFor(table, amountCents);
  if (!band) return { amountCents: 0, exempt: true, basis: table.source, tableId: table.id };
  const fee = band[who];
  return {
    amountCents: fee,
    exempt: fee === 0,
    basis: `${table.source}, band from ${band.from / 100} EUR`,
    tableId: table.id,
  };
}

/** What the contracting authority owes for a tender, on its total amount. */
export const saContribution = (tenderTotalCents: number, startDate: IsoDate, tables?: readonly FeeTable[]) =>
  contribution('sa', tenderTotalCents, startDate, tables);

/** What each bidder owes for a lot, on the lot's amount. */
export const oeContribution = (lotAmountCents: number, startDate: IsoDate, tables?: readonly FeeTable[]) =>
  contribution('oe', lotAmountCents, startDate, tables);

import { describe, expect, it } from 'vitest';
import { feeTableFor, oeContribution, saContribution } from './contribution.js';
import { feeTables, type FeeTable } from './fee-tables.js';

const e = (euro: number) => euro * 100;

describe('contribution tables (dated data)', () => {
  it('May 2021 (the seed letter) uses the 2019-2022 table', () => {
    expect(feeTableFor('2021-05-07').id).toBe('anac-2019');
    expect(saContribution(e(480_000) + e(310_000), '2021-05-07').amountCents).toBe(e(375));
    expect(oeContribution(e(480_000), '2021-05-07').amountCents).toBe(e(35));
    expect(oeContribution(e(310_000), '2021-05-07').amountCents).toBe(e(35));
  });

  it('bands include their lower bound', () => {
    expect(saContribution(e(40_000), '2022-01-10').amountCents).toBe(e(30));
    expect(saContribution(e(40_000) - 1, '2022-01-10')).toMatchObject({ amountCents: 0, exempt: true });
    expect(oeContribution(e(150_000) - 1, '2022-01-10')).toMatchObject({ amountCents: 0, exempt: true });
    expect(oeContribution(e(150_000), '2022-01-10').amountCents).toBe(e(20));
    expect(oeContribution(e(20_000_000), '2022-01-10').amountCents).toBe(e(500));
    expect(oeContribution(e(19_999_999), '2022-01-10').amountCents).toBe(e(200));
  });

  it('from 1 April 2023 the new table applies', () => {
    expect(feeTableFor('2023-03-31').id).toBe('anac-2019');
    expect(feeTableFor('2023-04-01').id).toBe('anac-2023');
    expect(saContribution(e(1_000_000), '2023-04-01').amountCents).toBe(e(660));
    expect(oeContribution(e(1_000_000), '2023-04-01').amountCents).toBe(e(165));
    expect(oeContribution(e(25_000_000), '2026-11-26').amountCents).toBe(e(560));
  });

  it('procedures started 19/05/2020 - 31/12/2020 are exempt', () => {
    expect(saContribution(e(5_000_000), '2020-05-18').amountCents).toBe(e(800));
    expect(saContribution(e(5_000_000), '2020-05-19')).toMatchObject({
      amountCents: 0,
      exempt: true,
      tableId: 'covid-exemption-2020',
    });
    expect(oeContribution(e(5_000_000), '2020-12-31').exempt).toBe(true);
    expect(oeContribution(e(5_000_000), '2021-01-01').amountCents).toBe(e(200));
  });

  it('a corrected figure is a data change: the same code computes from the table given', () => {
    const corrected: FeeTable[] = feeTables.map((t) =>
      t.id === 'anac-2023'
        ? { ...t, bands: t.bands.map((b) => (b.from === e(300_000) ? { ...b, oe: e(35) } : b)) }
        : t,
    );
    expect(oeContribution(e(400_000), '2024-01-01', corrected).amountCents).toBe(e(35));
    expect(oeContribution(e(400_000), '2024-01-01').amountCents).toBe(e(33));
  });

  it('the tables cover every date without overlap except the exemption window', () => {
    for (const date of ['1999-01-01', '2019-01-01', '2020-05-19', '2021-05-07', '2023-04-01', '2099-12-31']) {
      expect(() => feeTableFor(date)).not.toThrow();
    }
    for (const t of feeTables) {
      for (let i = 1; i < t.bands.length; i++) expect(t.bands[i]!.from).toBeGreaterThan(t.bands[i - 1]!.from);
    }
  });
});

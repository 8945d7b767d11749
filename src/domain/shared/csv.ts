/**
 * The one CSV writer (API, portal and open data files): `;`-separated (what a spreadsheet set to Italian expects), CRLF
 * line ends, RFC 4180 quoting. A cell a spreadsheet would run as a formula (=, +, -, @, tab or CR first)
 * is prefixed with `'` so that it stays text (formula injection).
 */
export type CsvValue = string | number | null | undefined;

export function csvCell(value: CsvValue): string {
  const raw = value === null || value === undefined ? '' : String(value);
  const text = /^[=+\-@\t\r]/.test(raw) ? `'${raw}` : raw;
  return /[";\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(rows: readonly (readonly CsvValue[])[]): string {
  return rows.map((row) => row.map(csvCell).join(';')).join('\r\n');
}

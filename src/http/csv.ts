/** The CSV writer lives in src/domain/shared/csv.ts (the open data files use it too). */
export { csvCell, toCsv, type CsvValue } from '../domain/shared/csv.js';

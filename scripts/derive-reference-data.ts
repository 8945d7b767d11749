/**
 * Derives the project's reference data (reference-data/*.json) from the Authority's code lists
 * ("tipologiche", JSON). Run after a new release of the lists:
 *   npm run reference-data -- ../shared/data/anac-tipologiche
 * The output is committed; the service never reads ../shared at run time.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

interface Entry {
  codice: string;
  descrizione: { it: string; en?: string };
  dataInizio: string | null;
  dataFine: string | null;
}

const source = resolve(process.argv[2] ?? '../shared/data/anac-tipologiche');
const target = resolve(import.meta.dirname, '../reference-data');

const read = (name: string): Entry[] =>
  JSON.parse(readFileSync(join(source, `${name}.json`), 'utf8')) as Entry[];
const day = (value: string | null): string | null => (value === null ? null : value.slice(0, 10));

function write(file: string, list: string, columns: string[], rows: unknown[][]): void {
  rows.sort((a, b) => String(a[0]).localeCompare(String(b[0]), 'en', { numeric: true }));
  const body = { source: `ANAC tipologiche: ${list}.json`, columns, rows };
  writeFileSync(join(target, file), `${JSON.stringify(body)}\n`);
  console.log(`${file}: ${rows.length} rows`);
}

write(
  'cpv.json',
  'CPV',
  ['code', 'description_it', 'description_en'],
  read('CPV').map((e) => [e.codice, e.descrizione.it.trim(), (e.descrizione.en ?? e.descrizione.it).trim()]),
);
write(
  'istat-places.json',
  'codIstat',
  ['code', 'name', 'valid_from', 'valid_to'],
  read('codIstat').map((e) => [e.codice, e.descrizione.it.trim(), day(e.dataInizio), day(e.dataFine)]),
);
for (const [file, list] of [
  ['procedure-types.json', 'sceltaContraente'],
  ['urgency-reasons.json', 'motivoUrgenza'],
] as const) {
  write(
    file,
    list,
    ['code', 'description', 'valid_from', 'valid_to'],
    read(list).map((e) => [e.codice, e.descrizione.it.trim(), day(e.dataInizio), day(e.dataFine)]),
  );
}

import { readFileSync } from 'node:fs';
import AjvDraft04 from 'ajv-draft-04';
import formats from 'ajv-formats';

/**
 * The official OCDS 1.1.5 schemas (test/fixtures/ocds-1.1.5, see its README) under Ajv's draft-04
 * support. strict: false because the schemas carry OCDS's own keywords (codelist, openCodelist,
 * mergeStrategy, deprecated...), which JSON Schema ignores.
 */
const dir = new URL('../fixtures/ocds-1.1.5/', import.meta.url);
const load = (name: string) => JSON.parse(readFileSync(new URL(name, dir), 'utf8')) as object;

// Both are CommonJS modules: imported from ESM, the class and the plugin are their .default.
const ajv = new AjvDraft04.default({ strict: false, allErrors: true });
formats.default(ajv);
ajv.addSchema(load('release-schema.json'));
ajv.addSchema(load('versioned-release-validation-schema.json'));
export const validateReleasePackage = ajv.compile(load('release-package-schema.json'));
export const validateRecordPackage = ajv.compile(load('record-package-schema.json'));

/** The codes of an official codelist (its CSV's first column). */
export function codelist(name: string): Set<string> {
  const lines = readFileSync(new URL(`codelists/${name}.csv`, dir), 'utf8')
    .trim()
    .split(/\r?\n/)
    .slice(1);
  return new Set(lines.map((l) => l.split(',')[0]!.replace(/^"|"$/g, '')));
}

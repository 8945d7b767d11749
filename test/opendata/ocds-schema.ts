import { readFileSync } from 'node:fs';
import AjvDraft04 from 'ajv-draft-04';
import formats from 'ajv-formats';

/**
 * The official OCDS 1.1.5 schemas (test/fixtures/ocds-1.1.5) with the lots extension v1.1.5
 * (test/fixtures/ocds_lots_extension-v1.1.5) merged into the release schema, under Ajv's draft-04
 * support. strict: false because the schemas carry OCDS's own keywords (codelist, openCodelist,
 * mergeStrategy, deprecated...), which JSON Schema ignores.
 */
const fixtures = new URL('../fixtures/', import.meta.url);
const dir = new URL('ocds-1.1.5/', fixtures);
const read = (url: URL) => JSON.parse(readFileSync(url, 'utf8')) as Record<string, unknown>;
const load = (name: string) => read(new URL(name, dir));

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const isObject = (value: unknown): value is Record<string, Json> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * RFC 7396 JSON Merge Patch, as OCDS tooling applies an extension's release-schema.json to the core
 * schema: objects merge member by member, null removes a member, anything else (arrays included)
 * replaces. Returns a new value; neither argument is changed.
 */
export function mergePatch(target: unknown, patch: unknown): Json {
  if (!isObject(patch)) return patch as Json;
  const result: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/** The core release schema with the lots extension applied (same id: it replaces the core one). */
export const coreReleaseSchema = load('release-schema.json');
export const lotsExtensionPatch = read(new URL('ocds_lots_extension-v1.1.5/release-schema.json', fixtures));
export const releaseSchema = mergePatch(coreReleaseSchema, lotsExtensionPatch) as Record<string, unknown>;

// Both are CommonJS modules: imported from ESM, the class and the plugin are their .default.
const ajv = new AjvDraft04.default({ strict: false, allErrors: true });
formats.default(ajv);
ajv.addSchema(releaseSchema);
ajv.addSchema(load('versioned-release-validation-schema.json'));
export const validateReleasePackage = ajv.compile(load('release-package-schema.json'));
export const validateRecordPackage = ajv.compile(load('record-package-schema.json'));

/** A release checked against the core schema alone, to show what the extension adds. */
const coreOnly = new AjvDraft04.default({ strict: false, allErrors: true });
formats.default(coreOnly);
export const validateCoreRelease = coreOnly.compile(coreReleaseSchema);
export const validateRelease = ajv.getSchema(releaseSchema.id as string)!;

/** The codes of an official codelist (its CSV's first column). */
export function codelist(name: string): Set<string> {
  const lines = readFileSync(new URL(`codelists/${name}.csv`, dir), 'utf8')
    .trim()
    .split(/\r?\n/)
    .slice(1);
  return new Set(lines.map((l) => l.split(',')[0]!.replace(/^"|"$/g, '')));
}

import addFormats from 'ajv-formats';
import type { FastifyRequest, FastifyServerOptions } from 'fastify';
import { isValidDateTime, isValidIsoDate, isValidPeriod } from '../domain/shared/dates.js';
import { DomainError } from '../domain/shared/errors.js';

/**
 * The API's shared formats, on the one Ajv instance that validates bodies, query strings and path
 * parameters: `date`, `date-time` and `year-month` accept real calendar values in the plausible years
 * only (domain/shared/dates.ts), so year 0000 or 1970 is a 400 naming the field, never a database error.
 */
interface FormatHost {
  addFormat(name: string, format: { type: 'string'; validate: (value: string) => boolean }): unknown;
}
type AjvPlugins = NonNullable<NonNullable<FastifyServerOptions['ajv']>['plugins']>;

/** ajv-formats first (Fastify then does not add it again after us), ours over its `date`s. */
export const ajvPlugins = [
  addFormats,
  function garaFormats(ajv: FormatHost) {
    ajv.addFormat('date', { type: 'string', validate: isValidIsoDate });
    ajv.addFormat('date-time', { type: 'string', validate: isValidDateTime });
    ajv.addFormat('year-month', { type: 'string', validate: isValidPeriod });
    return ajv;
  },
] as unknown as AjvPlugins;

/** U+0000 (PostgreSQL text cannot hold it) or a UTF-16 surrogate without its pair (not Unicode text). */
const UNSAFE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const pathOf = (parent: string, key: string | number): string =>
  typeof key === 'number' ? `${parent}[${key}]` : parent ? `${parent}.${key}` : key;

/** JSON nested deeper than this is refused before anything walks it (no recursion runs out of stack). */
export const MAX_INPUT_DEPTH = 64;

/** A string that is not safe text, or a value nested too deep: where, and what. */
interface Finding {
  path: string;
  tooDeep: boolean;
}

/** The path of the first string (value or property name) that is not safe text, or undefined. */
export function findUnsafeText(value: unknown, path = ''): string | undefined {
  return findUnsafe(value, path, 0)?.path;
}

function findUnsafe(value: unknown, path: string, depth: number): Finding | undefined {
  if (typeof value === 'string') return UNSAFE.test(value) ? { path, tooDeep: false } : undefined;
  if (typeof value !== 'object' || value === null || Buffer.isBuffer(value)) return undefined;
  if (depth >= MAX_INPUT_DEPTH) return { path, tooDeep: true };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      const found = findUnsafe(value[i], pathOf(path, i), depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  for (const [key, item] of Object.entries(value)) {
    const at = pathOf(path, key);
    if (UNSAFE.test(key)) return { path: at, tooDeep: false };
    const found = findUnsafe(item, at, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Portal form fields that a form sends more than once on purpose (check boxes). */
const MULTI_VALUED_FORM_FIELDS = new Set(['servizi']);

/**
 * A global preValidation hook: every string in the parsed body (JSON or form), the query string and the
 * path parameters must be safe text. Global, so that no route or form can forget it.
 */
export async function refuseUnsafeText(request: FastifyRequest): Promise<void> {
  const parts: [string, unknown][] = [
    ['params', request.params],
    ['querystring', request.query],
    ['body', request.body],
  ];
  for (const [location, value] of parts) {
    const found = findUnsafe(value, '', 0);
    if (found?.tooDeep)
      throw new DomainError(
        'validation_failed',
        `${location} is nested deeper than ${MAX_INPUT_DEPTH} levels`,
        { field: found.path || location, reason: 'too_deep' },
      );
    if (found !== undefined)
      throw new DomainError(
        'validation_failed',
        `${location}${found.path ? ` field "${found.path}"` : ''} contains U+0000 or a lone UTF-16 surrogate`,
        { field: found.path || location, reason: 'unsafe_text' },
      );
  }
  // The portal's pages read each field as one string: a field sent twice (?codice=A&codice=B) is refused
  // here, not met as an array by code that expects text. The API's schemas refuse it on their own.
  if (request.url.startsWith('/api/')) return;
  for (const [location, value] of parts.slice(1)) {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || Buffer.isBuffer(value))
      continue;
    for (const [key, item] of Object.entries(value)) {
      if (Array.isArray(item) && !MULTI_VALUED_FORM_FIELDS.has(key))
        throw new DomainError('validation_failed', `${location} field "${key}" is given more than once`, {
          field: key,
          reason: 'repeated_field',
        });
    }
  }
}

/**
 * A global preHandler hook (after validation): a query-string or path parameter that Ajv coerced to a
 * number that is not finite (`?limit=1e309`, `Infinity`) is refused. Ajv's integer check accepts
 * Infinity and its minimum/maximum checks skip it; JSON bodies are checked by Ajv itself.
 */
export async function refuseNonFiniteNumbers(request: FastifyRequest): Promise<void> {
  const parts: [string, unknown][] = [
    ['params', request.params],
    ['querystring', request.query],
  ];
  for (const [location, value] of parts) {
    if (typeof value !== 'object' || value === null) continue;
    for (const [key, item] of Object.entries(value)) {
      const items: unknown[] = Array.isArray(item) ? item : [item];
      if (items.some((n) => typeof n === 'number' && !Number.isFinite(n)))
        throw new DomainError('validation_failed', `${location} field "${key}" is not a finite number`, {
          field: key,
          reason: 'not_finite',
        });
    }
  }
}

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

/** The path of the first string (value or property name) that is not safe text, or undefined. */
export function findUnsafeText(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return UNSAFE.test(value) ? path : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      const found = findUnsafeText(value[i], pathOf(path, i));
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (typeof value === 'object' && value !== null && !Buffer.isBuffer(value)) {
    for (const [key, item] of Object.entries(value)) {
      const at = pathOf(path, key);
      if (UNSAFE.test(key)) return at;
      const found = findUnsafeText(item, at);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

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
    const field = findUnsafeText(value);
    if (field !== undefined)
      throw new DomainError(
        'validation_failed',
        `${location}${field ? ` field "${field}"` : ''} contains U+0000 or a lone UTF-16 surrogate`,
        { field: field || location, reason: 'unsafe_text' },
      );
  }
}

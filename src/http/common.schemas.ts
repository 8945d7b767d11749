import { Type, type Static, type TSchema, type TUnsafe } from 'typebox';
import { AMOUNT_PATTERN } from '../domain/shared/money.js';
import { ISO_DATE_PATTERN, PERIOD_PATTERN } from '../domain/shared/dates.js';

export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String({ description: 'Stable error code' }),
    reason: Type.Optional(Type.String({ description: 'Finer stable reason within the code' })),
    field: Type.Optional(Type.String({ description: 'The offending field, e.g. lots[0].amount' })),
    instance: Type.String(),
    requestId: Type.String(),
  },
  { description: 'RFC 9457 problem details' },
);

export const Amount = Type.String({
  pattern: AMOUNT_PATTERN,
  description: 'Amount in euro as a decimal string, at most 2 decimals',
  examples: ['150000.00'],
});
export const IsoDate = Type.String({
  format: 'date',
  pattern: ISO_DATE_PATTERN,
  description: 'Calendar date YYYY-MM-DD, years 2000-2100',
  examples: ['2021-05-10'],
});
export const DateTime = Type.String({
  format: 'date-time',
  description: 'RFC 3339 date-time with offset, years 2000-2100',
});
/** A calendar month, e.g. a grouping period. */
export const Period = Type.String({
  format: 'year-month',
  pattern: PERIOD_PATTERN,
  description: 'Calendar month YYYY-MM, years 2000-2100',
  examples: ['2026-03'],
});
/**
 * `T or null` as a JSON Schema type list (`type: ['string', 'null']`) rather than anyOf: the same in
 * OpenAPI 3.1, and the response serializer does not have to try each branch with a validator.
 */
export const Nullable = <T extends TSchema>(schema: T): TUnsafe<Static<T> | null> => {
  const type = (schema as { type?: unknown }).type;
  return typeof type === 'string'
    ? Type.Unsafe<Static<T> | null>({ ...schema, type: [type, 'null'] })
    : Type.Unsafe<Static<T> | null>(Type.Union([schema, Type.Null()]));
};
export const Uuid = Type.String({ format: 'uuid' });

/** How many items a list skips: bounded, so that no number overflows the database's bigint. */
export const Offset = Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 });
const pageProperties = {
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
  offset: Offset,
};
export const PageQuery = Type.Object(pageProperties, { additionalProperties: false });
export type PageQuery = Static<typeof PageQuery>;

/** Paging plus filters, as one flat query-string object. */
export const pageQueryWith = <P extends Record<string, TSchema>>(filters: P) =>
  Type.Object({ ...pageProperties, ...filters }, { additionalProperties: false });

export const pageOf = <T extends TSchema>(item: T) =>
  Type.Object({
    items: Type.Array(item),
    total: Type.Integer(),
    limit: Type.Integer(),
    offset: Type.Integer(),
  });

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      pattern: '^[\\x21-\\x7e]+$',
      description: 'A unique key per creating request: a retry with the same key returns the first result',
    }),
  ),
});

/** Standard error responses, for the OpenAPI document. */
export const errors = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, Problem]));

export const CancellationView = Type.Object({
  reason: Type.Integer(),
  reasonLabel: Type.String(),
  note: Nullable(Type.String()),
  cancelledAt: DateTime,
});

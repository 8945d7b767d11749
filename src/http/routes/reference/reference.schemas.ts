import { Type } from 'typebox';
import { Nullable } from '../../common.schemas.js';

export const DatedCode = Type.Object({
  code: Type.String(),
  description: Type.String(),
  validFrom: Nullable(Type.String()),
  validTo: Nullable(Type.String()),
});
export const SearchQuery = Type.Object(
  {
    q: Type.String({ minLength: 2, maxLength: 100 }),
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
  },
  { additionalProperties: false },
);

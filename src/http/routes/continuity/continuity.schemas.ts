import { Type } from 'typebox';
import { PROVISIONAL_REFERENCE_PATTERN, serviceCodes } from '../../../domain/continuity/continuity-rules.js';

export const security = [{ bearer: [] }];
export const ServiceCode = Type.Union(serviceCodes.map((c) => Type.Literal(c)));
export const ReferenceParams = Type.Object({
  reference: Type.String({
    pattern: PROVISIONAL_REFERENCE_PATTERN,
    description: 'Provisional reference, e.g. PROV-2021-000123',
  }),
});

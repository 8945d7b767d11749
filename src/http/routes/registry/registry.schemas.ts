import { Type } from 'typebox';
import { roles } from '../../../services/ports.js';
import { DateTime, Nullable, Uuid } from '../../common.schemas.js';

export const IdParams = Type.Object({ id: Uuid });
export const Pec = Type.String({
  minLength: 3,
  maxLength: 254,
  description: 'Certified e-mail (PEC) address',
});
export const Name = Type.String({ minLength: 1, maxLength: 500 });
export const Role = Type.Union(roles.map((r) => Type.Literal(r)));

export const SectionView = Type.Object({
  code: Type.String(),
  name: Type.String(),
  regionName: Type.String(),
  regionIstat: Type.String(),
  provinceIstat: Nullable(Type.String()),
  city: Type.String(),
  pec: Type.String(),
  aooCode: Type.String(),
  letterheadOffices: Type.Array(Type.String(), {
    description: 'Letterhead lines between the region and the section (the offices above it)',
  }),
  website: Nullable(Type.String({ description: 'Web site printed at the foot of the letters' })),
});

export const CostCentreBody = Type.Object(
  { code: Type.String({ minLength: 1, maxLength: 40 }), name: Type.String({ minLength: 1, maxLength: 300 }) },
  { additionalProperties: false },
);

export const ContractingAuthorityView = Type.Object({
  id: Uuid,
  fiscalCode: Type.String(),
  ausaCode: Type.String(),
  name: Type.String(),
  istatPlace: Type.String(),
  placeName: Type.String(),
  regionalSection: Type.String(),
  pec: Type.String(),
  active: Type.Boolean(),
  costCentres: Type.Array(
    Type.Object({ id: Uuid, code: Type.String(), name: Type.String(), active: Type.Boolean() }),
  ),
  createdAt: DateTime,
  updatedAt: DateTime,
});

export const EconomicOperatorView = Type.Object({
  id: Uuid,
  fiscalCode: Type.String(),
  vatNumber: Nullable(Type.String()),
  name: Type.String(),
  pec: Nullable(Type.String()),
  createdAt: DateTime,
  updatedAt: DateTime,
});

export const UserView = Type.Object({
  id: Uuid,
  name: Type.String(),
  email: Type.String(),
  fiscalCode: Nullable(Type.String()),
  role: Type.String(),
  contractingAuthorityId: Nullable(Type.String()),
  economicOperatorId: Nullable(Type.String()),
  regionalSection: Nullable(Type.String()),
  active: Type.Boolean(),
  createdAt: DateTime,
});

import type {
  ContractingAuthority,
  EconomicOperator,
  RegionalSection,
  User,
} from '../../../services/ports.js';

export const presentSection = (s: RegionalSection) => ({
  code: s.code,
  name: s.name,
  regionName: s.regionName,
  regionIstat: s.regionIstat,
  provinceIstat: s.provinceIstat,
  city: s.city,
  pec: s.pec,
  aooCode: s.aooCode,
  letterheadOffices: s.letterheadOffices,
  website: s.website,
});

export const presentContractingAuthority = (ca: ContractingAuthority) => ({
  id: ca.id,
  fiscalCode: ca.fiscalCode,
  ausaCode: ca.ausaCode,
  name: ca.name,
  istatPlace: ca.istatPlaceCode,
  placeName: ca.placeName,
  regionalSection: ca.regionalSectionCode,
  pec: ca.pec,
  active: ca.active,
  costCentres: ca.costCentres.map((c) => ({ id: c.id, code: c.code, name: c.name, active: c.active })),
  createdAt: ca.createdAt.toISOString(),
  updatedAt: ca.updatedAt.toISOString(),
});

export const presentEconomicOperator = (oe: EconomicOperator) => ({
  id: oe.id,
  fiscalCode: oe.fiscalCode,
  vatNumber: oe.vatNumber,
  name: oe.name,
  pec: oe.pec,
  createdAt: oe.createdAt.toISOString(),
  updatedAt: oe.updatedAt.toISOString(),
});

export const presentUser = (u: User) => ({
  id: u.id,
  name: u.name,
  email: u.email,
  fiscalCode: u.fiscalCode,
  role: u.role,
  contractingAuthorityId: u.contractingAuthorityId,
  economicOperatorId: u.economicOperatorId,
  regionalSection: u.regionalSectionCode,
  active: u.active,
  createdAt: u.createdAt.toISOString(),
});

/**
 * The registry's nouns: regional sections, contracting authorities and their cost centres, economic
 * operators, users and their roles. Plain data: ids are UUID strings, instants are Date.
 */

export type Role = 'rup' | 'economic_operator' | 'regional_staff' | 'authority_staff' | 'admin';

export const roles: readonly Role[] = [
  'rup',
  'economic_operator',
  'regional_staff',
  'authority_staff',
  'admin',
];

export interface RegionalSection {
  code: string;
  name: string;
  regionName: string;
  regionIstat: string;
  provinceIstat: string | null;
  city: string;
  pec: string;
  aooCode: string;
  /** Letterhead lines between the region and the section (the offices it belongs to), top to bottom. */
  letterheadOffices: string[];
  /** The web site printed at the foot of its letters, e.g. www.regione.puglia.it. */
  website: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ContractingAuthority {
  id: string;
  fiscalCode: string;
  ausaCode: string;
  name: string;
  istatPlaceCode: string;
  placeName: string;
  regionalSectionCode: string;
  pec: string;
  active: boolean;
  costCentres: CostCentre[];
  createdAt: Date;
  updatedAt: Date;
}

export interface CostCentre {
  id: string;
  code: string;
  name: string;
  active: boolean;
}

export interface EconomicOperator {
  id: string;
  fiscalCode: string;
  vatNumber: string | null;
  name: string;
  pec: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface User {
  id: string;
  name: string;
  email: string;
  fiscalCode: string | null;
  role: Role;
  contractingAuthorityId: string | null;
  economicOperatorId: string | null;
  regionalSectionCode: string | null;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

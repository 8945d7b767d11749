/**
 * Italian regions by ISTAT code (the first three digits of a place code) and the 21 regional sections
 * of the Osservatorio dei contratti pubblici: one per region, two for Trentino-Alto Adige (the
 * autonomous provinces of Bolzano, ISTAT 021, and Trento, 022).
 */

export interface RegionalSectionDefinition {
  /** Stable short code, used in URLs and demo data. */
  code: string;
  regionName: string;
  /** ISTAT region code, 3 digits. */
  regionIstat: string;
  /** ISTAT province code for the two autonomous provinces; null elsewhere. */
  provinceIstat: string | null;
  /** Chief town where the section sits. */
  city: string;
}

export const regionalSections: readonly RegionalSectionDefinition[] = [
  { code: 'PIE', regionName: 'Piemonte', regionIstat: '001', provinceIstat: null, city: 'Torino' },
  { code: 'VDA', regionName: "Valle d'Aosta", regionIstat: '002', provinceIstat: null, city: 'Aosta' },
  { code: 'LOM', regionName: 'Lombardia', regionIstat: '003', provinceIstat: null, city: 'Milano' },
  {
    code: 'BZ',
    regionName: 'Provincia autonoma di Bolzano',
    regionIstat: '004',
    provinceIstat: '021',
    city: 'Bolzano',
  },
  {
    code: 'TN',
    regionName: 'Provincia autonoma di Trento',
    regionIstat: '004',
    provinceIstat: '022',
    city: 'Trento',
  },
  { code: 'VEN', regionName: 'Veneto', regionIstat: '005', provinceIstat: null, city: 'Venezia' },
  {
    code: 'FVG',
    regionName: 'Friuli-Venezia Giulia',
    regionIstat: '006',
    provinceIstat: null,
    city: 'Trieste',
  },
  { code: 'LIG', regionName: 'Liguria', regionIstat: '007', provinceIstat: null, city: 'Genova' },
  { code: 'EMR', regionName: 'Emilia-Romagna', regionIstat: '008', provinceIstat: null, city: 'Bologna' },
  { code: 'TOS', regionName: 'Toscana', regionIstat: '009', provinceIstat: null, city: 'Firenze' },
  { code: 'UMB', regionName: 'Umbria', regionIstat: '010', provinceIstat: null, city: 'Perugia' },
  { code: 'MAR', regionName: 'Marche', regionIstat: '011', provinceIstat: null, city: 'Ancona' },
  { code: 'LAZ', regionName: 'Lazio', regionIstat: '012', provinceIstat: null, city: 'Roma' },
  { code: 'ABR', regionName: 'Abruzzo', regionIstat: '013', provinceIstat: null, city: "L'Aquila" },
  { code: 'MOL', regionName: 'Molise', regionIstat: '014', provinceIstat: null, city: 'Campobasso' },
  { code: 'CAM', regionName: 'Campania', regionIstat: '015', provinceIstat: null, city: 'Napoli' },
  { code: 'PUG', regionName: 'Puglia', regionIstat: '016', provinceIstat: null, city: 'Bari' },
  { code: 'BAS', regionName: 'Basilicata', regionIstat: '017', provinceIstat: null, city: 'Potenza' },
  { code: 'CAL', regionName: 'Calabria', regionIstat: '018', provinceIstat: null, city: 'Catanzaro' },
  { code: 'SIC', regionName: 'Sicilia', regionIstat: '019', provinceIstat: null, city: 'Palermo' },
  { code: 'SAR', regionName: 'Sardegna', regionIstat: '020', provinceIstat: null, city: 'Cagliari' },
];

/** ISTAT place codes are 9 digits: region (3), province (3), municipality (3). 999 = abroad. */
export const ISTAT_PLACE_PATTERN = '^[0-9]{9}$';

/** The regional section competent for a place, or undefined for places abroad. */
export function sectionCodeForPlace(istatPlace: string): string | undefined {
  const region = istatPlace.slice(0, 3);
  const province = istatPlace.slice(3, 6);
  const candidates = regionalSections.filter((s) => s.regionIstat === region);
  if (candidates.length <= 1) return candidates[0]?.code;
  return candidates.find((s) => s.provinceIstat === province)?.code;
}

import {
  instantFromRomeLocal,
  isValidIsoDate,
  romeLocalDateTime,
  type IsoDate,
} from '../../domain/shared/dates.js';
import { invalidField } from '../../domain/shared/errors.js';
import type { ContractObject } from '../../domain/tenders/tender-rules.js';

/**
 * SIMOG's TIPO_CONTRATTO (L lavori, F forniture, S servizi) and gara's contract objects (the
 * oggettoContratto code list: works, supplies, services), both ways.
 */
const CONTRACT_OBJECTS: Record<string, ContractObject> = {
  L: 'works',
  F: 'supplies',
  S: 'services',
  works: 'works',
  supplies: 'supplies',
  services: 'services',
};

export function contractObjectOf(
  tipoContratto: string | undefined,
  field = 'TIPO_CONTRATTO',
): ContractObject {
  const found = tipoContratto === undefined ? undefined : CONTRACT_OBJECTS[tipoContratto];
  if (!found) {
    throw invalidField(field, `${field} deve essere L (lavori), F (forniture) o S (servizi)`);
  }
  return found;
}

export const tipoContrattoOf = (object: ContractObject): string =>
  ({ works: 'L', supplies: 'F', services: 'S' })[object];

/** A SIMOG date: 2026-03-02, 2026-03-02T00:00:00 (the dateTime of the schema), or 02/03/2026. */
export function simogDate(value: string | undefined, field: string): IsoDate | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const v = value.trim();
  const italian = /^([0-9]{2})\/([0-9]{2})\/([0-9]{4})$/.exec(v);
  const iso = italian ? `${italian[3]}-${italian[2]}-${italian[1]}` : v.slice(0, 10);
  if (!isValidIsoDate(iso) || (!italian && v.length > 10 && v[10] !== 'T')) {
    throw invalidField(field, `${field}: "${v.slice(0, 30)}" non è una data (AAAA-MM-GG o GG/MM/AAAA)`);
  }
  return iso;
}

/** dataScadenzaPag + oraScadenza (HH:MM, Italian time; 23:59 when absent) as an instant. */
export function simogDeadline(date: string | undefined, time: string | undefined, field: string): Date {
  const day = simogDate(date, field);
  if (day === undefined) throw invalidField(field, `${field}: data obbligatoria`);
  const hhmm = time === undefined || time.trim() === '' ? '23:59' : time.trim();
  if (!/^([01][0-9]|2[0-3])[:.][0-5][0-9]$/.test(hhmm)) {
    throw invalidField('oraScadenza', `oraScadenza: "${hhmm.slice(0, 10)}" non è un orario (HH:MM)`);
  }
  return instantFromRomeLocal(`${day}T${hhmm.replace('.', ':')}:00`);
}

/** An instant as the schema's DbDateType (xs:dateTime), Italian wall-clock time. */
export const simogDateTime = (instant: Date): string => romeLocalDateTime(instant);
export const simogDayTime = (date: IsoDate): string => `${date}T00:00:00`;

/** REST field names of gara's services, as the SIMOG payload names them. */
const FIELD_NAMES: Record<string, string> = {
  object: 'OGGETTO',
  amount: 'IMPORTO_LOTTO',
  cpv: 'CPV',
  place: 'LUOGO_ISTAT',
  procedureType: 'ID_SCELTA_CONTRAENTE',
  contractObject: 'TIPO_CONTRATTO',
  publicationDate: 'dataPubblicazione',
  invitationDate: 'dataPubblicazione',
  bidDeadline: 'dataScadenzaPag',
  reason: 'id_motivazione',
  note: 'note_canc',
  'lots[0].object': 'OGGETTO',
  'lots[0].amount': 'IMPORTO_LOTTO',
  'lots[0].cpv': 'CPV',
  'lots[0].place': 'LUOGO_ISTAT',
};

export const simogFieldOf = (field: string): string => FIELD_NAMES[field] ?? field;

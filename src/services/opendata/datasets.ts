import { romeDateOf, type IsoDate } from '../../domain/shared/dates.js';
import {
  AUTOMATIC_CANCELLATION,
  automaticCancellationLabel,
  lotCancellationReasons,
  tenderCancellationReasons,
} from '../../domain/tenders/tender-rules.js';
import type { AuthorityExportRow, CigExportRow, SmartCigExportRow } from './ports.js';

/** An amount in euro cents: CSV writes "1234,56", JSON the number 1234.56 (exact, never a float). */
export class Amount {
  constructor(readonly cents: number) {}
  decimal(separator: ',' | '.'): string {
    const sign = this.cents < 0 ? '-' : '';
    const abs = Math.abs(this.cents);
    return `${sign}${Math.trunc(abs / 100)}${separator}${String(abs % 100).padStart(2, '0')}`;
  }
}

export type Cell = string | number | Amount | null;

export interface Dataset<Row> {
  name: 'cig' | 'smartcig' | 'stazioni-appaltanti';
  columns: readonly string[];
  cells(row: Row): Cell[];
}

const contractObjectIt = { works: 'LAVORI', supplies: 'FORNITURE', services: 'SERVIZI' } as const;
const sectorIt = { ordinary: 'SETTORI ORDINARI', special: 'SETTORI SPECIALI' } as const;
/** statoLotto: issued = in lavorazione, perfected = confermato, cancelled = cancellato. */
const lotStateIt = { issued: 'IN LAVORAZIONE', perfected: 'CONFERMATO', cancelled: 'CANCELLATO' } as const;

const daysByHour = new Map<number, IsoDate>();

/**
 * romeDateOf, memoised per UTC hour (Rome's offsets are whole hours and change on the hour): a row has
 * up to four instants, which defeat romeDateOf's one-entry memo, and Intl is slow. Bounded.
 */
function romeDay(instant: Date): IsoDate {
  const hour = Math.floor(instant.getTime() / 3_600_000);
  let date = daysByHour.get(hour);
  if (date === undefined) {
    if (daysByHour.size >= 100_000) daysByHour.clear();
    date = romeDateOf(instant);
    daysByHour.set(hour, date);
  }
  return date;
}

const day = (instant: Date | null): string | null => (instant ? romeDay(instant) : null);

export function cancellationLabel(reason: number | null): string | null {
  if (reason === null) return null;
  if (reason === AUTOMATIC_CANCELLATION) return automaticCancellationLabel;
  return lotCancellationReasons[reason] ?? tenderCancellationReasons[reason] ?? null;
}

/** The Authority's "cig" dataset, one row per lot (no RUP, no personal data). */
export const cigDataset: Dataset<CigExportRow> = {
  name: 'cig',
  columns: [
    'cig',
    'cig_accordo_quadro',
    'numero_gara',
    'oggetto_gara',
    'importo_complessivo_gara',
    'n_lotti_componenti',
    'oggetto_lotto',
    'importo_lotto',
    'oggetto_principale_contratto',
    'stato',
    'settore',
    'luogo_istat',
    'provincia',
    'data_pubblicazione',
    'data_scadenza_offerta',
    'cod_tipo_scelta_contraente',
    'tipo_scelta_contraente',
    'codice_ausa',
    'cf_amministrazione_appaltante',
    'denominazione_amministrazione_appaltante',
    'sezione_regionale',
    'id_centro_costo',
    'denominazione_centro_costo',
    'anno_pubblicazione',
    'mese_pubblicazione',
    'cod_cpv',
    'descrizione_cpv',
    'COD_MOTIVO_CANCELLAZIONE',
    'MOTIVO_CANCELLAZIONE',
    'DATA_CANCELLAZIONE',
    'DATA_ULTIMO_PERFEZIONAMENTO',
    'FLAG_URGENZA',
    'COD_MOTIVO_URGENZA',
    'data_inizio_procedura',
  ],
  cells(r) {
    const published = romeDay(r.acquiredAt);
    return [
      r.cig,
      null,
      r.tenderNumber,
      r.tenderObject,
      new Amount(r.tenderAmountCents),
      r.lotCount,
      r.lotObject,
      new Amount(r.amountCents),
      contractObjectIt[r.contractObject],
      lotStateIt[r.state],
      sectorIt[r.sector],
      r.istatPlaceCode,
      // gara keeps ISTAT codes only: the province is the code's region+province digits.
      r.istatPlaceCode.slice(0, 6),
      published,
      day(r.bidDeadline),
      r.procedureTypeCode,
      r.procedureTypeName,
      r.ausaCode,
      r.authorityFiscalCode,
      r.authorityName,
      r.sectionName,
      r.costCentreCode,
      r.costCentreName,
      Number(published.slice(0, 4)),
      Number(published.slice(5, 7)),
      r.cpvCode,
      r.cpvDescription,
      r.cancelReason,
      cancellationLabel(r.cancelReason),
      day(r.cancelledAt),
      day(r.perfectedAt),
      r.urgencyReasonCode === null ? 'N' : 'S',
      r.urgencyReasonCode,
      r.publicationDate ?? r.invitationDate,
    ];
  },
};

export const smartCigDataset: Dataset<SmartCigExportRow> = {
  name: 'smartcig',
  columns: [
    'cig',
    'tipo_contratto',
    'oggetto_principale_contratto',
    'cod_tipo_scelta_contraente',
    'tipo_scelta_contraente',
    'oggetto',
    'importo',
    'cup',
    'stato',
    'data_pubblicazione',
    'anno_pubblicazione',
    'mese_pubblicazione',
    'DATA_CANCELLAZIONE',
    'codice_ausa',
    'cf_amministrazione_appaltante',
    'denominazione_amministrazione_appaltante',
  ],
  cells(r) {
    const published = romeDay(r.createdAt);
    return [
      r.cig,
      r.contractType,
      contractObjectIt[r.contractObject],
      r.procedureTypeCode,
      r.procedureTypeName,
      r.object,
      new Amount(r.amountCents),
      r.cup,
      r.state === 'cancelled' ? 'CANCELLATO' : 'ATTIVO',
      published,
      Number(published.slice(0, 4)),
      Number(published.slice(5, 7)),
      day(r.cancelledAt),
      r.ausaCode,
      r.authorityFiscalCode,
      r.authorityName,
    ];
  },
};

export const authorityDataset: Dataset<AuthorityExportRow> = {
  name: 'stazioni-appaltanti',
  columns: [
    'codice_fiscale',
    'codice_ausa',
    'denominazione',
    'luogo_istat',
    'codice_sezione_regionale',
    'sezione_regionale',
    'stato',
    'data_inizio',
  ],
  cells(r) {
    return [
      r.fiscalCode,
      r.ausaCode,
      r.name,
      r.istatPlaceCode,
      r.sectionCode,
      r.sectionName,
      r.active ? 'ATTIVA' : 'NON ATTIVA',
      romeDay(r.createdAt),
    ];
  },
};

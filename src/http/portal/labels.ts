import { formatDateTimeIt } from '../../domain/shared/dates.js';
import type { LotState, TenderState } from '../../domain/tenders/tender-rules.js';

/** "07/05/2021 ore 10:15", Italian time. */
export const dateTimeIt = (d: Date): string => formatDateTimeIt(d, { joiner: ' ore ' });

export const tenderStateLabels: Record<TenderState, string> = {
  active: 'Attiva',
  cancelled: 'Cancellata',
};

export const lotStateLabels: Record<LotState, string> = {
  issued: 'Acquisito, da perfezionare',
  perfected: 'Perfezionato',
  cancelled: 'Cancellato',
};

/**
 * The Italian message shown beside a form field the service refused. The service says which field and
 * why (in English, for the API); the portal names the field and what is expected, in Italian.
 */
const fieldMessages: Record<string, string> = {
  oggetto: "Indica l'oggetto della gara (al massimo 1.024 caratteri).",
  procedura: 'Scegli la procedura di scelta del contraente.',
  settore: 'Scegli il settore: ordinari o speciali.',
  oggetto_contratto: "Scegli l'oggetto del contratto: lavori, servizi o forniture.",
  lotto_oggetto: "Indica l'oggetto del lotto (al massimo 1.024 caratteri).",
  importo: "L'importo deve essere in euro con al massimo due decimali, per esempio 150000,00.",
  cpv: 'Il codice CPV deve essere un codice di otto cifre del vocabolario comune per gli appalti.',
  luogo: 'Il codice ISTAT del luogo deve essere di nove cifre e corrispondere a un comune.',
  data_pubblicazione:
    'Indica la data di pubblicazione, o della lettera di invito per le procedure su invito (giorno, mese e anno).',
  scadenza_data: 'La scadenza delle offerte deve essere successiva alla pubblicazione.',
  scadenza_ora: "Indica l'ora di scadenza delle offerte (per esempio 12:00).",
  motivo_urgenza: "Scegli il motivo dell'urgenza.",
  motivazione: 'Spiega in almeno 10 caratteri perché la procedura non può attendere.',
};

export function fieldErrorIt(field: string): string {
  return fieldMessages[field] ?? 'Valore non valido.';
}

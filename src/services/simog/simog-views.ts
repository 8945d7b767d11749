import { oeContribution, saContribution } from '../../domain/contributions/contribution.js';
import { romeDateOf } from '../../domain/shared/dates.js';
import { formatAmount } from '../../domain/shared/money.js';
import type { ContractingAuthority, Lot, Tender } from '../ports.js';
import type { SimogLot, SimogTender } from './ports.js';
import { simogDateTime, simogDayTime, tipoContrattoOf } from './simog-values.js';

type Attributes = Record<string, string | undefined>;

const ora = (instant: Date): string => simogDateTime(instant).slice(11, 16);

/** Attributes of GaraType for a tender (or a tender number reserved by inserisciGara, before its first lot). */
export function garaView(input: {
  tenderNumber: number;
  tender: Tender | undefined;
  lots: Lot[];
  simog: SimogTender | undefined;
  authority: ContractingAuthority;
  rupFiscalCode: string | null;
}): { attributes: Attributes; categories: string[] } {
  const { tender, simog, authority } = input;
  const sent = simog?.attributes ?? {};
  const live = input.lots.filter((l) => l.state !== 'cancelled');
  const amountCents = simog?.amountCents ?? live.reduce((sum, l) => sum + l.amountCents, 0);
  const createdAt = tender?.createdAt ?? simog?.createdAt ?? new Date();
  const cancelled = tender?.state === 'cancelled' || (tender === undefined && simog?.cancellation != null);
  const state = cancelled ? 'CANC' : simog?.perfectedAt ? 'CONF' : 'IN_LAV';
  const cancellation = tender
    ? tender.cancelledAt && { at: tender.cancelledAt, reason: tender.cancelReason, note: tender.cancelNote }
    : simog?.cancellation;
  return {
    attributes: {
      ...sent,
      OGGETTO: tender?.object ?? simog?.object ?? '',
      ID_STAZIONE_APPALTANTE: sent.ID_STAZIONE_APPALTANTE ?? authority.fiscalCode,
      DENOM_STAZIONE_APPALTANTE: sent.DENOM_STAZIONE_APPALTANTE ?? authority.name,
      CF_AMMINISTRAZIONE: authority.fiscalCode,
      DENOM_AMMINISTRAZIONE: authority.name,
      CF_UTENTE: sent.CF_UTENTE ?? input.rupFiscalCode ?? '',
      ID_GARA: String(input.tenderNumber),
      IMPORTO_GARA: formatAmount(amountCents),
      IMPORTO_SA_GARA: formatAmount(saContribution(amountCents, romeDateOf(createdAt)).amountCents),
      DATA_CANCELLAZIONE_GARA: cancellation ? simogDateTime(cancellation.at) : undefined,
      ID_MOTIVAZIONE: cancellation && cancellation.reason != null ? String(cancellation.reason) : undefined,
      NOTE_CANC: cancellation?.note ?? undefined,
      NUMERO_LOTTI: String(input.lots.length),
      DATA_CREAZIONE: simogDateTime(createdAt),
      ID_OSSERVATORIO: authority.regionalSectionCode,
      ID_STATO_GARA: state,
      DATA_PERFEZIONAMENTO_BANDO: simog?.perfectedAt ? simogDateTime(simog.perfectedAt) : undefined,
      CODICE_AUSA: authority.ausaCode,
    },
    categories: simog?.categories ?? [],
  };
}

/** Attributes of LottoType: gara's lot, the contributions by gara's fee tables, what SIMOG sent besides. */
export function lottoView(
  lot: Lot,
  tender: Tender,
  tenderTotalCents: number,
  extra: SimogLot | undefined,
): Attributes {
  const sent = extra?.attributes ?? {};
  const startDate = romeDateOf(lot.tenderCreatedAt);
  const prevalent =
    sent.ID_CATEGORIA_PREVALENTE ??
    (tender.contractObject === 'supplies' ? 'FB' : tender.contractObject === 'services' ? 'FS' : '');
  return {
    ...sent,
    CIG: lot.cig,
    OGGETTO: lot.object,
    IMPORTO_LOTTO: formatAmount(lot.amountCents),
    IMPORTO_SA: formatAmount(saContribution(tenderTotalCents, startDate).amountCents),
    IMPORTO_IMPRESA: formatAmount(oeContribution(lot.amountCents, startDate).amountCents),
    CPV: lot.cpvCode,
    ID_SCELTA_CONTRAENTE: lot.procedureTypeCode,
    ID_CATEGORIA_PREVALENTE: prevalent,
    DATA_PUBBLICAZIONE: lot.publicationDate ? simogDayTime(lot.publicationDate) : undefined,
    DATA_SCADENZA_PAGAMENTI: lot.bidDeadline ? simogDateTime(lot.bidDeadline) : undefined,
    ID_MOTIVAZIONE: lot.cancelReason != null ? String(lot.cancelReason) : undefined,
    NOTE_CANC: lot.cancelNote ?? undefined,
    TIPO_CONTRATTO: tipoContrattoOf(tender.contractObject),
    LUOGO_ISTAT: lot.istatPlaceCode,
    DATA_CREAZIONE_LOTTO: simogDateTime(lot.acquiredAt),
    DATA_CANCELLAZIONE_LOTTO: lot.cancelledAt ? simogDateTime(lot.cancelledAt) : undefined,
    ORA_SCADENZA: lot.bidDeadline ? ora(lot.bidDeadline) : undefined,
    DATA_LETTERA_INVITO: lot.invitationDate ? simogDayTime(lot.invitationDate) : undefined,
    FLAG_CUP: extra?.cup ? 'S' : sent.FLAG_CUP,
  };
}

import { DomainError, invalidField } from '../shared/errors.js';
import { isValidIsoDate, romeDateOf, type IsoDate } from '../shared/dates.js';
import { AUTHORITY_SEAT_PLACE, deadlineAfter } from '../shared/italian-holidays.js';
import { perfectionWindowRules, type PerfectionWindowRule } from './perfection-windows.js';

export const lotStates = ['issued', 'perfected', 'cancelled'] as const;
export type LotState = (typeof lotStates)[number];
export const tenderStates = ['active', 'cancelled'] as const;
export type TenderState = (typeof tenderStates)[number];
export const sectors = ['ordinary', 'special'] as const;
export type Sector = (typeof sectors)[number];
export const contractObjects = ['works', 'supplies', 'services'] as const;
export type ContractObject = (typeof contractObjects)[number];

/** Lot cancellation reasons of the official list; 0 is the Authority's automatic cancellation. */
export const AUTOMATIC_CANCELLATION = 0;
export const lotCancellationReasons: Record<number, string> = {
  1: 'CIG duplicato',
  2: 'CIG richiesto per errore',
  3: "Decisione dell'amministrazione",
  4: 'Altro',
};
export const automaticCancellationLabel = 'Cancellazione automatica per mancato perfezionamento nei termini';
export const tenderCancellationReasons: Record<number, string> = {
  5: 'Gara duplicata',
  6: 'Errore materiale',
  7: 'Decisione assunta prima della pubblicazione',
  8: 'Altro',
};
const LOT_OTHER = 4;
const TENDER_OTHER = 8;

export const MAX_OBJECT_LENGTH = 1024;
export const MAX_NOTE_LENGTH = 2000;

/** Procedure types (code list sceltaContraente) where lots are perfected with the invitation date. */
export const invitationOnlyProcedureTypes: ReadonlySet<string> = new Set(['5', '10', '12']);

/** The date that starts a procedure: the letters of invitation, or the publication of the notice. */
export type StartDateField = 'invitationDate' | 'publicationDate';

/**
 * The one rule deciding which date a procedure type requires (perfezionamento, urgent procedures and
 * their regularisation alike): the invitation date for invitation-only types (5, 10, 12), the
 * publication date for every other type.
 */
export function startDateFieldOf(procedureType: string): StartDateField {
  return invitationOnlyProcedureTypes.has(procedureType) ? 'invitationDate' : 'publicationDate';
}

export interface StartDates {
  publicationDate?: IsoDate | null | undefined;
  invitationDate?: IsoDate | null | undefined;
}

/**
 * Checks that the dates given are exactly those the procedure type requires (the required one present
 * and a calendar date, the other absent) and that the bid deadline falls after it. Field names carry
 * `prefix` (e.g. `lots[0].`). Returns the field and the date that starts the procedure.
 */
export function checkStartDates(
  input: StartDates & { bidDeadline: Date },
  procedureType: string,
  prefix = '',
): { field: StartDateField; date: IsoDate } {
  const field = startDateFieldOf(procedureType);
  const other: StartDateField = field === 'invitationDate' ? 'publicationDate' : 'invitationDate';
  const date = input[field] ?? undefined;
  if (date === undefined || date === '') {
    throw invalidField(
      `${prefix}${field}`,
      field === 'invitationDate'
        ? `${prefix}${field} is required: procedure type ${procedureType} starts with the letters of invitation`
        : `${prefix}${field} is required for procedure type ${procedureType}`,
    );
  }
  const otherValue = input[other];
  if (otherValue !== undefined && otherValue !== null && otherValue !== '') {
    throw invalidField(
      `${prefix}${other}`,
      `${prefix}${other} does not apply to procedure type ${procedureType}; give ${field}`,
    );
  }
  if (!isValidIsoDate(date))
    throw invalidField(`${prefix}${field}`, `${prefix}${field} is not a calendar date (YYYY-MM-DD)`);
  if (Number.isNaN(input.bidDeadline.getTime())) {
    throw invalidField(`${prefix}bidDeadline`, `${prefix}bidDeadline is not a valid date-time`);
  }
  if (romeDateOf(input.bidDeadline) <= date) {
    throw invalidField(`${prefix}bidDeadline`, `${prefix}bidDeadline must fall after the ${field} (${date})`);
  }
  return { field, date };
}

export function perfectionRuleFor(acquiredOn: IsoDate): PerfectionWindowRule {
  const rule = perfectionWindowRules.find(
    (r) => (r.from === null || acquiredOn >= r.from) && (r.to === null || acquiredOn <= r.to),
  );
  if (!rule) throw new Error(`no perfezionamento rule covers ${acquiredOn}`);
  return rule;
}

let lastDeadline: { acquiredOn: IsoDate; deadline: IsoDate } | undefined;

/**
 * Last day (inclusive, Rome calendar) on which a lot acquired at `acquiredAt` can be perfected: the
 * window's last day, moved to the next working day when it is a Sunday or a holiday at the Authority's
 * seat (Rome, patron day 29 June included): the act is addressed to the Authority.
 */
export function perfectionDeadline(acquiredAt: Date): IsoDate {
  const acquiredOn = romeDateOf(acquiredAt);
  // A function of the day alone, asked once per issuance: the last day's answer is kept.
  if (lastDeadline?.acquiredOn !== acquiredOn)
    lastDeadline = {
      acquiredOn,
      deadline: deadlineAfter(acquiredOn, perfectionRuleFor(acquiredOn).days, AUTHORITY_SEAT_PLACE),
    };
  return lastDeadline.deadline;
}

export function isPerfectionWindowClosed(deadline: IsoDate, now: Date): boolean {
  return romeDateOf(now) > deadline;
}

export interface PerfectionInput extends StartDates {
  bidDeadline: Date;
}

export interface PerfectionContext {
  procedureType: string;
  acquiredAt: Date;
  now: Date;
  /**
   * True when the documents could be published before the CIG existed (contingency procedures during a
   * recorded outage); the publication date is then not checked against the acquisition date.
   */
  publicationBeforeAcquisitionAllowed?: boolean;
}

/** Checks the publication data of a lot; returns the date that starts the procedure. */
export function checkPerfection(input: PerfectionInput, ctx: PerfectionContext): IsoDate {
  const { field, date } = checkStartDates(input, ctx.procedureType);
  const today = romeDateOf(ctx.now);
  if (date > today) throw invalidField(field, `${field} ${date} is in the future`);
  const acquiredOn = romeDateOf(ctx.acquiredAt);
  if (date < acquiredOn && !ctx.publicationBeforeAcquisitionAllowed) {
    throw invalidField(field, `${field} ${date} precedes the acquisition of the CIG (${acquiredOn})`);
  }
  return date;
}

export function checkCancellation(
  kind: 'lot' | 'tender',
  reason: number,
  note: string | undefined,
): { reason: number; note: string | null } {
  const reasons = kind === 'lot' ? lotCancellationReasons : tenderCancellationReasons;
  if (!(reason in reasons)) {
    const allowed = Object.keys(reasons).join(', ');
    throw invalidField(
      'reason',
      `reason ${reason} is not a ${kind} cancellation reason (allowed: ${allowed})`,
    );
  }
  const trimmed = note?.trim() ?? '';
  if (reason === (kind === 'lot' ? LOT_OTHER : TENDER_OTHER) && trimmed.length === 0) {
    throw invalidField('note', `a note is required when the reason is "${reasons[reason]}"`);
  }
  if (trimmed.length > MAX_NOTE_LENGTH)
    throw invalidField('note', `note is longer than ${MAX_NOTE_LENGTH} characters`);
  return { reason, note: trimmed.length > 0 ? trimmed : null };
}

export function assertLotCancellable(state: LotState): void {
  if (state === 'perfected') {
    throw new DomainError('invalid_state', 'a perfected lot cannot be cancelled', {
      reason: 'lot_perfected',
    });
  }
  if (state === 'cancelled') {
    throw new DomainError('invalid_state', 'the lot is already cancelled', { reason: 'lot_cancelled' });
  }
}

export function assertTenderCancellable(state: TenderState, lotStatesOfTender: readonly LotState[]): void {
  if (state === 'cancelled') {
    throw new DomainError('invalid_state', 'the tender is already cancelled', { reason: 'tender_cancelled' });
  }
  const open = lotStatesOfTender.filter((s) => s !== 'cancelled').length;
  if (open > 0) {
    throw new DomainError(
      'invalid_state',
      `the tender still has ${open} lot(s) not cancelled; cancel them first`,
      {
        reason: 'lots_not_cancelled',
      },
    );
  }
}

/** SmartCIG: traceability code for contracts under 40,000 EUR; no perfezionamento, no contribution. */
export const SMART_CIG_LIMIT_CENTS = 40_000_00;

export function assertSmartCigAmount(amountCents: number): void {
  if (amountCents <= 0) throw invalidField('amount', 'amount must be greater than zero');
  if (amountCents >= SMART_CIG_LIMIT_CENTS) {
    throw new DomainError(
      'rule_violation',
      'a SmartCIG is only for contracts under 40,000.00 EUR: request a CIG for this contract',
      { field: 'amount', reason: 'smart_cig_amount_limit' },
    );
  }
}

/** Fattispecie contrattuale of a SmartCIG (the SmartCIG request form's main choices). */
export const smartCigContractTypes: Record<string, string> = {
  under_threshold: 'Contratto di importo inferiore a 40.000 euro',
  excluded: "Contratto escluso dall'ambito di applicazione del Codice",
  framework_call: 'Contratto attuativo di accordo quadro o convenzione',
  emergency: 'Contratto per somma urgenza o protezione civile',
};

export const CUP_PATTERN = '^[A-Z0-9]{15}$';

import { describe, expect, it } from 'vitest';
import { DomainError } from '../shared/errors.js';
import {
  assertLotCancellable,
  assertSmartCigAmount,
  assertTenderCancellable,
  checkCancellation,
  checkPerfection,
  perfectionDeadline,
  perfectionRuleFor,
} from './tender-rules.js';

const rome = (s: string) => new Date(s);

describe('perfezionamento window (dated data)', () => {
  it('is 150 days for CIGs acquired 19/03/2020 - 16/06/2022, 90 days otherwise', () => {
    expect(perfectionRuleFor('2020-03-18').days).toBe(90);
    expect(perfectionRuleFor('2020-03-19').days).toBe(150);
    expect(perfectionRuleFor('2021-05-03').days).toBe(150);
    expect(perfectionRuleFor('2022-06-16').days).toBe(150);
    expect(perfectionRuleFor('2022-06-17').days).toBe(90);
    expect(perfectionRuleFor('2026-11-26').days).toBe(90);
  });
  it('counts from the acquisition day in Rome', () => {
    expect(perfectionDeadline(rome('2021-05-03T10:00:00+02:00'))).toBe('2021-09-30');
    // 23:30 UTC on 16 June 2022 is already 17 June in Rome: the 90-day rule applies.
    expect(perfectionDeadline(rome('2022-06-16T23:30:00Z'))).toBe('2022-09-15');
    // +90 days is Sunday 31 May 2026: the deadline moves to Monday 1 June (a working day).
    expect(perfectionDeadline(rome('2026-03-02T09:00:00Z'))).toBe('2026-06-01');
  });
});

describe('checkPerfection', () => {
  const ctx = {
    procedureType: '6',
    acquiredAt: rome('2026-03-02T09:00:00Z'),
    now: rome('2026-03-10T09:00:00Z'),
  };
  const deadline = rome('2026-04-10T12:00:00+02:00');

  it('accepts publication then a later bid deadline', () => {
    expect(checkPerfection({ publicationDate: '2026-03-09', bidDeadline: deadline }, ctx)).toBe('2026-03-09');
  });
  it('refuses a bid deadline on or before the publication day, naming the field', () => {
    const error = catchError(() =>
      checkPerfection({ publicationDate: '2026-03-09', bidDeadline: rome('2026-03-09T18:00:00+01:00') }, ctx),
    );
    expect(error).toMatchObject({ code: 'validation_failed', field: 'bidDeadline' });
  });
  it('refuses a publication before the CIG existed, or in the future', () => {
    expect(
      catchError(() => checkPerfection({ publicationDate: '2026-03-01', bidDeadline: deadline }, ctx)),
    ).toMatchObject({ field: 'publicationDate' });
    expect(
      catchError(() => checkPerfection({ publicationDate: '2026-03-11', bidDeadline: deadline }, ctx)),
    ).toMatchObject({ field: 'publicationDate' });
  });
  it('allows publication before acquisition when a recorded outage covers it', () => {
    expect(
      checkPerfection(
        { publicationDate: '2026-03-01', bidDeadline: deadline },
        { ...ctx, publicationBeforeAcquisitionAllowed: true },
      ),
    ).toBe('2026-03-01');
  });
  it('uses the invitation date for negotiated procedures without publication', () => {
    const negotiated = { ...ctx, procedureType: '5' };
    expect(checkPerfection({ invitationDate: '2026-03-05', bidDeadline: deadline }, negotiated)).toBe(
      '2026-03-05',
    );
    expect(
      catchError(() => checkPerfection({ publicationDate: '2026-03-05', bidDeadline: deadline }, negotiated)),
    ).toMatchObject({ field: 'invitationDate' });
  });
});

describe('cancellation', () => {
  it('takes only the official reasons and requires a note for "other"', () => {
    expect(checkCancellation('lot', 2, undefined)).toEqual({ reason: 2, note: null });
    expect(catchError(() => checkCancellation('lot', 5, undefined))).toMatchObject({ field: 'reason' });
    expect(catchError(() => checkCancellation('lot', 4, '  '))).toMatchObject({ field: 'note' });
    expect(checkCancellation('lot', 4, ' errore ')).toEqual({ reason: 4, note: 'errore' });
    expect(catchError(() => checkCancellation('tender', 1, undefined))).toMatchObject({ field: 'reason' });
    expect(catchError(() => checkCancellation('tender', 8, undefined))).toMatchObject({ field: 'note' });
  });
  it('a perfected lot cannot be cancelled; a tender only once all its lots are', () => {
    expect(catchError(() => assertLotCancellable('perfected'))).toMatchObject({
      code: 'invalid_state',
      reason: 'lot_perfected',
    });
    expect(() => assertLotCancellable('issued')).not.toThrow();
    expect(catchError(() => assertTenderCancellable('active', ['cancelled', 'issued']))).toMatchObject({
      reason: 'lots_not_cancelled',
    });
    expect(() => assertTenderCancellable('active', ['cancelled', 'cancelled'])).not.toThrow();
  });
});

describe('SmartCIG amount', () => {
  it('is refused at or above 40,000 EUR with a clear error', () => {
    expect(() => assertSmartCigAmount(3_999_999)).not.toThrow();
    expect(catchError(() => assertSmartCigAmount(4_000_000))).toMatchObject({
      code: 'rule_violation',
      reason: 'smart_cig_amount_limit',
      field: 'amount',
      message: expect.stringMatching(/40,000/),
    });
  });
});

function catchError(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

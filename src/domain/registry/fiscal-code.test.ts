import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkFiscalCode,
  checkNumericFiscalCode,
  checkPersonalFiscalCode,
  checkVatNumber,
  numericCheckDigit,
  withNumericCheckDigit,
} from './fiscal-code.js';
import { sectionCodeForPlace, regionalSections } from './regions.js';

describe('numeric codice fiscale and partita IVA', () => {
  it('accepts well-formed codes and refuses a wrong check digit', () => {
    expect(checkNumericFiscalCode('12345678903')).toEqual({ valid: true, kind: 'numeric' });
    expect(checkNumericFiscalCode('80017210727')).toEqual({ valid: true, kind: 'numeric' }); // Regione Puglia
    expect(checkNumericFiscalCode('12345678904')).toMatchObject({
      valid: false,
      message: expect.stringMatching(/check digit/),
    });
    expect(checkNumericFiscalCode('1234567890')).toMatchObject({ valid: false });
    expect(checkNumericFiscalCode('00000000000')).toMatchObject({ valid: false });
  });

  it('any single changed digit is caught', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[1-9][0-9]{9}$/),
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: 1, max: 9 }),
        (first10, pos, delta) => {
          const code = withNumericCheckDigit(first10);
          expect(checkNumericFiscalCode(code).valid).toBe(true);
          const digit = (Number(code[pos]) + delta) % 10;
          const changed = code.slice(0, pos) + digit + code.slice(pos + 1);
          expect(checkNumericFiscalCode(changed).valid).toBe(false);
        },
      ),
    );
  });

  it('a partita IVA also needs a valid provincial office code', () => {
    expect(checkVatNumber('12345678903').valid).toBe(false); // office 890 does not exist
    const valid = withNumericCheckDigit('0123456072');
    expect(checkVatNumber(valid)).toEqual({ valid: true, kind: 'numeric' });
    expect(numericCheckDigit('0123456072')).toBe(Number(valid[10]));
  });
});

describe('personal codice fiscale', () => {
  it('accepts the textbook example and omocodia variants, refuses a wrong check character', () => {
    expect(checkPersonalFiscalCode('RSSMRA80A01H501U')).toEqual({ valid: true, kind: 'personal' });
    expect(checkPersonalFiscalCode('RSSMRA80A01H501A')).toMatchObject({
      valid: false,
      message: expect.stringMatching(/check/),
    });
    expect(checkPersonalFiscalCode('RSSMRA80A41H501Y').valid).toBe(true); // a woman born on the 1st
    expect(checkPersonalFiscalCode('RSSMRA80A99H501U')).toMatchObject({
      valid: false,
      message: expect.stringMatching(/day/),
    });
    expect(checkFiscalCode('rssmra80a01h501u'.toUpperCase()).valid).toBe(true);
    expect(checkFiscalCode('ABC').valid).toBe(false);
  });
});

describe('regional sections', () => {
  it('are 21: one per region and two for Trentino-Alto Adige', () => {
    expect(regionalSections).toHaveLength(21);
    expect(new Set(regionalSections.map((s) => s.code)).size).toBe(21);
  });
  it('the section is derived from the ISTAT place', () => {
    expect(sectionCodeForPlace('016072006')).toBe('PUG'); // Bari
    expect(sectionCodeForPlace('004022205')).toBe('TN'); // Trento
    expect(sectionCodeForPlace('004021008')).toBe('BZ');
    expect(sectionCodeForPlace('999992301')).toBeUndefined(); // abroad
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  PCP_SERIES_SIZE,
  SMART_SERIES_SIZE,
  pcpCigFromOrdinal,
  smartCigFromOrdinal,
  validateCig,
  type CigFamily,
} from './cig.js';

const realValid: [string, CigFamily][] = [
  ['9050626CD6', 'simog_v1'],
  ['95156957EC', 'simog_v1'],
  ['918052266A', 'simog_v1'],
  ['774925250C', 'simog_v1'],
  ['5462644C6C', 'simog_v1'],
  ['009893079C', 'simog_v1'],
  ['A000023DB1', 'pcp'],
  ['BC158BB027', 'pcp'],
  ['B1FDB28AAF', 'pcp'],
  ['B00012EADB', 'pcp'],
  ['K00003EC3A', 'pcp'],
  ['L00003DC3A', 'pcp'],
  ['Z1E31EB332', 'smart_cig'],
  ['ZBB02E5426', 'smart_cig'],
  ['Z00199663A', 'smart_cig'],
];

describe('validateCig on the real codes of domain.md', () => {
  it.each(realValid)('%s is a valid %s code', (code, family) => {
    expect(validateCig(code)).toEqual({ valid: true, code, family });
  });

  it.each([
    ['BB28D21772', 'check_mismatch'],
    ['BC1B001599', 'check_mismatch'],
    ['Z1A2B3C4D5', 'check_mismatch'],
    ['Z3A1234567', 'check_mismatch'],
    ['CIG in fase di acquisizione', 'wrong_length'],
    ['', 'empty'],
    ['0000000000', 'zero_progressive'],
    ['Z000000000', 'zero_progressive'],
    ['V000023DB1', 'unknown_family'],
    ['9050626CG6', 'invalid_characters'],
    ['A0000G3DB1', 'invalid_characters'],
    ['Z1E31EB33', 'wrong_length'],
  ])('%s is invalid (%s)', (code, reason) => {
    const result = validateCig(code);
    expect(result.valid).toBe(false);
    if (!result.valid) {
      expect(result.reason).toBe(reason);
      expect(result.message.length).toBeGreaterThan(10);
    }
  });

  it('reads blanks and lower case as the same code', () => {
    expect(validateCig('  bc158bb027 ')).toEqual({ valid: true, code: 'BC158BB027', family: 'pcp' });
  });

  it('does not reveal the expected check characters of a mistyped code', () => {
    const result = validateCig('BC1B001599');
    expect(result.valid).toBe(false);
    if (!result.valid) expect(result.message).not.toMatch(/BC1B001/);
  });
});

describe('issuing codes', () => {
  it('numbers PCP series A..U and SmartCIG series Z, Y, X', () => {
    expect(pcpCigFromOrdinal(0x23)).toBe('A000023DB1');
    expect(pcpCigFromOrdinal(PCP_SERIES_SIZE + 0x12e)).toBe('B00012EADB');
    expect(pcpCigFromOrdinal(PCP_SERIES_SIZE + 0xc158bb)).toBe('BC158BB027');
    expect(pcpCigFromOrdinal(21 * PCP_SERIES_SIZE - 1).startsWith('U')).toBe(true);
    expect(() => pcpCigFromOrdinal(21 * PCP_SERIES_SIZE)).toThrow(RangeError);
    expect(smartCigFromOrdinal(0x31eb332)).toBe('Z1E31EB332');
    expect(smartCigFromOrdinal(SMART_SERIES_SIZE + 1)).toMatch(/^Y..0000001$/);
    expect(() => smartCigFromOrdinal(0)).toThrow(RangeError);
  });

  const pcpOrdinal = fc.integer({ min: 0, max: 21 * PCP_SERIES_SIZE - 1 });
  const smartOrdinal = fc.integer({ min: 1, max: 3 * SMART_SERIES_SIZE });

  it('every issued PCP code validates as pcp', () => {
    fc.assert(
      fc.property(pcpOrdinal, (n) => {
        const code = pcpCigFromOrdinal(n);
        expect(validateCig(code)).toEqual({ valid: true, code, family: 'pcp' });
      }),
      { numRuns: 5000 },
    );
  });

  it('every issued SmartCIG validates as smart_cig', () => {
    fc.assert(
      fc.property(smartOrdinal, (n) => {
        const code = smartCigFromOrdinal(n);
        expect(validateCig(code)).toEqual({ valid: true, code, family: 'smart_cig' });
      }),
      { numRuns: 5000 },
    );
  });

  const otherChar = (current: string) =>
    fc.constantFrom(...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('')).filter((c) => c !== current);

  it('changing any single check character of a PCP code makes it invalid', () => {
    fc.assert(
      fc.property(pcpOrdinal, fc.integer({ min: 7, max: 9 }), fc.nat(), (n, position, pick) => {
        const code = pcpCigFromOrdinal(n);
        const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'.replace(code[position] as string, '');
        const changed = code.slice(0, position) + alphabet[pick % alphabet.length] + code.slice(position + 1);
        expect(validateCig(changed).valid).toBe(false);
      }),
      { numRuns: 5000 },
    );
  });

  it('changing any single check character of a SmartCIG makes it invalid', () => {
    fc.assert(
      fc.property(smartOrdinal, fc.integer({ min: 1, max: 2 }), fc.nat(), (n, position, pick) => {
        const code = smartCigFromOrdinal(n);
        const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'.replace(code[position] as string, '');
        const changed = code.slice(0, position) + alphabet[pick % alphabet.length] + code.slice(position + 1);
        expect(validateCig(changed).valid).toBe(false);
      }),
      { numRuns: 5000 },
    );
  });

  it('changing a check character of a SIMOG v1 code makes it invalid', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...realValid.filter(([, f]) => f === 'simog_v1').map(([c]) => c)),
        fc.integer({ min: 7, max: 9 }),
        (code, position) =>
          fc.assert(
            fc.property(otherChar(code[position] as string), (c) => {
              expect(validateCig(code.slice(0, position) + c + code.slice(position + 1)).valid).toBe(false);
            }),
            { numRuns: 20 },
          ),
      ),
      { numRuns: 50 },
    );
  });

  it('distinct ordinals give distinct codes', () => {
    fc.assert(
      fc.property(pcpOrdinal, pcpOrdinal, (a, b) => {
        fc.pre(a !== b);
        expect(pcpCigFromOrdinal(a)).not.toBe(pcpCigFromOrdinal(b));
      }),
    );
  });
});

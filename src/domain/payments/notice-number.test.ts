import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildNoticeNumber,
  checkNoticeNumber,
  groupNoticeNumber,
  iuvBaseFor,
  qrPayload,
} from './notice-number.js';

describe('pagoPA notice numbers (aux digit 3)', () => {
  it('validates the real examples of domain.md', () => {
    expect(checkNoticeNumber('322201151398574181')).toMatchObject({
      valid: true,
      segregationCode: '22',
      iuv: '22201151398574181',
    });
    expect(checkNoticeNumber('300715700000000032')).toMatchObject({ valid: true, segregationCode: '00' });
    expect(checkNoticeNumber('311111111112222222')).toMatchObject({
      valid: false,
      reason: expect.stringMatching(/mod 93/),
    });
    expect(checkNoticeNumber('12345')).toMatchObject({ valid: false });
    expect(checkNoticeNumber('012345678901234567')).toMatchObject({
      valid: false,
      reason: expect.stringMatching(/aux digit/),
    });
  });

  it('builds the worked example: segregation 01, base 2025000001228', () => {
    expect(buildNoticeNumber('01', '2025000001228')).toBe('301202500000122805');
    expect(iuvBaseFor(2025, 1228)).toBe('2025000001228');
    expect(groupNoticeNumber('301202500000122805')).toBe('3012 0250 0000 1228 05');
    expect(qrPayload('301202500000122805', '97584460584', 3000)).toBe(
      'PAGOPA|002|301202500000122805|97584460584|3000',
    );
  });

  it('every built number validates; any changed digit is caught or changes the IUV', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 99 }),
        fc.integer({ min: 2000, max: 2099 }),
        fc.integer({ min: 1, max: 999_999_999 }),
        fc.nat(17),
        fc.integer({ min: 1, max: 9 }),
        (seg, year, seq, pos, delta) => {
          const nav = buildNoticeNumber(String(seg).padStart(2, '0'), iuvBaseFor(year, seq));
          expect(checkNoticeNumber(nav).valid).toBe(true);
          if (pos === 0) return;
          const changed = nav.slice(0, pos) + ((Number(nav[pos]) + delta) % 10) + nav.slice(pos + 1);
          expect(checkNoticeNumber(changed).valid).toBe(false);
        },
      ),
    );
  });
});

import { describe, expect, it } from 'vitest';
import { pecReceiptReader } from './pec-receipt-reader.js';
import type { SmimeVerifier } from './smime.js';

describe('pecReceiptReader: bounded work before parsing', () => {
  it('a million folded header lines or soft line breaks: kept for review without being parsed, in milliseconds', async () => {
    let verified = 0;
    const verifier: SmimeVerifier = {
      verify: () => {
        verified += 1;
        return Promise.resolve({ verified: false, problem: 'unsigned' });
      },
    } as unknown as SmimeVerifier;
    const reader = pecReceiptReader(verifier);
    const folded = Buffer.from(
      `X-Ricevuta: avvenuta-consegna\r\nX-Fold: a\r\n${' b\r\n'.repeat(1_000_000)}\r\nbody\r\n`,
    );
    const softBreaks = Buffer.from(
      `Content-Transfer-Encoding: quoted-printable\r\n\r\n${'a=\r\n'.repeat(1_000_000)}`,
    );
    for (const raw of [folded, softBreaks]) {
      const started = performance.now();
      const receipt = await reader.read(raw, new Date('2026-12-02T10:00:00Z'));
      expect(performance.now() - started).toBeLessThan(500);
      expect(receipt.kind).toBe('unknown');
      expect(receipt.signature.verified).toBe(false);
      expect(receipt.problems.join(' ')).toMatch(/more than 60000 lines/);
    }
    expect(verified).toBe(0);
    const hugeHeader = Buffer.from(`X-Long: ${'h'.repeat(100_000)}\r\n\r\nbody\r\n`);
    expect((await reader.read(hugeHeader, new Date())).problems.join(' ')).toMatch(/header block is larger/);
  });
});

import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PEC_RECEIPT_BYTES } from '../../src/adapters/mail/pec-receipt.js';
import { bearer, createHarness, type Harness } from '../support/harness.js';
import { daticertFor, receiptMessage, type ReceiptFields } from '../support/pec-ca.js';
import { engineName } from '../support/test-db.js';

/**
 * A receipt near the 4 MB body limit (the receipt with the original message attached, as providers
 * send it) is stored within the bound on both engines; the figures are printed. It took 4-5 s on PGlite
 * (PGlite's own bytea encoding: one JavaScript string per byte). The wall time is asserted under
 * MAX_STORE_MS only when the machine is not overloaded (load average per core below 2); the CPU time this
 * process spends on the request (process.cpuUsage: on PGlite the database runs in this process too) is
 * always asserted, so that a shared, overloaded machine does not decide the outcome. Both are printed.
 */
const MAX_STORE_MS = 1500;
/**
 * CPU bound asserted: before the fix the CPU median was ~1,150 ms (wall ~3.9 s at a load average of 25
 * on 2 cores), after it ~580 ms (wall ~1.8 s at the same load; ~0.5 s on PostgreSQL).
 */
const MAX_STORE_CPU_MS = 900;

function bigEntity(f: ReceiptFields, attachmentBytes: number): Buffer {
  const xml = Buffer.from(daticertFor(f), 'utf8').toString('base64');
  const original = randomBytes(attachmentBytes).toString('base64');
  return Buffer.from(
    [
      'Content-Type: multipart/mixed; boundary="mixed-1"',
      '',
      '--mixed-1',
      'Content-Type: text/plain; charset="utf-8"',
      '',
      `Ricevuta di ${f.kind} del messaggio ${f.messageId}`,
      '--mixed-1',
      'Content-Type: application/xml; name="daticert.xml"',
      'Content-Disposition: inline; filename="daticert.xml"',
      'Content-Transfer-Encoding: base64',
      '',
      ...(xml.match(/.{1,76}/g) ?? []),
      '--mixed-1',
      'Content-Type: message/rfc822; name="postacert.eml"',
      'Content-Disposition: attachment; filename="postacert.eml"',
      'Content-Transfer-Encoding: base64',
      '',
      ...(original.match(/.{1,76}/g) ?? []),
      '--mixed-1--',
      '',
    ].join('\r\n'),
    'utf8',
  );
}

describe(`a 4 MB PEC receipt is stored quickly (${engineName()})`, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ now: '2026-03-02T09:00:00Z' });
  });
  afterAll(() => h.close());

  it(`stored in less than ${MAX_STORE_MS} ms (${MAX_STORE_CPU_MS} ms of CPU)`, async () => {
    const staff = await h.factories.user('authority_staff');
    const f: ReceiptFields = {
      kind: 'accettazione',
      messageId: 'speed.1@gara.example.it',
      recipient: 'ufficio@pec.example.it',
    };
    const raw = await receiptMessage(f, null, bigEntity(f, 3_020_000));
    expect(raw.length).toBeGreaterThan(3.9 * 1024 * 1024);
    expect(raw.length).toBeLessThanOrEqual(MAX_PEC_RECEIPT_BYTES);
    const timings: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < 3; i++) {
      // three distinct receipts (a repeated one is kept once): the message id differs
      const body = i === 0 ? raw : Buffer.concat([raw, Buffer.from(`\r\n${i}`)]);
      const started = performance.now();
      const cpuBefore = process.cpuUsage();
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/v1/pec-receipts',
        headers: { ...bearer(staff.token), 'content-type': 'message/rfc822' },
        payload: body,
      });
      timings.push(performance.now() - started);
      const used = process.cpuUsage(cpuBefore);
      cpu.push((used.user + used.system) / 1000);
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toMatchObject({ duplicate: false, status: 'review' });
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1]!;
    console.log(
      `PEC receipt of ${(raw.length / 1024 / 1024).toFixed(2)} MB stored on ${engineName()}: CPU ${cpu.map((t) => t.toFixed(0)).join(', ')} ms (median ${median(cpu).toFixed(0)} ms); wall ${timings.map((t) => t.toFixed(0)).join(', ')} ms (median ${median(timings).toFixed(0)} ms)`,
    );
    const stored = await h.db.db
      .selectFrom('pec_receipts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where((eb) => eb.fn('length', ['raw']), '>', Math.floor(3.9 * 1024 * 1024))
      .executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(3);
    expect(median(cpu)).toBeLessThan(MAX_STORE_CPU_MS);
    if (loadavg()[0]! / availableParallelism() < 2) expect(median(timings)).toBeLessThan(MAX_STORE_MS);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCertificateSigner } from '../../src/adapters/certificates/certificate-signer.js';
import { createSelfSignedSigningKey } from '../../src/adapters/protocol/signing-key.js';
import { createHarness, bearer, type Harness } from '../support/harness.js';
import { engineName } from '../support/test-db.js';

/**
 * Hostile pass (issue 14.3): a multipart upload to `/stato/attestazioni/verifica` with two files verified
 * the first and said nothing of the second: gara's certificate first and a forged one second answered
 * "Firma valida", and the reader cannot tell which file that was about. Now several files are refused
 * (400, in Italian), whatever their order.
 */
describe(`verification upload with several files (${engineName()})`, () => {
  let h: Harness;
  let pdf: Buffer;
  let forged: Buffer;
  beforeAll(async () => {
    h = await createHarness({ now: '2026-04-03T09:00:00+02:00' });
    const staff = await h.factories.user('authority_staff');
    const opened = await h.app.inject({
      method: 'POST',
      url: '/api/v1/incidents',
      headers: bearer(staff.token),
      payload: {
        title: 'Portale non raggiungibile',
        impact: 'major_outage',
        services: ['cig_issuance'],
        startedAt: '2026-04-03T08:30:00+02:00',
        message: 'Il servizio non risponde.',
      },
    });
    const code = opened.json<{ code: string }>().code;
    h.clock.set('2026-04-03T12:00:00+02:00');
    await h.app.inject({
      method: 'POST',
      url: `/api/v1/incidents/${code}/updates`,
      headers: bearer(staff.token),
      payload: { state: 'resolved', message: 'Ripristinato.', resolvedAt: '2026-04-03T11:15:00+02:00' },
    });
    pdf = (await h.app.inject(`/stato/attestazioni/ATT-${code}.pdf`)).rawPayload;
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const json = JSON.parse((await h.app.inject(`/stato/attestazioni/ATT-${code}.json`)).body) as {
      payload: string;
    };
    const payload = JSON.parse(Buffer.from(json.payload, 'base64url').toString()) as Parameters<
      ReturnType<typeof createCertificateSigner>['signedPdf']
    >[0];
    const stranger = createCertificateSigner(createSelfSignedSigningKey({ aoo: 'altro', name: 'Altro' }));
    forged = await stranger.signedPdf({ ...payload, durationMinutes: 6000 });
  });
  afterAll(() => h.close());

  const boundary = 'garaHostileBoundary';
  const form = (...files: Buffer[]) =>
    Buffer.concat([
      ...files.map((file, i) =>
        Buffer.concat([
          Buffer.from(
            `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a${i}.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
          ),
          file,
          Buffer.from('\r\n'),
        ]),
      ),
      Buffer.from(`--${boundary}--\r\n`),
    ]);
  const upload = (payload: Buffer) =>
    h.app.inject({
      method: 'POST',
      url: '/stato/attestazioni/verifica',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload,
    });

  it('verifies one file', async () => {
    expect((await upload(form(pdf))).statusCode).toBe(200);
    expect((await upload(form(forged))).statusCode).toBe(422);
  });

  it('refuses two files in either order, in Italian', async () => {
    for (const payload of [form(pdf, forged), form(forged, pdf), form(pdf, pdf)]) {
      const res = await upload(payload);
      expect(res.statusCode).toBe(400);
      expect(res.body).not.toContain('Firma valida');
      expect(res.body).toContain('un solo file');
    }
  });
});

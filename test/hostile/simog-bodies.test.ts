/**
 * Hostile pass 2 (issue 13: "a SOAP fault only for a malformed envelope"; XML parsing bounds size).
 * Found: a SOAP client sending an oversized body (over 256 KB) or a body with U+0000 gets the REST API's
 * JSON problem (`application/problem+json`, 413 / 400), not a SOAP fault its client library can read.
 * Fixed: the SIMOG plugin has its own error handler for 4xx refusals (src/http/routes/simog/simog.routes.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimogApp, type SimogHarness } from '../simog/support.js';

const envelope = (inner: string) =>
  `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:tns="xmlbeans.massload.simog.avlp.it"><soap:Body>${inner}</soap:Body></soap:Envelope>`;

describe('SIMOG endpoint: refused bodies answer a SOAP fault', () => {
  let h: SimogHarness;
  beforeAll(async () => {
    h = await startSimogApp();
  });
  afterAll(() => h?.close());

  const post = async (body: string) => {
    const res = await fetch(`${h.url}/simog/SimogWSPDD`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '""' },
      body,
    });
    return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
  };

  it('an oversized body', async () => {
    const answer = await post(envelope(`<tns:login><login>${'a'.repeat(400_000)}</login></tns:login>`));
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.type).toMatch(/xml/);
    expect(answer.text).toContain('<faultcode>soap:Client</faultcode>');
  });

  it('a body with U+0000', async () => {
    const answer = await post(
      envelope('<tns:login><login>a\u0000b</login><password>x</password></tns:login>'),
    );
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.type).toMatch(/xml/);
    expect(answer.text).toContain('<faultcode>soap:Client</faultcode>');
  });
});

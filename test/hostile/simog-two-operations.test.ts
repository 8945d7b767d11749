/**
 * Hostile pass 3 (issue 13: document/literal SOAP 1.1, one operation a message; WS-I Basic Profile R2201:
 * the Body holds exactly one element).
 * Found: a Body holding two operations (consultaNumeroGara then chiudiSessione) ran the first and
 * silently dropped the second: the caller got a success answer and believed the session closed.
 * Fixed: a Body with more than one element is a soap:Client fault, nothing run
 * (src/adapters/simog/simog-soap.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { specsAvailable, startSimogApp, type SimogHarness } from '../simog/support.js';

const envelope = (inner: string) =>
  `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="xmlbeans.massload.simog.avlp.it"><s:Body>${inner}</s:Body></s:Envelope>`;

describe.skipIf(!specsAvailable)('SIMOG endpoint: two operations in one Body', () => {
  let h: SimogHarness;
  beforeAll(async () => {
    h = await startSimogApp();
  });
  afterAll(() => h?.close());

  const post = async (inner: string) => {
    const res = await fetch(`${h.url}/simog/SimogWSPDD`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '""' },
      body: envelope(inner),
    });
    return { status: res.status, text: await res.text() };
  };

  it('is a soap:Client fault and runs neither', async () => {
    const rup = await h.factories.rup();
    const login = await post(
      `<t:login><login>${rup.user.email}</login><password>${rup.token}</password></t:login>`,
    );
    const ticket = /<ticket>([^<]+)<\/ticket>/.exec(login.text)?.[1];
    expect(ticket, login.text).toBeDefined();

    const two = await post(
      `<t:consultaNumeroGara><ticket>${ticket}</ticket><id_gara>1000000</id_gara></t:consultaNumeroGara>` +
        `<t:chiudiSessione><ticket>${ticket}</ticket></t:chiudiSessione>`,
    );
    expect(two.status).toBe(500);
    expect(two.text).toContain('<faultcode>soap:Client</faultcode>');
    // Neither ran: the session is still open.
    const after = await post(
      `<t:consultaNumeroGara><ticket>${ticket}</ticket><id_gara>1000000</id_gara></t:consultaNumeroGara>`,
    );
    expect(after.text).not.toMatch(/ticket non valido/);
  });
});

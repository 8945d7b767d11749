/**
 * Hostile pass 3 (issue 13: SIMOG calls count against the API's rate limit).
 * Found: the limit was keyed by the ticket string as sent, before anyone checked it: a caller sending a
 * made-up ticket on every call got a fresh allowance each time (never limited, one ticket lookup in the
 * database per call), and a RUP logging in again got a fresh allowance with each new ticket.
 * Fixed: a valid ticket counts against its user, anything else against the caller's address, as an API
 * call without a valid token does (src/http/routes/simog/simog.routes.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { specsAvailable, startSimogApp, type SimogHarness } from '../simog/support.js';

const envelope = (inner: string) =>
  `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="xmlbeans.massload.simog.avlp.it"><s:Body>${inner}</s:Body></s:Envelope>`;

describe.skipIf(!specsAvailable)(
  'SIMOG rate limit: made-up or repeated tickets get no fresh allowance',
  () => {
    let h: SimogHarness;
    beforeAll(async () => {
      h = await startSimogApp(undefined, { rateLimitMax: 5 });
    });
    afterAll(() => h?.close());

    const post = async (inner: string) => {
      const res = await fetch(`${h.url}/simog/SimogWSPDD`, {
        method: 'POST',
        headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '""' },
        body: envelope(inner),
      });
      return res.text();
    };
    const consult = (ticket: string) =>
      post(
        `<t:consultaNumeroGara><ticket>${ticket}</ticket><id_gara>1000000</id_gara></t:consultaNumeroGara>`,
      );

    it('a made-up ticket on every call is limited by address', async () => {
      const answers: string[] = [];
      for (let i = 0; i < 8; i++) answers.push(await consult(`made-up-${i}-${Math.random()}`));
      expect(answers.slice(0, 5).every((a) => a.includes('ticket non valido'))).toBe(true);
      expect(answers.slice(6).every((a) => a.includes('Troppe richieste'))).toBe(true);
    });

    it('a user logging in again does not get a fresh allowance with each ticket', async () => {
      const rup = await h.factories.rup();
      // Logins count against the address: each from its own, so that only the ticket's calls are counted.
      const tickets: string[] = [];
      for (let i = 0; i < 4; i++) {
        const res = await h.app.inject({
          method: 'POST',
          url: '/simog/SimogWSPDD',
          remoteAddress: `10.0.0.${i + 1}`,
          headers: { 'content-type': 'text/xml; charset=utf-8' },
          payload: envelope(
            `<t:login><login>${rup.user.email}</login><password>${rup.token}</password></t:login>`,
          ),
        });
        const ticket = /<ticket>([^<]+)<\/ticket>/.exec(res.body)?.[1];
        expect(ticket, res.body).toBeDefined();
        tickets.push(ticket!);
      }
      const answers: string[] = [];
      for (const ticket of tickets) {
        for (let i = 0; i < 2; i++) {
          const res = await h.app.inject({
            method: 'POST',
            url: '/simog/SimogWSPDD',
            remoteAddress: '10.0.1.1',
            headers: { 'content-type': 'text/xml; charset=utf-8' },
            payload: envelope(
              `<t:consultaNumeroGara><ticket>${ticket}</ticket><id_gara>1000000</id_gara></t:consultaNumeroGara>`,
            ),
          });
          answers.push(res.body);
        }
      }
      expect(answers.filter((a) => a.includes('Troppe richieste'))).toHaveLength(3);
    });
  },
);

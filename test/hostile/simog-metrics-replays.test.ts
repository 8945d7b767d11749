/**
 * Hostile pass 3 (issue 13: "metrics per operation"). Found: every successful inserisciLotto answer
 * added one to gara_codes_issued_total, replays of a stored answer included (60 answers, 2 CIGs issued,
 * counter +60). Fixed: the use case tells the route when it issued a code (SimogCall.onIssued), and only
 * then is the counter moved.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleLot } from '../support/factories.js';
import { specsAvailable, startSimogApp, type SimogHarness } from '../simog/support.js';

const envelope = (body: string) =>
  `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="xmlbeans.massload.simog.avlp.it"><s:Body>${body}</s:Body></s:Envelope>`;

describe.skipIf(!specsAvailable)('SIMOG: repeated inserisciLotto counts one issued code', () => {
  let h: SimogHarness;
  beforeAll(async () => {
    h = await startSimogApp();
  });
  afterAll(() => h?.close());

  const post = (body: string) =>
    fetch(`${h.url}/simog/SimogWSPDD`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '""' },
      body: envelope(body),
    }).then((r) => r.text());
  const issued = async () => {
    const text = (await h.app.inject({ method: 'GET', url: '/metrics' })).body;
    const m = /^gara_codes_issued_total\{family="pcp"\} (\d+)/m.exec(text);
    return m ? Number(m[1]) : 0;
  };

  it('30 concurrent repeats of one request: one CIG, the counter +1', async () => {
    const rup = await h.factories.rup();
    const login = await post(
      `<t:login><login>${rup.user.email}</login><password>${rup.token}</password></t:login>`,
    );
    const ticket = /<ticket>([^<]+)<\/ticket>/.exec(login)?.[1];
    expect(ticket, login).toBeDefined();
    const { tender } = await h.factories.tender(rup.actor, {
      contractObject: 'supplies',
      lots: [sampleLot()],
    });
    const before = await issued();
    const request = `<t:inserisciLotto><ticket>${ticket}</ticket><id_gara>${tender.tenderNumber}</id_gara><datiLotto><Lotto t:OGGETTO="Ripetuto" t:IMPORTO_LOTTO="1000" t:IMPORTO_SA="0" t:IMPORTO_IMPRESA="0" t:CPV="39160000" t:ID_SCELTA_CONTRAENTE="6" t:ID_CATEGORIA_PREVALENTE="FB" t:TIPO_CONTRATTO="F" t:LUOGO_ISTAT="016072006"/></datiLotto></t:inserisciLotto>`;
    const answers = await Promise.all(Array.from({ length: 30 }, () => post(request)));
    const cigs = new Set(answers.map((a) => /<cig>([A-Z0-9]{10})<\/cig>/.exec(a)?.[1]));
    expect(cigs.size, answers[0]).toBe(1);
    expect([...cigs][0]).toBeDefined();
    expect((await issued()) - before).toBe(1);
  });
});

/**
 * inserisciLotto is issued as REST issuances are, grouped with concurrent ones in one statement that
 * also claims its idempotency key and writes its SIMOG data. What that statement must keep: every lot
 * number once, each answer's cigCicle its lot's number (also when REST issuances on the same tender run
 * at the same time), the SIMOG data and the audit entry of each lot, the same answer for a repeat, and
 * one key sent for two tenders at once giving one CIG.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleLot } from '../support/factories.js';
import { specsAvailable, startSimogApp, type SimogHarness } from './support.js';

const engineName = () => (process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite');

const envelope = (body: string) =>
  `<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="xmlbeans.massload.simog.avlp.it"><s:Body>${body}</s:Body></s:Envelope>`;

describe.skipIf(!specsAvailable)(
  `SIMOG inserisciLotto grouped with concurrent issuances (${engineName()})`,
  () => {
    let h: SimogHarness;
    let rup: Awaited<ReturnType<SimogHarness['factories']['rup']>>;
    let ticket: string;

    const post = (body: string, headers: Record<string, string> = {}) =>
      fetch(`${h.url}/simog/SimogWSPDD`, {
        method: 'POST',
        headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '""', ...headers },
        body: envelope(body),
      }).then((r) => r.text());
    const inserisciLotto = (tenderNumber: number, object: string, headers: Record<string, string> = {}) =>
      post(
        `<t:inserisciLotto><ticket>${ticket}</ticket><id_gara>${tenderNumber}</id_gara><datiLotto><Lotto t:OGGETTO="${object}" t:IMPORTO_LOTTO="1000" t:IMPORTO_SA="0" t:IMPORTO_IMPRESA="0" t:CPV="39160000" t:ID_SCELTA_CONTRAENTE="6" t:ID_CATEGORIA_PREVALENTE="FB" t:TIPO_CONTRATTO="F" t:LUOGO_ISTAT="016072006"/></datiLotto></t:inserisciLotto>`,
        headers,
      );
    const answerOf = (xml: string) => {
      const m =
        /<cig><applicazione>gara<\/applicazione>[^]*?<cig>([A-Z0-9]{10})<\/cig><cigCicle>([0-9]+)<\/cigCicle>/.exec(
          xml,
        );
      return m ? { cig: m[1] as string, lotNumber: Number(m[2]) } : undefined;
    };
    const tender = async () =>
      (await h.factories.tender(rup.actor, { contractObject: 'supplies', lots: [sampleLot()] })).tender
        .tenderNumber;

    beforeAll(async () => {
      h = await startSimogApp();
      rup = await h.factories.rup();
      const login = await post(
        `<t:login><login>${rup.user.email}</login><password>${rup.token}</password></t:login>`,
      );
      ticket = /<ticket>([^<]+)<\/ticket>/.exec(login)?.[1] ?? '';
      expect(ticket).not.toBe('');
    });
    afterAll(() => h?.close());

    it('SOAP and REST issuances on one tender at once: each lot number once, each answer its lot, SIMOG data and audit written, a repeat answered the same', async () => {
      const n = await tender();
      const objects = Array.from({ length: 16 }, (_, i) => `Lotto concorrente ${i}`);
      const [soap, rest] = await Promise.all([
        Promise.all(objects.map((o) => inserisciLotto(n, o))),
        Promise.all(
          objects.map((o) =>
            h.app.inject({
              method: 'POST',
              url: `/api/v1/tenders/${n}/lots`,
              headers: { authorization: `Bearer ${rup.token}` },
              payload: sampleLot({ object: `REST ${o}` }),
            }),
          ),
        ),
      ]);
      expect(rest.map((r) => r.statusCode)).toEqual(objects.map(() => 201));
      const answers = soap.map((xml) => answerOf(xml));
      expect(
        answers.every(Boolean),
        soap.find((x) => !answerOf(x)),
      ).toBe(true);
      const lots = (
        await sql<{ cig: string; lot_number: number; simog: string | null; audited: string }>`
        SELECT l.cig, l.lot_number, s.attributes->>'ID_CATEGORIA_PREVALENTE' AS simog,
               (SELECT count(*) FROM audit_log a WHERE a.action = 'lot.issued' AND a.entity_id = l.cig) AS audited
        FROM lots l JOIN tenders t ON t.id = l.tender_id LEFT JOIN simog_lots s ON s.cig = l.cig
        WHERE t.tender_number = ${n} ORDER BY l.lot_number`.execute(h.db.db)
      ).rows;
      expect(lots.map((l) => l.lot_number)).toEqual(Array.from({ length: 33 }, (_, i) => i + 1));
      const byCig = new Map(lots.map((l) => [l.cig, l]));
      for (const a of answers) {
        const lot = byCig.get(a!.cig);
        expect(lot?.lot_number, a!.cig).toBe(a!.lotNumber);
        expect(lot?.simog).toBe('FB');
        expect(Number(lot?.audited)).toBe(1);
      }
      // the keys hold the answers: each request repeated (all at once) gets its first answer, no new lot
      const again = await Promise.all(objects.map((o) => inserisciLotto(n, o)));
      expect(again.map(answerOf)).toEqual(answers);
      const count = await sql<{ n: string }>`
      SELECT count(*) AS n FROM lots l JOIN tenders t ON t.id = l.tender_id WHERE t.tender_number = ${n}`.execute(
        h.db.db,
      );
      expect(Number(count.rows[0]?.n)).toBe(33);
    });

    it('one Idempotency-Key sent for two tenders at once: one CIG; the other request is refused, not issued', async () => {
      const [a, b] = [await tender(), await tender()];
      const headers = { 'idempotency-key': 'stessa-chiave-due-gare' };
      const answers = await Promise.all([
        inserisciLotto(a, 'Con la stessa chiave', headers),
        inserisciLotto(b, 'Con la stessa chiave', headers),
      ]);
      const issued = answers.filter((x) => answerOf(x));
      expect(issued, answers.join('\n')).toHaveLength(1);
      expect(answers.find((x) => !answerOf(x))).toMatch(
        /<success>false<\/success><error>[^<]*Idempotency-Key/,
      );
      const lots = await sql<{ n: string }>`
      SELECT count(*) AS n FROM lots l JOIN tenders t ON t.id = l.tender_id
      WHERE t.tender_number IN (${a}, ${b}) AND l.object = 'Con la stessa chiave'`.execute(h.db.db);
      expect(Number(lots.rows[0]?.n)).toBe(1);
    });
  },
);

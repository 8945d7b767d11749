import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildSegnatura,
  sha256Base64,
  signSegnatura,
  verifySegnatura,
  type SegnaturaInput,
  type SegnaturaSigningKey,
} from '../../src/adapters/protocol/segnatura.js';
import { createSelfSignedSigningKey } from '../../src/adapters/protocol/signing-key.js';
import { validateAgainstXsd, xsdImportsOf } from '../support/xsd.js';

/**
 * The segnatura di protocollo written by buildSegnatura/signSegnatura validates against the official
 * AgID schema segnatura_protocollo.xsd 3.0.0 (and the xmldsig-core-schema.xsd it imports), checked by
 * libxml2's xmllint compiled to WebAssembly.
 *
 * The schema makes ds:Signature a required child of SegnaturaInformatica, so an unsigned document cannot
 * be valid: for it the test requires that the ONLY error is that missing signature — everything else
 * (namespace, qualified attributes, order, types) already conforms before signing.
 */
const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const specDir = resolve(projectRoot, '../shared/specs/agid-segnatura');
const xsdPath = resolve(specDir, 'segnatura_protocollo.xsd');
const specsMissing = !existsSync(specDir);
if (specsMissing) {
  console.warn(
    `segnatura XSD conformance skipped: ${specDir} does not exist, so segnatura_protocollo.xsd 3.0.0 and its ` +
      'import_schemas/xmldsig-core-schema.xsd are not available (the shared specs live next to the project, in ../shared/specs)',
  );
}

async function validate(xml: string): Promise<{ valid: boolean; errors: string[] }> {
  return validateAgainstXsd(xml, xsdPath, xsdImportsOf(xsdPath));
}

const MISSING_SIGNATURE =
  /Element '\{http:\/\/www\.agid\.gov\.it\/protocollo\/\}SegnaturaInformatica': Missing child element\(s\)\. Expected is \( \{http:\/\/www\.w3\.org\/2000\/09\/xmldsig#\}Signature \)/;

function input(overrides: Partial<SegnaturaInput> = {}): SegnaturaInput {
  return {
    administration: { code: 'anac', name: 'Autorità Nazionale Anticorruzione', fiscalCode: '97584460584' },
    aoo: { code: 'AOO_092', name: 'Sezione regionale Puglia', pec: 'sezione.puglia@pec.anticorruzione.it' },
    register: { code: 'REG_UFFICIALE' },
    number: 1228,
    date: '2025-03-05',
    direction: 'U',
    subject: 'Richiesta di chiarimenti sulla procedura CIG B1234567AB',
    classification: { code: '6.3', name: 'Vigilanza sui contratti pubblici' },
    recipients: [
      {
        name: 'Comune di Bari',
        pec: 'protocollo@pec.comune.bari.it',
        fiscalCode: '80015010723',
        ipaCode: 'c_a662',
      },
      {
        name: 'Costruzioni Adriatiche S.r.l.',
        pec: 'costruzioni.adriatiche@pec.it',
        fiscalCode: '01234567890',
      },
    ],
    document: {
      fileName: 'AOO_092-0001228-lettera.pdf',
      mimeType: 'application/pdf',
      sha256Base64: sha256Base64('%PDF-1.7 the letter'),
    },
    ...overrides,
  };
}

describe.skipIf(specsMissing)(
  'segnatura di protocollo against segnatura_protocollo.xsd 3.0.0 (xmllint)',
  () => {
    let key: SegnaturaSigningKey;
    beforeAll(() => {
      key = createSelfSignedSigningKey({ aoo: 'AOO_092', name: 'ANAC - Sezione regionale Puglia' });
    });

    async function expectConforming(segnatura: SegnaturaInput): Promise<void> {
      const unsigned = buildSegnatura(segnatura);
      const before = await validate(unsigned);
      expect(before.valid).toBe(false);
      expect(before.errors).toHaveLength(1);
      expect(before.errors[0]).toMatch(MISSING_SIGNATURE);

      const signed = signSegnatura(unsigned, key);
      const after = await validate(signed);
      expect(after.errors).toEqual([]);
      expect(after.valid).toBe(true);
      expect(verifySegnatura(signed, key.certificatePem)).toBe(true);
    }

    it('an outgoing letter to an administration (IPA code) and a company: unsigned lacks only ds:Signature, signed is valid', async () => {
      await expectConforming(input());
    });

    it('minimal: register PROTOCOLLO, number 1, no fiscal codes, one recipient', async () => {
      await expectConforming(
        input({
          administration: { code: 'anac', name: 'ANAC' },
          register: { code: 'PROTOCOLLO' },
          number: 1,
          recipients: [{ name: 'Stazione appaltante', pec: 'sa@pec.example.it' }],
        }),
      );
    });

    it('markup characters in the subject and names, a document description, an eight-digit number', async () => {
      await expectConforming(
        input({
          number: 12_345_678,
          subject: 'Lavori <urgenti> & "somma urgenza" > soglia\r\nseconda riga',
          aoo: {
            code: 'AOO_092',
            name: 'Sezione "Puglia" & <Basilicata>',
            pec: 'puglia@pec.anticorruzione.it',
          },
          recipients: [
            { name: "Rossi & Figli <S.n.c.> l'impresa", pec: 'rossi@pec.it', fiscalCode: '01234567890' },
          ],
          document: {
            fileName: 'lettera "finale" & allegati.pdf',
            mimeType: 'application/pdf',
            sha256Base64: sha256Base64('x'),
            description: 'Nota <prot.> & allegati',
          },
        }),
      );
    });

    it('500 recipients', async () => {
      const recipients = Array.from({ length: 500 }, (_, i) => ({
        name: `Stazione appaltante n. ${i + 1}`,
        pec: `sa${i + 1}@pec.example.it`,
        fiscalCode: String(80_000_000_000 + i),
        ...(i % 2 === 0 ? { ipaCode: `ipa_${i}` } : {}),
      }));
      await expectConforming(input({ recipients }));
    });

    it('the validator is really checking: a six-digit number and an unqualified attribute are rejected', async () => {
      const signed = signSegnatura(buildSegnatura(input()), key);
      const shortNumber = await validate(signed.replace('>0001228<', '>001228<'));
      expect(shortNumber.valid).toBe(false);
      expect(shortNumber.errors.join('\n')).toMatch(/NumeroRegistrazione/);
      const unqualified = await validate(signed.replace('prot:versione=', 'versione='));
      expect(unqualified.valid).toBe(false);
      expect(unqualified.errors.join('\n')).toMatch(/versione/);
    });
  },
);

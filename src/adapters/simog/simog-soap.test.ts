import { describe, expect, it } from 'vitest';
import { DomainError } from '../../domain/shared/errors.js';
import {
  encodeSimogResponse,
  garaXml,
  parseSimogRequest,
  readLotto,
  wsdlWithAddress,
  type XmlElement,
} from './simog-soap.js';

const SOAP = 'http://schemas.xmlsoap.org/soap/envelope/';
const NS = 'xmlbeans.massload.simog.avlp.it';
const LOT =
  'OGGETTO="Lotto &amp; co" IMPORTO_LOTTO="10.50" IMPORTO_SA="0" IMPORTO_IMPRESA="0" CPV="50700000" ID_SCELTA_CONTRAENTE="6" ID_CATEGORIA_PREVALENTE="FS"';

const qualified = (prefix: string, attributes: string) => attributes.replace(/(\w+)="/g, `${prefix}:$1="`);

function operation(xml: string): XmlElement {
  const parsed = parseSimogRequest(xml);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.request.body;
}

describe('SIMOG SOAP codec', () => {
  it('resolves namespaces by URI, whatever the prefixes (or a default namespace)', () => {
    const withPrefixes = `<e:Envelope xmlns:e="${SOAP}"><e:Body><x:inserisciLotto xmlns:x="${NS}"><ticket>t</ticket><datiLotto><Lotto ${qualified('x', LOT)}/></datiLotto></x:inserisciLotto></e:Body></e:Envelope>`;
    const lot = readLotto(operation(withPrefixes));
    expect(lot.attributes).toMatchObject({ OGGETTO: 'Lotto & co', IMPORTO_LOTTO: '10.50', CPV: '50700000' });
    // default namespace on the operation: its children must then undeclare it to be unqualified
    const withDefault = `<soap:Envelope xmlns:soap="${SOAP}"><soap:Body><inserisciLotto xmlns="${NS}" xmlns:a="${NS}"><ticket xmlns="">t</ticket><datiLotto xmlns=""><Lotto ${qualified('a', LOT)}/></datiLotto></inserisciLotto></soap:Body></soap:Envelope>`;
    expect(readLotto(operation(withDefault)).attributes.OGGETTO).toBe('Lotto & co');
  });

  it('refuses what is not a SOAP 1.1 envelope with an operation of the WSDL', () => {
    for (const xml of [
      `<Envelope xmlns="http://www.w3.org/2003/05/soap-envelope"><Body><login xmlns="${NS}"/></Body></Envelope>`,
      `<s:Envelope xmlns:s="${SOAP}"><s:Body/></s:Envelope>`,
      `<s:Envelope xmlns:s="${SOAP}"><s:Body><t:nonEsiste xmlns:t="${NS}"/></s:Body></s:Envelope>`,
      `<s:Envelope xmlns:s="${SOAP}"><s:Body><t:login xmlns:t="urn:other"/></s:Body></s:Envelope>`,
      `<s:Envelope xmlns:s="${SOAP}"><s:Body><t:login/></s:Body></s:Envelope>`,
      `<!DOCTYPE s [<!ENTITY x "y">]><s:Envelope xmlns:s="${SOAP}"><s:Body><t:login xmlns:t="${NS}"><login>&x;</login></t:login></s:Body></s:Envelope>`,
      `<s:Envelope xmlns:s="${SOAP}"><s:Body><t:login xmlns:t="${NS}"><login>&x;</login></t:login></s:Body></s:Envelope>`,
    ]) {
      expect(parseSimogRequest(xml).ok, xml).toBe(false);
    }
  });

  it('checks Lotto attributes against the schema: qualified, declared, typed, required', () => {
    const lot = (attributes: string) =>
      `<s:Envelope xmlns:s="${SOAP}"><s:Body><t:inserisciLotto xmlns:t="${NS}"><datiLotto><Lotto ${attributes}/></datiLotto></t:inserisciLotto></s:Body></s:Envelope>`;
    const refusal = (attributes: string) => {
      try {
        readLotto(operation(lot(attributes)));
      } catch (error) {
        expect(error).toBeInstanceOf(DomainError);
        return (error as DomainError).field;
      }
      return 'accepted';
    };
    expect(refusal(qualified('t', LOT))).toBe('accepted');
    expect(refusal(LOT)).toBe('Lotto/@OGGETTO'); // unqualified
    expect(refusal(qualified('t', LOT.replace('IMPORTO_LOTTO="10.50"', 'IMPORTO_LOTTO="dieci"')))).toBe(
      'Lotto/@IMPORTO_LOTTO',
    );
    expect(refusal(qualified('t', LOT.replace(' CPV="50700000"', '')))).toBe('Lotto/@CPV');
    expect(refusal(`${qualified('t', LOT)} t:NON_DICHIARATO="1"`)).toBe('Lotto/@NON_DICHIARATO');
    expect(refusal(`${qualified('t', LOT)} t:FLAG_CUP="X"`)).toBe('Lotto/@FLAG_CUP');
    expect(refusal(`${qualified('t', LOT)} t:DURATA_AFFIDAMENTO="1.5"`)).toBe('Lotto/@DURATA_AFFIDAMENTO');
  });

  it('writes the response in the schema order, escaped, and attributes qualified', () => {
    const xml = encodeSimogResponse('inserisciGara', {
      before: '<id_gara>1234567</id_gara>',
      success: false,
      error: 'a < b & "c"',
    });
    expect(xml).toContain(
      `<tns:inserisciGaraResponse xmlns:tns="${NS}"><return><id_gara>1234567</id_gara><success>false</success><error>a &lt; b &amp; &quot;c&quot;</error></return>`,
    );
    expect(garaXml('Gara', { IMPORTO_GARA: '1.00', OGGETTO: 'x"y', ID_GARA: undefined })).toBe(
      '<Gara tns:OGGETTO="x&quot;y" tns:IMPORTO_GARA="1.00"/>',
    );
  });

  it("rewrites the WSDL's soap:address and nothing else", () => {
    const wsdl = "<definitions><soap:address location='http://localhost:8080/x'/></definitions>";
    expect(wsdlWithAddress(wsdl, 'https://gara.example/simog/SimogWSPDD?a=1&b=2')).toBe(
      "<definitions><soap:address location='https://gara.example/simog/SimogWSPDD?a=1&amp;b=2'/></definitions>",
    );
  });
});

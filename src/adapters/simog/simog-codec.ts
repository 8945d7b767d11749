import { readFileSync } from 'node:fs';
import type { SimogCodec } from '../../services/simog/ports.js';
import {
  cigBeanXml,
  cupLottoXml,
  encodeSimogFault,
  encodeSimogResponse,
  fieldOf,
  childOf,
  garaXml,
  loginXml,
  lottoXml,
  messaggio,
  parseSimogRequest,
  readCupLotto,
  readGara,
  readLotto,
  readPubblicazione,
  simogOperations,
  wsdlWithAddress,
  type SimogOperation,
} from './simog-soap.js';

/** The official WSDL 3.04.x and its XSDs, shipped in reference-data/simog (copied from the Authority's). */
const specDir = new URL('../../../reference-data/simog/', import.meta.url);
export const SIMOG_XSD_FILES = [
  'ComplexTypes.xsd',
  'GaraWS.xsd',
  'ListTypes.xsd',
  'LottoWS.xsd',
  'SimpleTypes.xsd',
];

export function simogCodec(): SimogCodec {
  const wsdl = readFileSync(new URL('SimogWSPDD.wsdl', specDir), 'utf8');
  const xsds = new Map(SIMOG_XSD_FILES.map((f) => [f, readFileSync(new URL(f, specDir), 'utf8')]));
  return {
    operations: simogOperations,
    parse(xml) {
      const parsed = parseSimogRequest(xml);
      if (!parsed.ok) return parsed;
      const body = parsed.request.body;
      return {
        ok: true,
        request: {
          operation: parsed.request.operation,
          field: (name) => fieldOf(body, name),
          gara: () => readGara(body),
          lotto: () => readLotto(body),
          pubblicazione: () => readPubblicazione(body),
          cupLotto: () => readCupLotto(childOf(body, 'CUPLOTTO'), 'CUPLOTTO'),
        },
      };
    },
    response: (operation, answer) => encodeSimogResponse(operation as SimogOperation, answer),
    fault: encodeSimogFault,
    garaXml,
    lottoXml,
    cupLottoXml,
    cigBeanXml,
    loginXml,
    messaggio,
    wsdl: (location) => wsdlWithAddress(wsdl, location),
    xsd: (name) => xsds.get(name),
  };
}

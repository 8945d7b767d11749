/**
 * SOAP codec of the SIMOG web services (`SimogWSPDD.wsdl` 3.04.x, SOAP 1.1, document/literal). Pure: no I/O.
 *
 * Wire format, as the WSDL has it: every operation has an empty SOAPAction, so the operation is the
 * Body's one element (in the target namespace `xmlbeans.massload.simog.avlp.it`); its children are
 * unqualified (the schema has no `elementFormDefault`). `DatiGara`, `Lotto`, `Pubblicazione` and
 * `CODICICUP` carry their data as namespace-qualified attributes (`tns:OGGETTO="…"`, global attributes
 * referenced by the types), checked against a transcription of the schema (`simog-schema.ts`): required
 * attributes, XSD base types and enumerations. Such a problem is not a fault: the use case answers it in
 * the response type (`success=false`, `error` naming the field). A fault only for what is not a SOAP 1.1
 * envelope whose Body holds exactly one element, a known operation.
 */
import { XMLValidator } from 'fast-xml-parser';
import { DomainError } from '../../domain/shared/errors.js';
import { assertXmlWithinLimits, type XmlLimits } from '../xml/xml-limits.js';
import { decodeXmlReferences, escapeXmlAttribute } from '../../domain/shared/xml-text.js';
import { rawOrderedXmlParser } from '../xml/xml-parser.js';

/** For content and quoted attributes alike: tab and line feed as references, so attribute normalisation keeps them. */
const escapeXml = (value: string): string =>
  escapeXmlAttribute(value).replace(/\t/g, '&#9;').replace(/\n/g, '&#10;');
import {
  cupLottoAttributes,
  datiCUPAttributes,
  garaAttributes,
  lottoAttributes,
  pubblicazioneAttributes,
  tipiAppaltoAttributes,
  type SchemaAttribute,
} from './simog-schema.js';

export const SIMOG_NS = 'xmlbeans.massload.simog.avlp.it';
const SOAP11_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

/** A SIMOG request: one tender's or lot's data; a few KB. Nesting is shallow (Envelope/Body/op/datiLotto/Lotto/CUPLOTTO/CODICICUP). */
export const SIMOG_REQUEST_LIMITS: XmlLimits = {
  maxBytes: 256 * 1024,
  maxDepth: 16,
  maxElements: 2_000,
  maxAttributeLength: 4 * 1024,
  maxTextLength: 64 * 1024,
};

/** Every operation of the WSDL's portType. */
export const simogOperations = [
  'cancellaGara',
  'cancellaLotto',
  'chiudiSessione',
  'consultaGara',
  'consultaIniziativa',
  'consultaNumeroGara',
  'inserisciGara',
  'inserisciLotto',
  'integraCUP',
  'integraDL133',
  'inviaRequisiti',
  'login',
  'loginRPNT',
  'modificaGara',
  'modificaLotto',
  'perfezionaGara',
  'perfezionaLotto',
  'presaInCarico',
  'presaInCaricoGaraDelegata',
  'pubblica',
] as const;
export type SimogOperation = (typeof simogOperations)[number];
const operationSet: ReadonlySet<string> = new Set(simogOperations);

/** A parsed element: namespace URI ('' = none), local name, attributes keyed `{ns}local`, children. */
export interface XmlElement {
  ns: string;
  name: string;
  attributes: Map<string, string>;
  children: XmlElement[];
  text: string;
}

export interface SimogRequest {
  operation: SimogOperation;
  /** The operation element (its children are the request's fields). */
  body: XmlElement;
}

export type ParseResult = { ok: true; request: SimogRequest } | { ok: false; message: string };

type Raw = Record<string, unknown>;

function decode(raw: string): string {
  return decodeXmlReferences(raw, (kind, written) => {
    throw new DomainError('validation_failed', `${kind.replace(/_/g, ' ')}: ${written.slice(0, 20)}`, {
      reason: 'xml_reference',
    });
  });
}

/** Resolves prefixes (XML Namespaces) over fast-xml-parser's ordered output. */
function build(node: Raw, scope: Map<string, string>): XmlElement | undefined {
  const tag = Object.keys(node).find((k) => k !== ':@');
  if (tag === undefined || tag === '#text' || tag === '#cdata') return undefined;
  const rawAttributes = (node[':@'] ?? {}) as Record<string, string>;
  let local = scope;
  for (const [name, value] of Object.entries(rawAttributes)) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) {
      if (local === scope) local = new Map(scope);
      local.set(name === 'xmlns' ? '' : name.slice(6), decode(value));
    }
  }
  const resolve = (qname: string, isAttribute: boolean): { ns: string; name: string } => {
    const colon = qname.indexOf(':');
    if (colon < 0) return { ns: isAttribute ? '' : (local.get('') ?? ''), name: qname };
    const prefix = qname.slice(0, colon);
    const ns = prefix === 'xml' ? 'http://www.w3.org/XML/1998/namespace' : local.get(prefix);
    if (ns === undefined)
      throw new DomainError('validation_failed', `undeclared namespace prefix "${prefix}"`);
    return { ns, name: qname.slice(colon + 1) };
  };
  const { ns, name } = resolve(tag, false);
  const attributes = new Map<string, string>();
  for (const [qname, value] of Object.entries(rawAttributes)) {
    if (qname === 'xmlns' || qname.startsWith('xmlns:')) continue;
    const a = resolve(qname, true);
    if (a.ns === XMLNS_NS) continue;
    attributes.set(`{${a.ns}}${a.name}`, decode(value));
  }
  const children: XmlElement[] = [];
  let text = '';
  for (const child of (node[tag] ?? []) as Raw[]) {
    if ('#text' in child) text += decode(String(child['#text']));
    else if ('#cdata' in child) {
      for (const c of child['#cdata'] as Raw[]) text += String(c['#text'] ?? '');
    } else {
      const element = build(child, local);
      if (element) children.push(element);
    }
  }
  return { ns, name, attributes, children, text };
}

/** Built once: the parser keeps only its options between documents. */
const parser = rawOrderedXmlParser();

/**
 * Parses a request envelope (size and depth bounded, DTDs refused, no entity expanded). Returns the
 * operation and its element, or what is wrong with the envelope (answered with a SOAP fault).
 */
export function parseSimogRequest(xml: string): ParseResult {
  try {
    assertXmlWithinLimits(xml, SIMOG_REQUEST_LIMITS, 'SOAP request');
    const wellFormed = XMLValidator.validate(xml);
    if (wellFormed !== true) return { ok: false, message: `not well-formed XML: ${wellFormed.err.msg}` };
    const parsed = parser.parse(xml) as Raw[];
    const roots = parsed.map((n) => build(n, new Map())).filter((e): e is XmlElement => e !== undefined);
    const envelope = roots[0];
    if (roots.length !== 1 || !envelope) return { ok: false, message: 'no XML element in the request' };
    if (envelope.name !== 'Envelope' || envelope.ns !== SOAP11_NS) {
      return { ok: false, message: 'the document is not a SOAP 1.1 Envelope' };
    }
    const body = envelope.children.find((c) => c.name === 'Body' && c.ns === SOAP11_NS);
    if (!body) return { ok: false, message: 'the Envelope has no SOAP Body' };
    const operation = body.children[0];
    if (!operation) return { ok: false, message: 'the SOAP Body is empty' };
    if (body.children.length > 1) {
      // Document/literal with one part per message: a Body holding more is not a request of this WSDL
      // (running its first element and ignoring the rest would answer a request nobody sent).
      const names = body.children.map((c) => c.name.slice(0, 40));
      return {
        ok: false,
        message:
          `the SOAP Body holds ${body.children.length} elements (${names.slice(0, 5).join(', ')}${names.length > 5 ? ', ...' : ''}): ` +
          'SimogWSPDD.wsdl is document/literal with one part per message, a request carries exactly one ' +
          'operation element; nothing was run',
      };
    }
    if (operation.ns !== SIMOG_NS || !operationSet.has(operation.name)) {
      return {
        ok: false,
        message: `unknown operation {${operation.ns}}${operation.name}: not an operation of SimogWSPDD.wsdl`,
      };
    }
    return { ok: true, request: { operation: operation.name as SimogOperation, body: operation } };
  } catch (error) {
    if (error instanceof DomainError) return { ok: false, message: error.message };
    return { ok: false, message: `not well-formed XML: ${(error as Error).message.split('\n')[0] ?? ''}` };
  }
}

/** The text of an unqualified child element of the operation (`ticket`, `id_gara`, ...), if present. */
export function fieldOf(element: XmlElement, name: string): string | undefined {
  const child = element.children.find((c) => c.name === name && c.ns === '');
  return child === undefined ? undefined : child.text.trim();
}

export function childOf(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c) => c.name === name && c.ns === '');
}

const TYPE_CHECKS: Record<SchemaAttribute['type'], RegExp> = {
  string: /^[\s\S]*$/,
  decimal: /^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$/,
  int: /^[+-]?[0-9]{1,10}$/,
  long: /^[+-]?[0-9]{1,19}$/,
  boolean: /^(true|false|0|1)$/,
  dateTime: /^-?[0-9]{4,}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$/,
};

const invalid = (field: string, message: string) =>
  new DomainError('validation_failed', message, { field, reason: 'simog_schema' });

/** Each schema list by attribute name, built once per list. */
const declaredMaps = new WeakMap<readonly SchemaAttribute[], Map<string, SchemaAttribute>>();
function declaredOf(schema: readonly SchemaAttribute[]): Map<string, SchemaAttribute> {
  let declared = declaredMaps.get(schema);
  if (!declared) {
    declared = new Map(schema.map((a) => [a.name, a]));
    declaredMaps.set(schema, declared);
  }
  return declared;
}

/**
 * The attributes of a data element, checked against the schema's list: namespace-qualified, declared,
 * of the declared type, required ones present. `path` names the element in error texts (`Lotto`).
 */
export function attributesOf(
  element: XmlElement,
  schema: readonly SchemaAttribute[],
  path: string,
): Record<string, string> {
  const declared = declaredOf(schema);
  const values: Record<string, string> = {};
  for (const [key, value] of element.attributes) {
    const [, ns = '', name = ''] = /^\{(.*)\}(.*)$/.exec(key) ?? [];
    if (ns === 'http://www.w3.org/2001/XMLSchema-instance') continue;
    if (ns === '' && declared.has(name)) {
      throw invalid(
        `${path}/@${name}`,
        `${path}/@${name}: l'attributo deve essere qualificato (tns:${name})`,
      );
    }
    const attribute = ns === SIMOG_NS ? declared.get(name) : undefined;
    if (!attribute)
      throw invalid(`${path}/@${name}`, `${path}/@${name}: attributo non previsto dallo schema`);
    const trimmed = attribute.type === 'string' ? value : value.trim();
    if (!TYPE_CHECKS[attribute.type].test(trimmed)) {
      throw invalid(
        `${path}/@${name}`,
        `${path}/@${name}: "${value.slice(0, 40)}" non è un valore ${attribute.type}`,
      );
    }
    if (attribute.values && !attribute.values.includes(trimmed)) {
      throw invalid(
        `${path}/@${name}`,
        `${path}/@${name}: "${value.slice(0, 40)}" non è tra i valori ammessi (${attribute.values.join(', ')})`,
      );
    }
    values[name] = trimmed;
  }
  for (const attribute of schema) {
    if (attribute.required && values[attribute.name] === undefined) {
      throw invalid(
        `${path}/@${attribute.name}`,
        `${path}/@${attribute.name}: attributo obbligatorio mancante`,
      );
    }
  }
  return values;
}

/** `datiGara/DatiGara`, or `datiLotto/Lotto`, ...: the one data element inside its wrapper. */
export function dataElement(operation: XmlElement, wrapper: string, name: string): XmlElement {
  const outer = childOf(operation, wrapper);
  if (!outer) throw invalid(wrapper, `${wrapper}: elemento obbligatorio mancante`);
  const inner = childOf(outer, name);
  if (!inner || outer.children.length !== 1) {
    throw invalid(`${wrapper}/${name}`, `${wrapper}: deve contenere un solo elemento ${name}`);
  }
  return inner;
}

export interface GaraData {
  attributes: Record<string, string>;
  categories: string[];
}

export function readGara(operation: XmlElement): GaraData {
  const element = dataElement(operation, 'datiGara', 'DatiGara');
  const categories = (childOf(element, 'CATEGORIE_MERC')?.children ?? [])
    .filter((c) => c.name === 'CATEGORIA')
    .map((c) => c.text.trim());
  return { attributes: attributesOf(element, garaAttributes, 'DatiGara'), categories };
}

export interface CupData {
  cig?: string | undefined;
  codes: Record<string, string>[];
}

export function readCupLotto(element: XmlElement | undefined, path: string): CupData | undefined {
  if (!element) return undefined;
  const { CIG: cig } = attributesOf(element, cupLottoAttributes, path);
  const codes = element.children
    .filter((c) => c.name === 'CODICICUP')
    .map((c, i) => attributesOf(c, datiCUPAttributes, `${path}/CODICICUP[${i + 1}]`));
  if (codes.length === 0) throw invalid(`${path}/CODICICUP`, `${path}: almeno un CODICICUP`);
  return { cig, codes };
}

export interface LottoData {
  attributes: Record<string, string>;
  cup?: CupData | undefined;
  /** ID_APPALTO of TipiAppaltoLav / TipiAppaltoForn. */
  contractTypes: string[];
}

export function readLotto(operation: XmlElement): LottoData {
  const element = dataElement(operation, 'datiLotto', 'Lotto');
  const contractTypes = element.children
    .filter((c) => c.name === 'TipiAppaltoLav' || c.name === 'TipiAppaltoForn')
    .map((c) => attributesOf(c, tipiAppaltoAttributes, `Lotto/${c.name}`).ID_APPALTO ?? '');
  return {
    attributes: attributesOf(element, lottoAttributes, 'Lotto'),
    cup: readCupLotto(childOf(element, 'CUPLOTTO'), 'Lotto/CUPLOTTO'),
    contractTypes,
  };
}

export function readPubblicazione(operation: XmlElement): Record<string, string> | undefined {
  if (!childOf(operation, 'datiPubblicazione')) return undefined;
  return attributesOf(
    dataElement(operation, 'datiPubblicazione', 'Pubblicazione'),
    pubblicazioneAttributes,
    'Pubblicazione',
  );
}

// ----- encoding -----

const text = (name: string, value: string | undefined): string =>
  value === undefined ? '' : `<${name}>${escapeXml(value)}</${name}>`;

/** An element whose data are tns-qualified attributes, written in the schema's order. */
export function dataElementXml(
  name: string,
  schema: readonly SchemaAttribute[],
  values: Record<string, string | undefined>,
  content = '',
): string {
  const attributes = schema
    .filter((a) => values[a.name] !== undefined)
    .map((a) => ` tns:${a.name}="${escapeXml(values[a.name] as string)}"`)
    .join('');
  return content === '' ? `<${name}${attributes}/>` : `<${name}${attributes}>${content}</${name}>`;
}

export function garaXml(name: string, values: Record<string, string | undefined>, categories: string[] = []) {
  const content =
    categories.length === 0
      ? ''
      : `<CATEGORIE_MERC>${categories.map((c) => text('CATEGORIA', c)).join('')}</CATEGORIE_MERC>`;
  return dataElementXml(name, garaAttributes, values, content);
}

export function cupLottoXml(cup: CupData | undefined): string {
  if (!cup) return '';
  return dataElementXml(
    'CUPLOTTO',
    cupLottoAttributes,
    { CIG: cup.cig },
    cup.codes.map((c) => dataElementXml('CODICICUP', datiCUPAttributes, c)).join(''),
  );
}

export function lottoXml(values: Record<string, string | undefined>, cup?: CupData): string {
  return dataElementXml('Lotto', lottoAttributes, values, cupLottoXml(cup));
}

/** What a response's `return` holds: elements before `success`, the outcome, elements after `error`. */
export interface SimogAnswer {
  /** XML of the elements the response type puts before `success`, in its order. */
  before?: string;
  success: boolean;
  error?: string | undefined;
  /** XML of the elements after `error` (CUPLOTTO). */
  after?: string;
}

export const messaggio = (value: string | undefined): string => text('messaggio', value);

export function cigBeanXml(bean: {
  cfAmministrazione: string;
  cfStazione: string;
  cfUtente: string;
  cig: string;
  cigCicle: number;
}): string {
  return (
    `<cig>${text('applicazione', 'gara')}${text('cfAmministrazione', bean.cfAmministrazione)}` +
    `${text('cfStazione', bean.cfStazione)}${text('cfUtente', bean.cfUtente)}${text('cig', bean.cig)}` +
    `<cigCicle>${bean.cigCicle}</cigCicle></cig>`
  );
}

export function loginXml(ticket: string, collaborations: Record<string, string>[]): string {
  const order = [
    'azienda_codiceFiscale',
    'azienda_denominazione',
    'idOsservatorio',
    'index',
    'ufficio_denominazione',
    'ufficio_id',
    'ufficio_profilo',
  ];
  const coll = collaborations
    .map((c) => `<collaborazioni>${order.map((k) => text(k, c[k])).join('')}</collaborazioni>`)
    .join('');
  return `${text('ticket', ticket)}<coll>${coll}</coll>`;
}

function envelope(body: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<soap:Envelope xmlns:soap="${SOAP11_NS}"><soap:Body>${body}</soap:Body></soap:Envelope>`
  );
}

/** `<tns:{operation}Response><return>…</return></tns:{operation}Response>` in the WSDL's element order. */
export function encodeSimogResponse(operation: SimogOperation, answer: SimogAnswer): string {
  const ret =
    `${answer.before ?? ''}<success>${answer.success ? 'true' : 'false'}</success>` +
    `${text('error', answer.error)}${answer.after ?? ''}`;
  return envelope(
    `<tns:${operation}Response xmlns:tns="${SIMOG_NS}"><return>${ret}</return></tns:${operation}Response>`,
  );
}

/** A SOAP 1.1 fault: `Client` for a malformed envelope, `Server` while the service cannot answer. */
export function encodeSimogFault(code: 'Client' | 'Server', message: string): string {
  return envelope(
    `<soap:Fault><faultcode>soap:${code}</faultcode>${text('faultstring', message.slice(0, 300))}</soap:Fault>`,
  );
}

/** The official WSDL with its soap:address pointing at this service. */
export function wsdlWithAddress(wsdl: string, location: string): string {
  return wsdl.replace(
    /(<soap:address\s+location=)(['"])[^'"]*\2/,
    (_m, start: string, quote: string) => `${start}${quote}${escapeXml(location)}${quote}`,
  );
}

import type { FaultCode } from '../../services/payments/pagopa-creditor.js';
/**
 * SOAP codec of the creditor's side of pagoPA ("paForNode", `specs/pagopa-api/wsdl/paForNode.wsdl`).
 *
 * Pure: no I/O. The pagoPA node calls the creditor (Ente Creditore) with `paVerifyPaymentNotice`,
 * `paGetPayment`/`paGetPaymentV2` and `paSendRT`/`paSendRTV2`; this module parses those requests and
 * builds the creditor's responses and faults. For the built-in sandbox, which plays the node, it also
 * builds the node's requests and reads the creditor's responses.
 *
 * Wire format: SOAP 1.1, document/literal. Only the body's root element is in the paForNode namespace;
 * its descendants are unqualified (the XSD has no `elementFormDefault`, so it is `unqualified`).
 * Namespaces are resolved as XML Namespaces says (any prefix, or a default namespace): the Envelope and
 * Body must be SOAP 1.1's, the operation element paForNode's, its descendants in no namespace, and no
 * attribute is allowed on them (the XSD declares none) — exactly what the XSD accepts, no more, no less.
 * Element names, order, multiplicity and the simple types of the XSD are checked by a small validator
 * driven by a transcription of `paForNode.xsd` (below). Amounts stay decimal strings (`30.00`)
 * throughout, never floats.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { SOAP_REQUEST_LIMITS, assertXmlWithinLimits } from '../xml/xml-limits.js';
import { escapeXmlText, INVALID_XML_CHAR } from '../../domain/shared/xml-text.js';

export const PA_FOR_NODE_NS = 'http://pagopa-api.pagopa.gov.it/pa/paForNode.xsd';
export const SOAP_ENVELOPE_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
/** SOAP 1.2's envelope namespace: not the paForNode.wsdl binding (SOAP 1.1), refused with a message saying so. */
const SOAP12_ENVELOPE_NS = 'http://www.w3.org/2003/05/soap-envelope';
const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';
/** Larger messages are refused before parsing (a receipt with five transfers is a few KB). */
export const MAX_SOAP_MESSAGE_CHARS = 256 * 1024;
/** Error messages are cut to this length (they end up in logs and in the fault's description). */
const MAX_MESSAGE_CHARS = 300;

export type PaForNodeOperation =
  'paVerifyPaymentNotice' | 'paGetPayment' | 'paGetPaymentV2' | 'paSendRT' | 'paSendRTV2';

/** The official fault codes: one list, declared by the creditor service. */
export type { FaultCode };

/** SOAP body root element of each operation's request (as the node sends it). */
export const REQUEST_ELEMENT: Readonly<Record<PaForNodeOperation, string>> = {
  paVerifyPaymentNotice: 'paVerifyPaymentNoticeReq',
  paGetPayment: 'paGetPaymentReq',
  paGetPaymentV2: 'paGetPaymentV2Request',
  paSendRT: 'paSendRTReq',
  paSendRTV2: 'paSendRTV2Request',
};

/** SOAP body root element of each operation's response (as the creditor answers). */
export const RESPONSE_ELEMENT: Readonly<Record<PaForNodeOperation, string>> = {
  paVerifyPaymentNotice: 'paVerifyPaymentNoticeRes',
  paGetPayment: 'paGetPaymentRes',
  paGetPaymentV2: 'paGetPaymentV2Response',
  paSendRT: 'paSendRTRes',
  paSendRTV2: 'paSendRTV2Response',
};

export interface Caller {
  idPA: string;
  idBrokerPA: string;
  idStation: string;
}

/** ctSubject. `type` is entityUniqueIdentifierType: F natural person, G legal person. */
export interface Subject {
  type: 'F' | 'G';
  fiscalCode: string;
  fullName: string;
  email?: string;
  streetName?: string;
  civicNumber?: string;
  postalCode?: string;
  city?: string;
  stateProvinceRegion?: string;
  /** Two capital letters (ISO 3166 alpha-2). */
  country?: string;
}

export interface MapEntry {
  key: string;
  value: string;
}

/**
 * ctTransferPA (v1) / ctTransferPAV2 / ctTransferPAReceiptV2. `companyName` exists in v2 only.
 * In a v2 receipt a transfer may carry a digital revenue stamp (`MBDAttachment`, base64) instead of an
 * IBAN: then `mbdAttachment` is set and `iban` is ''.
 */
export interface Transfer {
  idTransfer: number;
  amount: string;
  fiscalCodePA: string;
  iban: string;
  remittanceInformation: string;
  transferCategory: string;
  companyName?: string;
  mbdAttachment?: string;
  metadata?: MapEntry[];
}

/** ctReceipt (paSendRT) / ctReceiptV2 (paSendRTV2); the V2-only fields are marked. */
export interface Receipt {
  receiptId: string;
  noticeNumber: string;
  fiscalCode: string;
  outcome: 'OK' | 'KO';
  creditorReferenceId: string;
  paymentAmount: string;
  description: string;
  companyName: string;
  officeName?: string;
  debtor: Subject;
  transferList: Transfer[];
  idPSP: string;
  pspFiscalCode?: string;
  pspPartitaIVA?: string;
  pspCompanyName: string;
  idChannel: string;
  channelDescription: string;
  payer?: Subject;
  paymentMethod?: string;
  /** V2 only. */
  paymentNote?: string;
  fee?: string;
  /** V2 only. */
  primaryCiIncurredFee?: string;
  /** V2 only. */
  idBundle?: string;
  /** V2 only. */
  idCiBundle?: string;
  paymentDateTime?: string;
  applicationDate?: string;
  transferDate?: string;
  metadata?: MapEntry[];
  standIn?: boolean;
}

export type PaForNodeRequest =
  | ({ operation: 'paVerifyPaymentNotice'; qrCode: { fiscalCode: string; noticeNumber: string } } & Caller)
  | ({
      operation: 'paGetPayment' | 'paGetPaymentV2';
      qrCode: { fiscalCode: string; noticeNumber: string };
      /** Optional in the XSD (minOccurs=0): when absent, the amount is the position's own. */
      amount?: string;
      paymentNote?: string;
      transferType?: string;
      dueDate?: string;
    } & Caller)
  | ({ operation: 'paSendRT' | 'paSendRTV2'; receipt: Receipt } & Caller);

/**
 * ok:false => the caller answers the syntax fault PAA_SINTASSI_EXTRAXSD (the one pagoPA's error table
 * lists for these operations), with `operation`'s response element when known.
 */
export type ParsedRequest =
  | { ok: true; request: PaForNodeRequest }
  | { ok: false; operation?: PaForNodeOperation; idPA?: string; message: string };

export interface PaymentData {
  /** The IUV. */
  creditorReferenceId: string;
  amount: string;
  /** YYYY-MM-DD */
  dueDate: string;
  description: string;
  companyName: string;
  officeName?: string;
  fiscalCodePA: string;
  debtor: Subject;
  transfers: Transfer[];
  metadata?: MapEntry[];
}

/** A builder was given data the XSD (or pagoPA's rules) would refuse: answer PAA_SYSTEM_ERROR instead. */
export class PaForNodeBuildError extends Error {
  override readonly name = 'PaForNodeBuildError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

// ---------------------------------------------------------------------------------------------------
// The XSD simple types
// ---------------------------------------------------------------------------------------------------

interface SimpleType {
  /** Completes "<element> must ..." in messages. */
  rule: string;
  /** xsd:string keeps whitespace; decimal, date, boolean, int collapse it (= trim, here). */
  collapse?: boolean;
  check(value: string): boolean;
  normalize?(value: string): string;
}

const codePoints = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

const text = (min: number, max: number): SimpleType => ({
  rule: min === max ? `be ${max} characters long` : `be ${min} to ${max} characters long`,
  check: (v) => {
    const n = codePoints(v);
    return n >= min && n <= max;
  },
});
const pattern = (re: RegExp, rule: string, extra?: (v: string) => boolean): SimpleType => ({
  rule,
  check: (v) => (extra ? extra(v) : true) && re.test(v),
});
const oneOf = (...values: string[]): SimpleType => ({
  rule: `be one of ${values.join(', ')}`,
  check: (v) => values.includes(v),
});

const AMOUNT_RE = /^([0-9]+)\.([0-9]{2})$/;
const stripLeadingZeros = (v: string): string => v.replace(/^0+(?=[0-9])/, '');
const amountFits = (v: string): boolean => {
  const m = AMOUNT_RE.exec(v);
  return m !== null && stripLeadingZeros(m[1] ?? '').length <= 9;
};
const stAmount: SimpleType = {
  rule: 'be an amount with two decimals, from 0.00 to 999999999.99 (e.g. 30.00)',
  collapse: true,
  check: amountFits,
  normalize: stripLeadingZeros,
};
const stAmountNotZero: SimpleType = {
  rule: 'be an amount with two decimals, from 0.01 to 999999999.99 (e.g. 30.00)',
  collapse: true,
  check: (v) => amountFits(v) && /[1-9]/.test(v),
  normalize: stripLeadingZeros,
};

const TZ = '(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))';
const DATE_RE = new RegExp(`^([0-9]{4})-([0-9]{2})-([0-9]{2})${TZ}?$`);
const DATE_TIME_RE = new RegExp(
  `^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(\\.[0-9]+)?${TZ}?$`,
);
function validYmd(y: string | undefined, m: string | undefined, d: string | undefined): boolean {
  const year = Number(y);
  const month = Number(m);
  const day = Number(d);
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  return day <= days;
}
const stISODate: SimpleType = {
  rule: 'be a date YYYY-MM-DD',
  collapse: true,
  check: (v) => {
    const m = DATE_RE.exec(v);
    return m !== null && validYmd(m[1], m[2], m[3]);
  },
};
const stISODateTime: SimpleType = {
  rule: 'be a date and time YYYY-MM-DDThh:mm:ss',
  collapse: true,
  check: (v) => {
    const m = DATE_TIME_RE.exec(v);
    if (m === null || !validYmd(m[1], m[2], m[3])) return false;
    const [h, min, s] = [Number(m[4]), Number(m[5]), Number(m[6])];
    if (h === 24) return min === 0 && s === 0 && !/[1-9]/.test(m[7] ?? '');
    return h < 24 && min < 60 && s < 60;
  },
};
const xsBoolean: SimpleType = {
  rule: 'be true, false, 1 or 0',
  collapse: true,
  check: (v) => ['true', 'false', '1', '0'].includes(v),
  normalize: (v) => (v === 'true' || v === '1' ? 'true' : 'false'),
};
const stIdTransfer: SimpleType = {
  rule: 'be an integer from 1 to 5',
  collapse: true,
  check: (v) => /^\+?0*[1-5]$/.test(v),
  normalize: (v) => String(Number(v)),
};
const xsBase64: SimpleType = {
  rule: 'be base64',
  collapse: true,
  check: (v) => /^[A-Za-z0-9+/= ]*$/.test(v) && v.replace(/ /g, '').length % 4 === 0,
};
const xsString: SimpleType = { rule: 'be a string', check: () => true };

const stText16 = text(1, 16);
const stText20 = text(1, 20);
const stText35 = text(1, 35);
const stText70 = text(1, 70);
const stText140 = text(1, 140);
const stText210 = text(1, 210);
const stIBAN = text(1, 35);
const stEntityUniqueIdentifierValue = text(2, 16);
const stEntityUniqueIdentifierType = oneOf('F', 'G');
const stOutcome = oneOf('OK', 'KO');
const stTransferType = oneOf('POSTAL', 'PAGOPA');
const stFiscalCodePA = pattern(/^[0-9]{11}$/, 'be 11 digits');
const stNoticeNumber = pattern(/^[0-9]{18}$/, 'be 18 digits');
const stNazioneProvincia = pattern(/^[A-Z]{2}$/, 'be 2 capital letters');
const stEMail = pattern(
  /^[a-zA-Z0-9_.+-]+@[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)*$/,
  'be an e-mail address (at most 256 characters)',
  (v) => v.length <= 256,
);

// ---------------------------------------------------------------------------------------------------
// The XSD complex types used by the requests (a transcription of paForNode.xsd)
// ---------------------------------------------------------------------------------------------------

interface ElementDecl {
  name: string;
  type: SimpleType | ComplexType;
  min: number;
  max: number;
}
interface ChoiceDecl {
  choice: ElementDecl[];
}
interface ComplexType {
  sequence: (ElementDecl | ChoiceDecl)[];
}

const req = (name: string, type: SimpleType | ComplexType): ElementDecl => ({ name, type, min: 1, max: 1 });
const opt = (name: string, type: SimpleType | ComplexType): ElementDecl => ({ name, type, min: 0, max: 1 });
const list = (name: string, type: ComplexType, min: number, max: number): ElementDecl => ({
  name,
  type,
  min,
  max,
});
const seq = (...sequence: (ElementDecl | ChoiceDecl)[]): ComplexType => ({ sequence });
const isComplex = (t: SimpleType | ComplexType): t is ComplexType => 'sequence' in t;

const ctMetadata = seq(list('mapEntry', seq(req('key', stText140), req('value', stText140)), 1, 15));
const ctSubject = seq(
  req(
    'uniqueIdentifier',
    seq(
      req('entityUniqueIdentifierType', stEntityUniqueIdentifierType),
      req('entityUniqueIdentifierValue', stEntityUniqueIdentifierValue),
    ),
  ),
  req('fullName', stText70),
  opt('streetName', stText70),
  opt('civicNumber', stText16),
  opt('postalCode', stText16),
  opt('city', stText35),
  opt('stateProvinceRegion', stText35),
  opt('country', stNazioneProvincia),
  opt('e-mail', stEMail),
);
const ctTransferPA = seq(
  req('idTransfer', stIdTransfer),
  req('transferAmount', stAmountNotZero),
  req('fiscalCodePA', stFiscalCodePA),
  req('IBAN', stIBAN),
  req('remittanceInformation', stText140),
  req('transferCategory', stText140),
  opt('metadata', ctMetadata),
);
const ctTransferPAReceiptV2 = seq(
  req('idTransfer', stIdTransfer),
  req('transferAmount', stAmountNotZero),
  req('fiscalCodePA', stFiscalCodePA),
  opt('companyName', stText140),
  { choice: [req('IBAN', stIBAN), req('MBDAttachment', xsBase64)] },
  req('remittanceInformation', stText140),
  req('transferCategory', stText140),
  opt('metadata', ctMetadata),
);
const receiptHead = (transfer: ComplexType) => [
  req('receiptId', xsString),
  req('noticeNumber', stNoticeNumber),
  req('fiscalCode', stFiscalCodePA),
  req('outcome', stOutcome),
  req('creditorReferenceId', stText35),
  req('paymentAmount', stAmount),
  req('description', stText140),
  req('companyName', stText140),
  opt('officeName', stText140),
  req('debtor', ctSubject),
  req('transferList', seq(list('transfer', transfer, 1, 5))),
  req('idPSP', stText35),
  opt('pspFiscalCode', stText70),
  opt('pspPartitaIVA', stText20),
  req('PSPCompanyName', stText70),
  req('idChannel', stText35),
  req('channelDescription', stText35),
  opt('payer', ctSubject),
  opt('paymentMethod', stText35),
];
const receiptTail = [
  opt('paymentDateTime', stISODateTime),
  opt('applicationDate', stISODate),
  opt('transferDate', stISODate),
  opt('metadata', ctMetadata),
  opt('standIn', xsBoolean),
];
const ctReceipt = seq(...receiptHead(ctTransferPA), opt('fee', stAmount), ...receiptTail);
const ctReceiptV2 = seq(
  ...receiptHead(ctTransferPAReceiptV2),
  opt('paymentNote', stText210),
  opt('fee', stAmount),
  opt('primaryCiIncurredFee', stAmount),
  opt('idBundle', stText70),
  opt('idCiBundle', stText70),
  ...receiptTail,
);
const callerDecls = [req('idPA', stText35), req('idBrokerPA', stText35), req('idStation', stText35)];
const ctQrCode = seq(req('fiscalCode', stFiscalCodePA), req('noticeNumber', stNoticeNumber));
const getPaymentRequestType = seq(
  ...callerDecls,
  req('qrCode', ctQrCode),
  opt('amount', stAmount),
  opt('paymentNote', stText210),
  opt('transferType', stTransferType),
  opt('dueDate', stISODate),
);

const REQUEST_TYPES: Readonly<Record<PaForNodeOperation, ComplexType>> = {
  paVerifyPaymentNotice: seq(...callerDecls, req('qrCode', ctQrCode)),
  paGetPayment: getPaymentRequestType,
  paGetPaymentV2: getPaymentRequestType,
  paSendRT: seq(...callerDecls, req('receipt', ctReceipt)),
  paSendRTV2: seq(...callerDecls, req('receipt', ctReceiptV2)),
};

const OPERATION_BY_REQUEST_ELEMENT = new Map<string, PaForNodeOperation>(
  (Object.entries(REQUEST_ELEMENT) as [PaForNodeOperation, string][]).map(([op, el]) => [el, op]),
);

// ---------------------------------------------------------------------------------------------------
// Reading XML
// ---------------------------------------------------------------------------------------------------

class Invalid extends Error {}

/** Namespace prefix ('' = the default namespace) -> namespace name ('' = none), as in scope. */
type NsScope = ReadonlyMap<string, string>;
const INITIAL_SCOPE: NsScope = new Map([
  ['', ''],
  ['xml', 'http://www.w3.org/XML/1998/namespace'],
]);

interface XmlElement {
  /** Local name (prefix removed). */
  name: string;
  /** Namespace name ('' = no namespace). */
  ns: string;
  children: unknown[];
  scope: NsScope;
  /** Qualified names of the attributes other than namespace declarations. */
  attributes: { name: string; ns: string }[];
}

const orderedParser = new XMLParser({
  preserveOrder: true,
  removeNSPrefix: false,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
  // Entities are decoded below (only the five predefined ones and character references); DTDs are
  // refused before parsing, so nothing can be declared, let alone expanded.
  processEntities: false,
  cdataPropName: '#cdata',
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: 64,
});

const PREDEFINED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeText(raw: string, path: string): string {
  return raw.replace(/&([^;&]*);/g, (_, ref: string) => {
    if (ref.startsWith('#')) {
      const cp = /^#x[0-9a-fA-F]{1,6}$/.test(ref)
        ? parseInt(ref.slice(2), 16)
        : /^#[0-9]{1,7}$/.test(ref)
          ? parseInt(ref.slice(1), 10)
          : NaN;
      const allowed =
        cp === 0x9 ||
        cp === 0xa ||
        cp === 0xd ||
        (cp >= 0x20 && cp <= 0xd7ff) ||
        (cp >= 0xe000 && cp <= 0xfffd) ||
        (cp >= 0x10000 && cp <= 0x10ffff);
      if (!allowed) throw new Invalid(`${path}: invalid character reference &${ref};`);
      return String.fromCodePoint(cp);
    }
    const replacement = PREDEFINED[ref];
    if (replacement === undefined) throw new Invalid(`${path}: undeclared entity &${ref};`);
    return replacement;
  });
}

/** XML white space is space, tab, CR and LF only (String.prototype.trim also strips U+00A0 and more). */
// (loops, not /\s+$/: that regex is quadratic on long inner runs of blanks)
const isXmlSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';
function xmlTrim(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isXmlSpace(s[start])) start++;
  while (end > start && isXmlSpace(s[end - 1])) end--;
  return s.slice(start, end);
}
const isXmlBlank = (s: string): boolean => /^[ \t\n\r]*$/.test(s);

/** Splits a qualified name into prefix ('' when none) and local name. */
function splitQName(qname: string): [string, string] {
  const colon = qname.indexOf(':');
  return colon < 0 ? ['', qname] : [qname.slice(0, colon), qname.slice(colon + 1)];
}

/** An element's namespace declarations applied to its parent's scope, its name and attributes resolved. */
function resolveElement(qname: string, rawAttributes: unknown, parent: NsScope, path: string): XmlElement {
  const attrs =
    typeof rawAttributes === 'object' && rawAttributes !== null
      ? Object.entries(rawAttributes as Record<string, unknown>)
      : [];
  let scope = parent;
  const others: [string, string][] = [];
  for (const [name, value] of attrs) {
    const [prefix, local] = splitQName(name);
    if (prefix === '' && local === 'xmlns') {
      scope = new Map(scope).set('', decodeText(String(value), path));
    } else if (prefix === 'xmlns') {
      const uri = decodeText(String(value), path);
      if (uri === '')
        throw new Invalid(`${path}: the prefix "${local}" cannot be undeclared (XML Namespaces 1.0)`);
      scope = new Map(scope).set(local, uri);
    } else {
      others.push([prefix, local]);
    }
  }
  const namespaceOf = (prefix: string, what: string): string => {
    const ns = scope.get(prefix);
    if (ns === undefined)
      throw new Invalid(`${path}: the namespace prefix "${prefix}" of ${what} is not declared`);
    return ns;
  };
  const [prefix, name] = splitQName(qname);
  return {
    name,
    ns: namespaceOf(prefix, `<${qname}>`),
    children: [],
    scope,
    // unprefixed attributes are in no namespace (the default namespace does not apply to them)
    attributes: others.map(([p, local]) => ({
      name: local,
      ns: p === '' ? '' : namespaceOf(p, `@${p}:${local}`),
    })),
  };
}

/** Splits fast-xml-parser's ordered children into elements and (decoded) character data. */
function splitContent(
  children: unknown[],
  path: string,
  scope: NsScope = INITIAL_SCOPE,
): { elements: XmlElement[]; text: string } {
  const elements: XmlElement[] = [];
  let textContent = '';
  for (const item of children) {
    if (typeof item !== 'object' || item === null) continue;
    const rawAttributes = (item as Record<string, unknown>)[':@'];
    for (const [key, value] of Object.entries(item)) {
      if (key === ':@') continue;
      if (key === '#text') {
        textContent += decodeText(String(value), path);
      } else if (key === '#cdata') {
        for (const part of Array.isArray(value) ? value : []) {
          if (typeof part === 'object' && part !== null && '#text' in part)
            textContent += String(part['#text']);
        }
      } else {
        const element = resolveElement(key, rawAttributes, scope, path);
        element.children = Array.isArray(value) ? value : [];
        elements.push(element);
      }
    }
  }
  return { elements, text: textContent };
}

/** Pre-checks, well-formedness and the SOAP envelope; returns the body's root element. */
function readSoapBody(xml: unknown): XmlElement {
  if (typeof xml !== 'string') throw new Invalid('the request is not text');
  if (xml.length > MAX_SOAP_MESSAGE_CHARS) {
    throw new Invalid(`the message is larger than ${MAX_SOAP_MESSAGE_CHARS} characters`);
  }
  const source = xml.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  if (isXmlBlank(source)) throw new Invalid('empty message: a SOAP envelope was expected');
  if (/<!DOCTYPE|<!ENTITY/i.test(source)) throw new Invalid('DTDs are not allowed in SOAP messages');
  if (INVALID_XML_CHAR.test(source)) throw new Invalid('the message contains characters not allowed in XML');
  assertXmlWithinLimits(source, SOAP_REQUEST_LIMITS, 'the SOAP request');
  const wellFormed = XMLValidator.validate(source);
  if (wellFormed !== true) {
    throw new Invalid(`malformed XML: ${wellFormed.err.msg} (line ${wellFormed.err.line})`);
  }
  let parsed: unknown;
  try {
    parsed = orderedParser.parse(source);
  } catch (err) {
    throw new Invalid(`malformed XML: ${err instanceof Error ? err.message : String(err)}`);
  }
  const top = splitContent(Array.isArray(parsed) ? parsed : [], 'document');
  const [envelope, ...extraRoots] = top.elements;
  if (envelope === undefined || !isXmlBlank(top.text)) throw new Invalid('a SOAP envelope was expected');
  if (extraRoots.length > 0) throw new Invalid('more than one root element');
  if (envelope.name !== 'Envelope') {
    throw new Invalid(`the root element must be the SOAP Envelope, not <${envelope.name}>`);
  }
  if (envelope.ns === SOAP12_ENVELOPE_NS) {
    throw new Invalid('a SOAP 1.2 envelope: this service speaks SOAP 1.1 (the binding of paForNode.wsdl)');
  }
  if (envelope.ns !== SOAP_ENVELOPE_NS) {
    throw new Invalid(
      `Envelope: must be in the SOAP 1.1 namespace ${SOAP_ENVELOPE_NS}, not "${envelope.ns}"`,
    );
  }
  const env = splitContent(envelope.children, 'Envelope', envelope.scope);
  if (!isXmlBlank(env.text)) throw new Invalid('Envelope: unexpected text');
  const [first, second, ...rest] = env.elements;
  const body = first?.name === 'Header' ? second : first;
  const after = first?.name === 'Header' ? rest : second === undefined ? [] : [second, ...rest];
  if (body?.name !== 'Body') throw new Invalid('Envelope: missing <Body>');
  if (first?.name === 'Header' && first.ns !== SOAP_ENVELOPE_NS) {
    throw new Invalid('Header: must be in the SOAP 1.1 namespace');
  }
  if (body.ns !== SOAP_ENVELOPE_NS) throw new Invalid('Body: must be in the SOAP 1.1 namespace');
  const unexpected = after[0];
  if (unexpected !== undefined) throw new Invalid(`Envelope: unexpected element <${unexpected.name}>`);
  const content = splitContent(body.children, 'Body', body.scope);
  if (!isXmlBlank(content.text)) throw new Invalid('Body: unexpected text');
  const [root, ...others] = content.elements;
  if (root === undefined) throw new Invalid('Body: empty, an operation element was expected');
  if (others.length > 0) throw new Invalid('Body: more than one element');
  return root;
}

/** Validated element content: simple values are strings, repeatable elements arrays. */
interface Tree {
  [name: string]: string | Tree | Tree[] | undefined;
}

/** paForNode.xsd declares no attributes; xsi:schemaLocation hints are allowed anywhere by XML Schema. */
function checkAttributes(el: XmlElement, path: string): void {
  for (const a of el.attributes) {
    if (a.ns === XSI_NS && (a.name === 'schemaLocation' || a.name === 'noNamespaceSchemaLocation')) continue;
    throw new Invalid(`${path}: unexpected attribute ${a.name}${a.ns === '' ? '' : ` (namespace ${a.ns})`}`);
  }
}

function validateElement(el: XmlElement, type: SimpleType | ComplexType, path: string): string | Tree {
  checkAttributes(el, path);
  const { elements, text: content } = splitContent(el.children, path, el.scope);
  if (isComplex(type)) {
    if (!isXmlBlank(content)) throw new Invalid(`${path}: unexpected text, only elements are allowed here`);
    return validateSequence(elements, type, path);
  }
  const first = elements[0];
  if (first !== undefined) throw new Invalid(`${path}: must contain text, not the element <${first.name}>`);
  const value = type.collapse ? xmlTrim(content) : content;
  if (!type.check(value)) throw new Invalid(`${path}: must ${type.rule}`);
  return type.normalize ? type.normalize(value) : value;
}

function validateSequence(elements: XmlElement[], type: ComplexType, path: string): Tree {
  const out: Tree = {};
  let i = 0;
  const found = (el: XmlElement | undefined) => (el === undefined ? 'nothing' : `<${el.name}>`);
  for (const decl of type.sequence) {
    if ('choice' in decl) {
      const next = elements[i];
      const alternative = next?.ns === '' ? decl.choice.find((d) => d.name === next.name) : undefined;
      if (next === undefined || alternative === undefined) {
        const names = decl.choice.map((d) => `<${d.name}>`).join(' or ');
        throw new Invalid(`${path}: expected ${names}, found ${found(next)}`);
      }
      out[alternative.name] = validateElement(next, alternative.type, `${path}/${alternative.name}`);
      i++;
      continue;
    }
    const values: (string | Tree)[] = [];
    for (let next = elements[i]; next?.name === decl.name && next.ns === ''; next = elements[i]) {
      if (values.length === decl.max) {
        throw new Invalid(
          `${path}: <${decl.name}> may occur at most ${decl.max} time${decl.max > 1 ? 's' : ''}`,
        );
      }
      const at = decl.max > 1 ? `${path}/${decl.name}[${values.length + 1}]` : `${path}/${decl.name}`;
      values.push(validateElement(next, decl.type, at));
      i++;
    }
    if (values.length < decl.min) {
      const next = elements[i];
      throw new Invalid(
        next === undefined
          ? `${path}: missing <${decl.name}>`
          : `${path}: expected <${decl.name}>, found <${next.name}>${qualifiedNote(next)}`,
      );
    }
    if (values.length > 0) out[decl.name] = decl.max > 1 ? (values as Tree[]) : values[0];
  }
  const extra = elements[i];
  if (extra !== undefined)
    throw new Invalid(`${path}: unexpected element <${extra.name}>${qualifiedNote(extra)}`);
  return out;
}

/** The descendants of the operation element are unqualified: say so when one is in a namespace. */
const qualifiedNote = (el: XmlElement): string =>
  el.ns === '' ? '' : ` in the namespace "${el.ns}" (the elements inside the operation have no namespace)`;

// Accessors over a validated Tree (the shape is guaranteed by the declarations above).
const str = (t: Tree, k: string): string => {
  const v = t[k];
  if (typeof v !== 'string') throw new Invalid(`internal: ${k} is not a value`);
  return v;
};
const optStr = (t: Tree, k: string): string | undefined => (t[k] === undefined ? undefined : str(t, k));
const sub = (t: Tree, k: string): Tree => {
  const v = t[k];
  if (typeof v !== 'object' || Array.isArray(v)) throw new Invalid(`internal: ${k} is not an element`);
  return v;
};
const optSub = (t: Tree, k: string): Tree | undefined => (t[k] === undefined ? undefined : sub(t, k));
const many = (t: Tree, k: string): Tree[] => {
  const v = t[k];
  return Array.isArray(v) ? v : [];
};

/** Drops the keys whose value is undefined, so parsed objects compare and log cleanly. */
function compact<T extends object>(o: T): T {
  for (const key of Object.keys(o) as (keyof T)[]) if (o[key] === undefined) delete o[key];
  return o;
}

const toMetadata = (t: Tree | undefined): MapEntry[] | undefined =>
  t === undefined
    ? undefined
    : many(t, 'mapEntry').map((e) => ({ key: str(e, 'key'), value: str(e, 'value') }));

function toSubject(t: Tree): Subject {
  const id = sub(t, 'uniqueIdentifier');
  return compact({
    type: str(id, 'entityUniqueIdentifierType') === 'G' ? 'G' : 'F',
    fiscalCode: str(id, 'entityUniqueIdentifierValue'),
    fullName: str(t, 'fullName'),
    email: optStr(t, 'e-mail'),
    streetName: optStr(t, 'streetName'),
    civicNumber: optStr(t, 'civicNumber'),
    postalCode: optStr(t, 'postalCode'),
    city: optStr(t, 'city'),
    stateProvinceRegion: optStr(t, 'stateProvinceRegion'),
    country: optStr(t, 'country'),
  });
}

function toTransfer(t: Tree): Transfer {
  return compact({
    idTransfer: Number(str(t, 'idTransfer')),
    amount: str(t, 'transferAmount'),
    fiscalCodePA: str(t, 'fiscalCodePA'),
    iban: optStr(t, 'IBAN') ?? '',
    remittanceInformation: str(t, 'remittanceInformation'),
    transferCategory: str(t, 'transferCategory'),
    companyName: optStr(t, 'companyName'),
    mbdAttachment: optStr(t, 'MBDAttachment'),
    metadata: toMetadata(optSub(t, 'metadata')),
  });
}

function toReceipt(t: Tree): Receipt {
  const payer = optSub(t, 'payer');
  const standIn = optStr(t, 'standIn');
  return compact({
    receiptId: str(t, 'receiptId'),
    noticeNumber: str(t, 'noticeNumber'),
    fiscalCode: str(t, 'fiscalCode'),
    outcome: str(t, 'outcome') === 'OK' ? 'OK' : 'KO',
    creditorReferenceId: str(t, 'creditorReferenceId'),
    paymentAmount: str(t, 'paymentAmount'),
    description: str(t, 'description'),
    companyName: str(t, 'companyName'),
    officeName: optStr(t, 'officeName'),
    debtor: toSubject(sub(t, 'debtor')),
    transferList: many(sub(t, 'transferList'), 'transfer').map(toTransfer),
    idPSP: str(t, 'idPSP'),
    pspFiscalCode: optStr(t, 'pspFiscalCode'),
    pspPartitaIVA: optStr(t, 'pspPartitaIVA'),
    pspCompanyName: str(t, 'PSPCompanyName'),
    idChannel: str(t, 'idChannel'),
    channelDescription: str(t, 'channelDescription'),
    payer: payer === undefined ? undefined : toSubject(payer),
    paymentMethod: optStr(t, 'paymentMethod'),
    paymentNote: optStr(t, 'paymentNote'),
    fee: optStr(t, 'fee'),
    primaryCiIncurredFee: optStr(t, 'primaryCiIncurredFee'),
    idBundle: optStr(t, 'idBundle'),
    idCiBundle: optStr(t, 'idCiBundle'),
    paymentDateTime: optStr(t, 'paymentDateTime'),
    applicationDate: optStr(t, 'applicationDate'),
    transferDate: optStr(t, 'transferDate'),
    metadata: toMetadata(optSub(t, 'metadata')),
    standIn: standIn === undefined ? undefined : standIn === 'true',
  });
}

function toRequest(operation: PaForNodeOperation, t: Tree): PaForNodeRequest {
  const caller: Caller = {
    idPA: str(t, 'idPA'),
    idBrokerPA: str(t, 'idBrokerPA'),
    idStation: str(t, 'idStation'),
  };
  switch (operation) {
    case 'paVerifyPaymentNotice':
    case 'paGetPayment':
    case 'paGetPaymentV2': {
      const qr = sub(t, 'qrCode');
      const qrCode = { fiscalCode: str(qr, 'fiscalCode'), noticeNumber: str(qr, 'noticeNumber') };
      if (operation === 'paVerifyPaymentNotice') return { operation, ...caller, qrCode };
      return compact({
        operation,
        ...caller,
        qrCode,
        amount: optStr(t, 'amount'),
        paymentNote: optStr(t, 'paymentNote'),
        transferType: optStr(t, 'transferType'),
        dueDate: optStr(t, 'dueDate'),
      });
    }
    case 'paSendRT':
    case 'paSendRTV2':
      return { operation, ...caller, receipt: toReceipt(sub(t, 'receipt')) };
  }
}

/** Best effort, for the fault of a refused request: the idPA, when it is there and plausible. */
function idPAOf(root: XmlElement): string | undefined {
  try {
    const idPA = splitContent(root.children, root.name, root.scope).elements.find((e) => e.name === 'idPA');
    if (idPA === undefined) return undefined;
    const value = validateElement(idPA, stText35, 'idPA');
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Parses and validates a request of the node. Never throws: anything wrong (not XML, not SOAP, an
 * unknown operation, an element missing, misplaced, repeated or unknown, a value breaking its XSD type)
 * gives `ok: false` with a message naming the element, e.g.
 * `paGetPaymentReq/qrCode/noticeNumber: must be 18 digits`.
 */
export function parsePaForNodeRequest(xml: string): ParsedRequest {
  let root: XmlElement;
  try {
    root = readSoapBody(xml);
  } catch (err) {
    return { ok: false, message: messageOf(err) };
  }
  const operation = OPERATION_BY_REQUEST_ELEMENT.get(root.name);
  if (operation === undefined) {
    return { ok: false, message: messageOf(new Invalid(`unsupported operation element <${root.name}>`)) };
  }
  if (root.ns !== PA_FOR_NODE_NS) {
    const message = `<${root.name}> must be in the paForNode namespace ${PA_FOR_NODE_NS}, not "${root.ns}"`;
    return compact({
      ok: false as const,
      operation,
      idPA: idPAOf(root),
      message: messageOf(new Invalid(message)),
    });
  }
  try {
    const tree = validateElement(root, REQUEST_TYPES[operation], root.name);
    if (typeof tree === 'string') throw new Invalid('internal: the request is not an element');
    return { ok: true, request: toRequest(operation, tree) };
  } catch (err) {
    return compact({ ok: false as const, operation, idPA: idPAOf(root), message: messageOf(err) });
  }
}

function messageOf(err: unknown): string {
  const message =
    err instanceof Invalid
      ? err.message
      : `invalid message: ${err instanceof Error ? err.message : String(err)}`;
  return message.length <= MAX_MESSAGE_CHARS ? message : `${message.slice(0, MAX_MESSAGE_CHARS - 1)}…`;
}

// ---------------------------------------------------------------------------------------------------
// Writing XML
// ---------------------------------------------------------------------------------------------------

type XmlNode = { name: string; value: string } | { name: string; children: XmlNode[] };

const leaf = (name: string, value: string): XmlNode => ({ name, value });
const optLeaf = (name: string, value: string | undefined): XmlNode | undefined =>
  value === undefined ? undefined : leaf(name, value);
const node = (name: string, ...children: (XmlNode | undefined)[]): XmlNode => ({
  name,
  children: children.filter((c): c is XmlNode => c !== undefined),
});

function render(n: XmlNode, out: string[]): void {
  if ('value' in n) {
    out.push(`<${n.name}>${escapeXmlText(n.value)}</${n.name}>`);
    return;
  }
  out.push(`<${n.name}>`);
  for (const child of n.children) render(child, out);
  out.push(`</${n.name}>`);
}

/**
 * The SOAP 1.1 envelope around one body element. The paForNode namespace is declared on the body
 * element itself (prefix `pafn`), so that element can be cut out and validated on its own.
 */
function envelope(rootName: string, children: (XmlNode | undefined)[]): string {
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<soapenv:Envelope xmlns:soapenv="${SOAP_ENVELOPE_NS}"><soapenv:Body>`,
    `<pafn:${rootName} xmlns:pafn="${PA_FOR_NODE_NS}">`,
  ];
  for (const child of children) if (child !== undefined) render(child, out);
  out.push(`</pafn:${rootName}></soapenv:Body></soapenv:Envelope>`);
  return out.join('');
}

/** A value that must satisfy its XSD type as is (identifiers, codes, amounts, dates). */
function need(value: string, type: SimpleType, field: string): string {
  if (typeof value !== 'string' || !type.check(value)) {
    throw new PaForNodeBuildError(field, `must ${type.rule}`);
  }
  return value;
}
const optNeed = (value: string | undefined, type: SimpleType, field: string): string | undefined =>
  value === undefined ? undefined : need(value, type, field);

/**
 * Free text (descriptions, names): cut to the XSD's maximum length (in characters) rather than make
 * the whole message invalid. Required text that is empty is an error.
 */
function clip(value: string, max: number, field: string): string {
  const clipped = clipOptional(value, max);
  if (clipped === undefined) throw new PaForNodeBuildError(field, 'must not be empty');
  return clipped;
}
function clipOptional(value: string | undefined, max: number): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  return codePoints(value) <= max ? value : Array.from(value).slice(0, max).join('');
}
/** Optional structured contact data that would break the XSD is left out, not fatal. */
const ifValid = (value: string | undefined, type: SimpleType): string | undefined =>
  value !== undefined && type.check(value) ? value : undefined;

const metadataNode = (entries: MapEntry[] | undefined, field: string): XmlNode | undefined => {
  if (entries === undefined || entries.length === 0) return undefined;
  if (entries.length > 15) throw new PaForNodeBuildError(field, 'must have at most 15 entries');
  return node(
    'metadata',
    ...entries.map((e, i) =>
      node(
        'mapEntry',
        leaf('key', clip(e.key, 140, `${field}[${i}].key`)),
        leaf('value', clip(e.value, 140, `${field}[${i}].value`)),
      ),
    ),
  );
};

function subjectNode(name: string, s: Subject, field: string): XmlNode {
  if (s.type !== 'F' && s.type !== 'G') throw new PaForNodeBuildError(`${field}.type`, 'must be F or G');
  return node(
    name,
    node(
      'uniqueIdentifier',
      leaf('entityUniqueIdentifierType', s.type),
      leaf(
        'entityUniqueIdentifierValue',
        need(s.fiscalCode, stEntityUniqueIdentifierValue, `${field}.fiscalCode`),
      ),
    ),
    leaf('fullName', clip(s.fullName, 70, `${field}.fullName`)),
    optLeaf('streetName', clipOptional(s.streetName, 70)),
    optLeaf('civicNumber', clipOptional(s.civicNumber, 16)),
    optLeaf('postalCode', clipOptional(s.postalCode, 16)),
    optLeaf('city', clipOptional(s.city, 35)),
    optLeaf('stateProvinceRegion', clipOptional(s.stateProvinceRegion, 35)),
    optLeaf('country', ifValid(s.country, stNazioneProvincia)),
    optLeaf('e-mail', ifValid(s.email, stEMail)),
  );
}

type TransferFlavour = 'v1' | 'v2' | 'receiptV2';

function transferListNode(transfers: Transfer[], flavour: TransferFlavour, field: string): XmlNode {
  if (transfers.length < 1 || transfers.length > 5) {
    throw new PaForNodeBuildError(field, 'must have 1 to 5 transfers');
  }
  const ids = new Set(transfers.map((t) => t.idTransfer));
  if (ids.size !== transfers.length)
    throw new PaForNodeBuildError(field, 'idTransfer values must be distinct');
  return node(
    'transferList',
    ...transfers.map((t, i) => {
      const at = `${field}[${i}]`;
      const payTo =
        flavour === 'receiptV2' && t.mbdAttachment !== undefined && t.iban === ''
          ? leaf('MBDAttachment', need(t.mbdAttachment, xsBase64, `${at}.mbdAttachment`))
          : leaf('IBAN', need(t.iban, stIBAN, `${at}.iban`));
      return node(
        'transfer',
        leaf('idTransfer', need(String(t.idTransfer), stIdTransfer, `${at}.idTransfer`)),
        leaf('transferAmount', need(t.amount, stAmountNotZero, `${at}.amount`)),
        leaf('fiscalCodePA', need(t.fiscalCodePA, stFiscalCodePA, `${at}.fiscalCodePA`)),
        flavour === 'v1' ? undefined : optLeaf('companyName', clipOptional(t.companyName, 140)),
        payTo,
        leaf('remittanceInformation', clip(t.remittanceInformation, 140, `${at}.remittanceInformation`)),
        leaf('transferCategory', need(t.transferCategory, stText140, `${at}.transferCategory`)),
        metadataNode(t.metadata, `${at}.metadata`),
      );
    }),
  );
}

/** Amount strings to cents as bigint: exact, no floating point. */
const cents = (amount: string): bigint => BigInt(amount.replace('.', ''));

const okOutcome = leaf('outcome', 'OK');

/** paVerifyPaymentNoticeRes, outcome OK, one payment option (amount EQ, allCCP false). */
export function verifyResponse(data: {
  amount: string;
  dueDate: string;
  detailDescription: string;
  paymentDescription: string;
  fiscalCodePA: string;
  companyName: string;
  officeName?: string;
}): string {
  return envelope(RESPONSE_ELEMENT.paVerifyPaymentNotice, [
    okOutcome,
    node(
      'paymentList',
      node(
        'paymentOptionDescription',
        leaf('amount', need(data.amount, stAmountNotZero, 'amount')),
        leaf('options', 'EQ'),
        leaf('dueDate', need(data.dueDate, stISODate, 'dueDate')),
        optLeaf('detailDescription', clipOptional(data.detailDescription, 140)),
        leaf('allCCP', 'false'),
      ),
    ),
    leaf('paymentDescription', clip(data.paymentDescription, 140, 'paymentDescription')),
    leaf('fiscalCodePA', need(data.fiscalCodePA, stFiscalCodePA, 'fiscalCodePA')),
    leaf('companyName', clip(data.companyName, 140, 'companyName')),
    optLeaf('officeName', clipOptional(data.officeName, 140)),
  ]);
}

/**
 * paGetPaymentRes (v1) or paGetPaymentV2Response (v2), outcome OK, with the payment data. The
 * transfers must add up to the amount (pagoPA refuses the payment otherwise).
 */
export function getPaymentResponse(version: 'v1' | 'v2', data: PaymentData): string {
  const amount = need(data.amount, stAmountNotZero, 'amount');
  const total = data.transfers.reduce(
    (sum, t) => sum + cents(need(t.amount, stAmountNotZero, 'transfers.amount')),
    0n,
  );
  if (total !== cents(amount)) {
    throw new PaForNodeBuildError(
      'transfers',
      `the transfers add up to ${total} cents, not to the amount ${amount}`,
    );
  }
  need(data.fiscalCodePA, stFiscalCodePA, 'fiscalCodePA');
  return envelope(version === 'v1' ? RESPONSE_ELEMENT.paGetPayment : RESPONSE_ELEMENT.paGetPaymentV2, [
    okOutcome,
    node(
      'data',
      leaf('creditorReferenceId', need(data.creditorReferenceId, stText35, 'creditorReferenceId')),
      leaf('paymentAmount', amount),
      leaf('dueDate', need(data.dueDate, stISODate, 'dueDate')),
      leaf('description', clip(data.description, 140, 'description')),
      leaf('companyName', clip(data.companyName, 140, 'companyName')),
      optLeaf('officeName', clipOptional(data.officeName, 140)),
      subjectNode('debtor', data.debtor, 'debtor'),
      transferListNode(data.transfers, version, 'transfers'),
      metadataNode(data.metadata, 'metadata'),
    ),
  ]);
}

/** paSendRTRes (v1) or paSendRTV2Response (v2), outcome OK. */
export function sendRtResponse(version: 'v1' | 'v2'): string {
  return envelope(version === 'v1' ? RESPONSE_ELEMENT.paSendRT : RESPONSE_ELEMENT.paSendRTV2, [okOutcome]);
}

/**
 * The operation's response with outcome KO and a fault (faultCode, faultString, id = the idPA,
 * description). Never throws: it is the answer of last resort.
 */
export function faultResponse(
  operation: PaForNodeOperation,
  fault: { code: FaultCode; faultString: string; description?: string; idPA: string },
): string {
  const asText = (v: unknown): string => (typeof v === 'string' ? v : String(v ?? ''));
  return envelope(RESPONSE_ELEMENT[operation] ?? RESPONSE_ELEMENT.paVerifyPaymentNotice, [
    leaf('outcome', 'KO'),
    node(
      'fault',
      leaf('faultCode', asText(fault.code)),
      leaf('faultString', asText(fault.faultString)),
      leaf('id', asText(fault.idPA)),
      fault.description === undefined ? undefined : leaf('description', asText(fault.description)),
    ),
  ]);
}

// ---------------------------------------------------------------------------------------------------
// Sandbox side: the node's requests, and reading the creditor's responses
// ---------------------------------------------------------------------------------------------------

const callerNodes = (c: Caller): XmlNode[] => [
  leaf('idPA', need(c.idPA, stText35, 'idPA')),
  leaf('idBrokerPA', need(c.idBrokerPA, stText35, 'idBrokerPA')),
  leaf('idStation', need(c.idStation, stText35, 'idStation')),
];
const qrCodeNode = (qr: { fiscalCode: string; noticeNumber: string }): XmlNode =>
  node(
    'qrCode',
    leaf('fiscalCode', need(qr.fiscalCode, stFiscalCodePA, 'qrCode.fiscalCode')),
    leaf('noticeNumber', need(qr.noticeNumber, stNoticeNumber, 'qrCode.noticeNumber')),
  );

/** paVerifyPaymentNoticeReq, as the node sends it. */
export function verifyRequest(caller: Caller, qrCode: { fiscalCode: string; noticeNumber: string }): string {
  return envelope(REQUEST_ELEMENT.paVerifyPaymentNotice, [...callerNodes(caller), qrCodeNode(qrCode)]);
}

/** paGetPaymentReq (v1) or paGetPaymentV2Request (v2), as the node sends it. */
export function getPaymentRequest(
  version: 'v1' | 'v2',
  caller: Caller,
  qrCode: { fiscalCode: string; noticeNumber: string },
  /** Optional in the XSD: undefined leaves <amount> out. */
  amount: string | undefined,
  extra: { paymentNote?: string; transferType?: 'POSTAL' | 'PAGOPA'; dueDate?: string } = {},
): string {
  return envelope(version === 'v1' ? REQUEST_ELEMENT.paGetPayment : REQUEST_ELEMENT.paGetPaymentV2, [
    ...callerNodes(caller),
    qrCodeNode(qrCode),
    optLeaf('amount', optNeed(amount, stAmount, 'amount')),
    optLeaf('paymentNote', clipOptional(extra.paymentNote, 210)),
    optLeaf('transferType', optNeed(extra.transferType, stTransferType, 'transferType')),
    optLeaf('dueDate', optNeed(extra.dueDate, stISODate, 'dueDate')),
  ]);
}

export function getPaymentV2Request(
  caller: Caller,
  qrCode: { fiscalCode: string; noticeNumber: string },
  amount: string,
): string {
  return getPaymentRequest('v2', caller, qrCode, amount);
}

/** paSendRTReq (v1, ctReceipt) or paSendRTV2Request (v2, ctReceiptV2), as the node sends it. */
export function sendRtRequest(version: 'v1' | 'v2', caller: Caller, receipt: Receipt): string {
  const r = receipt;
  const v2 = version === 'v2';
  const receiptNode = node(
    'receipt',
    leaf('receiptId', need(r.receiptId, xsString, 'receipt.receiptId')),
    leaf('noticeNumber', need(r.noticeNumber, stNoticeNumber, 'receipt.noticeNumber')),
    leaf('fiscalCode', need(r.fiscalCode, stFiscalCodePA, 'receipt.fiscalCode')),
    leaf('outcome', need(r.outcome, stOutcome, 'receipt.outcome')),
    leaf('creditorReferenceId', need(r.creditorReferenceId, stText35, 'receipt.creditorReferenceId')),
    leaf('paymentAmount', need(r.paymentAmount, stAmount, 'receipt.paymentAmount')),
    leaf('description', clip(r.description, 140, 'receipt.description')),
    leaf('companyName', clip(r.companyName, 140, 'receipt.companyName')),
    optLeaf('officeName', clipOptional(r.officeName, 140)),
    subjectNode('debtor', r.debtor, 'receipt.debtor'),
    transferListNode(r.transferList, v2 ? 'receiptV2' : 'v1', 'receipt.transferList'),
    leaf('idPSP', need(r.idPSP, stText35, 'receipt.idPSP')),
    optLeaf('pspFiscalCode', optNeed(r.pspFiscalCode, stText70, 'receipt.pspFiscalCode')),
    optLeaf('pspPartitaIVA', optNeed(r.pspPartitaIVA, stText20, 'receipt.pspPartitaIVA')),
    leaf('PSPCompanyName', clip(r.pspCompanyName, 70, 'receipt.pspCompanyName')),
    leaf('idChannel', need(r.idChannel, stText35, 'receipt.idChannel')),
    leaf('channelDescription', clip(r.channelDescription, 35, 'receipt.channelDescription')),
    r.payer === undefined ? undefined : subjectNode('payer', r.payer, 'receipt.payer'),
    optLeaf('paymentMethod', optNeed(r.paymentMethod, stText35, 'receipt.paymentMethod')),
    v2 ? optLeaf('paymentNote', clipOptional(r.paymentNote, 210)) : undefined,
    optLeaf('fee', optNeed(r.fee, stAmount, 'receipt.fee')),
    v2
      ? optLeaf(
          'primaryCiIncurredFee',
          optNeed(r.primaryCiIncurredFee, stAmount, 'receipt.primaryCiIncurredFee'),
        )
      : undefined,
    v2 ? optLeaf('idBundle', optNeed(r.idBundle, stText70, 'receipt.idBundle')) : undefined,
    v2 ? optLeaf('idCiBundle', optNeed(r.idCiBundle, stText70, 'receipt.idCiBundle')) : undefined,
    optLeaf('paymentDateTime', optNeed(r.paymentDateTime, stISODateTime, 'receipt.paymentDateTime')),
    optLeaf('applicationDate', optNeed(r.applicationDate, stISODate, 'receipt.applicationDate')),
    optLeaf('transferDate', optNeed(r.transferDate, stISODate, 'receipt.transferDate')),
    metadataNode(r.metadata, 'receipt.metadata'),
    r.standIn === undefined ? undefined : leaf('standIn', r.standIn ? 'true' : 'false'),
  );
  return envelope(v2 ? REQUEST_ELEMENT.paSendRTV2 : REQUEST_ELEMENT.paSendRT, [
    ...callerNodes(caller),
    receiptNode,
  ]);
}

export function sendRtV2Request(caller: Caller, receipt: Receipt): string {
  return sendRtRequest('v2', caller, receipt);
}

/** Element content as plain data: text-only elements become strings, repeated names arrays. */
function toPlain(children: unknown[], path: string, scope: NsScope): unknown {
  return plainOf(splitContent(children, path, scope), path);
}
function plainOf(
  { elements, text: content }: { elements: XmlElement[]; text: string },
  path: string,
): unknown {
  if (elements.length === 0) return content.trim();
  const out: Record<string, unknown> = {};
  for (const el of elements) {
    const value = toPlain(el.children, `${path}/${el.name}`, el.scope);
    const previous = out[el.name];
    const alwaysList = el.name === 'transfer' || el.name === 'mapEntry';
    // toPlain never returns an array, so an array here is a list made by this loop
    if (previous === undefined) out[el.name] = alwaysList ? [value] : value;
    else if (Array.isArray(previous)) previous.push(value);
    else out[el.name] = [previous, value];
  }
  return out;
}

/**
 * Reads a creditor's response (sandbox side). Lenient on content (no XSD check), strict on form:
 * throws an Error when the message is not a SOAP envelope with an `outcome`. A SOAP Fault in the body
 * reads as outcome KO with its faultcode/faultstring. `fields` is the body element's content.
 */
export function parseResponse(xml: string): {
  outcome: 'OK' | 'KO';
  fault?: { faultCode: string; faultString: string; description?: string };
  fields: Record<string, unknown>;
  element: string;
} {
  let root: XmlElement;
  let plain: unknown;
  try {
    root = readSoapBody(xml);
    plain = toPlain(root.children, root.name, root.scope);
  } catch (err) {
    throw new Error(`not a valid paForNode response: ${messageOf(err)}`, { cause: err });
  }
  const fields: Record<string, unknown> =
    typeof plain === 'object' && plain !== null ? (plain as Record<string, unknown>) : {};
  const asString = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  if (root.name === 'Fault') {
    return {
      outcome: 'KO',
      fault: compact({
        faultCode: asString(fields.faultcode) ?? '',
        faultString: asString(fields.faultstring) ?? '',
        description: asString(fields.detail),
      }),
      fields,
      element: root.name,
    };
  }
  const outcome = fields.outcome;
  if (outcome !== 'OK' && outcome !== 'KO') {
    throw new Error(`not a valid paForNode response: <${root.name}> has no outcome OK or KO`);
  }
  const f = fields.fault;
  const fault =
    typeof f === 'object' && f !== null && !Array.isArray(f)
      ? compact({
          faultCode: asString((f as Record<string, unknown>).faultCode) ?? '',
          faultString: asString((f as Record<string, unknown>).faultString) ?? '',
          description: asString((f as Record<string, unknown>).description),
        })
      : undefined;
  return compact({ outcome, fault, fields, element: root.name });
}

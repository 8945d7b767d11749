/**
 * pagoPA reporting flow ("flusso di rendicontazione", FdR) codec — pure, no I/O.
 *
 * A payment provider (PSP) settles the money it collected for the creditor with one transfer per flow
 * and describes it in a `FlussoRiversamento` document (schema `FlussoRiversamento_1_0_4.xsd`,
 * targetNamespace `http://www.digitpa.gov.it/schemas/2011/Pagamenti/`, elementFormDefault qualified:
 * every element, not only the root, is in that namespace; the schema imports nothing).
 *
 * `parseReportingFlow` checks the document against the schema's structure (element names, namespace,
 * order, cardinality, simple types and enumerations) and then the totals: the number of
 * `datiSingoliPagamenti` and the sum of their `singoloImportoPagato` must equal `numeroTotalePagamenti`
 * and `importoTotalePagamenti`. It throws only when a size limit is exceeded (`xml-limits.ts`): every problem is returned as a string that starts with
 * the element's path, payments by 1-based position (`datiSingoliPagamenti[3]/singoloImportoPagato: …`).
 * DOCTYPE declarations are rejected, so no entity is ever expanded (only the five predefined XML
 * entities and character references are decoded). Amounts are converted to cents from the decimal
 * string, never through floating point. Text values are trimmed.
 *
 * `buildReportingFlow` writes a document that validates against the schema; it throws a RangeError when
 * the flow cannot be written as such (it does not check that the totals add up, so tests and the sandbox
 * can produce inconsistent flows on purpose).
 */
import { XMLValidator } from 'fast-xml-parser';
import { DomainError } from '../../domain/shared/errors.js';
import { REPORTING_FLOW_LIMITS, assertXmlWithinLimits } from '../xml/xml-limits.js';
import { decodeXmlReferences, escapeXmlText } from '../../domain/shared/xml-text.js';
import { rawOrderedXmlParser } from '../xml/xml-parser.js';

export const FDR_NAMESPACE = 'http://www.digitpa.gov.it/schemas/2011/Pagamenti/';

/**
 * `codiceEsitoSingoloPagamento` as enumerated by FlussoRiversamento_1_0_4.xsd (`stCodiceEsitoPagamento`):
 * 0 paid, 3 revoked, 9 paid without RPT. (The newer REST FdR API also maps 4 and 8 — stand-in — but the
 * XML schema does not allow them.)
 */
export const REPORTED_PAYMENT_OUTCOMES = [0, 3, 9] as const;
export type ReportedPaymentOutcome = (typeof REPORTED_PAYMENT_OUTCOMES)[number];

/** `tipoIdentificativoUnivoco` of the sender: G legal person, A ABI code, B BIC code. */
export const SENDER_ID_TYPES = ['G', 'A', 'B'] as const;
/** `tipoIdentificativoUnivoco` of the receiver: legal person only. */
export const RECEIVER_ID_TYPES = ['G'] as const;

/** Past this many, further errors are only counted. */
export const MAX_REPORTED_ERRORS = 100;

export interface ReportedPayment {
  /** identificativoUnivocoVersamento */
  iuv: string;
  /** identificativoUnivocoRiscossione */
  receiptId: string;
  /** indiceDatiSingoloPagamento (1..5), when present */
  index?: number;
  /** singoloImportoPagato, in cents */
  amountCents: number;
  /** codiceEsitoSingoloPagamento */
  outcome: ReportedPaymentOutcome;
  /** dataEsitoSingoloPagamento, YYYY-MM-DD */
  outcomeDate: string;
}

export interface ReportingFlow {
  /** identificativoFlusso */
  flowId: string;
  /** dataOraFlusso (xsd:dateTime, as written in the document) */
  flowDateTime: string;
  /** identificativoUnivocoRegolamento */
  settlementId: string;
  /** dataRegolamento, YYYY-MM-DD */
  settlementDate: string;
  /** istitutoMittente (the PSP): type G, A or B */
  sender: { type: string; id: string; name?: string };
  /** istitutoRicevente (the creditor): type G, id = its fiscal code */
  receiver: { type: string; id: string; name?: string };
  /** codiceBicBancaDiRiversamento */
  bicOfBank?: string;
  /** numeroTotalePagamenti */
  totalPayments: number;
  /** importoTotalePagamenti, in cents */
  totalAmountCents: number;
  payments: ReportedPayment[];
}

export type ParsedFlow = { ok: true; flow: ReportingFlow } | { ok: false; errors: string[] };

// ---------------------------------------------------------------------------------------------------
// Simple types of the schema, shared by the parser and the builder
// ---------------------------------------------------------------------------------------------------

const XSI_NAMESPACE = 'http://www.w3.org/2001/XMLSchema-instance';
const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';
const OBJECT_VERSIONS = ['1.0', '1.1'];
const BUILT_VERSION = '1.0';
/** stImporto / stImportoTotalePagamenti: maxInclusive 999999999.99 */
const MAX_AMOUNT_CENTS = 99_999_999_999;
/** stNumeroTotalePagamenti: totalDigits 15 */
const MAX_TOTAL_PAYMENTS = 999_999_999_999_999;

type Check<T> = { value: T } | { error: string };

function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) n++;
  }
  return n;
}

/** stText35, stText70 (min 3), stText140 */
function checkText(s: string, min: number, max: number): Check<string> {
  const n = codePoints(s);
  if (n === 0) return { error: 'is empty' };
  if (n < min || n > max) return { error: `'${s}' must be ${min}..${max} characters long (is ${n})` };
  return { value: s };
}

const FLOW_ID = /^[a-zA-Z0-9\-_]{1,35}$/;
function checkFlowId(s: string): Check<string> {
  if (s === '') return { error: 'is empty' };
  if (!FLOW_ID.test(s))
    return { error: `'${s}' must be 1..35 characters among letters, digits, '-' and '_'` };
  return { value: s };
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}
function validYmd(y: number, m: number, d: number): boolean {
  if (y < 1 || m < 1 || m > 12 || d < 1) return false;
  const days = [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1] ?? 0;
  return d <= days;
}
function validTimezone(tz: string | undefined): boolean {
  if (tz === undefined || tz === 'Z') return true;
  const h = Number(tz.slice(1, 3));
  const m = Number(tz.slice(4, 6));
  return m <= 59 && (h < 14 || (h === 14 && m === 0));
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})(Z|[+-]\d{2}:\d{2})?$/;
/** xsd:date (4-digit years); the value is the YYYY-MM-DD part, a timezone is accepted and dropped. */
function checkDate(s: string): Check<string> {
  const m = DATE.exec(s);
  if (!m || !validYmd(Number(m[1]), Number(m[2]), Number(m[3])) || !validTimezone(m[4])) {
    return { error: `'${s}' is not a valid date (YYYY-MM-DD)` };
  }
  return { value: s.slice(0, 10) };
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;
/** xsd:dateTime (4-digit years); the value is kept as written. */
function checkDateTime(s: string): Check<string> {
  const m = DATE_TIME.exec(s);
  const ok =
    m !== null &&
    validYmd(Number(m[1]), Number(m[2]), Number(m[3])) &&
    validTimezone(m[8]) &&
    Number(m[5]) <= 59 &&
    Number(m[6]) <= 59 &&
    (Number(m[4]) <= 23 || (m[4] === '24' && m[5] === '00' && m[6] === '00' && !/[1-9]/.test(m[7] ?? '')));
  if (!ok) return { error: `'${s}' is not a valid date-time (YYYY-MM-DDThh:mm:ss)` };
  return { value: s };
}

const AMOUNT = /^([0-9]+)\.([0-9]{2})$/;
/** stImporto (min 0.01) and stImportoTotalePagamenti (min 0.00): pattern \d+\.\d{2}, max 999999999.99. */
function checkAmount(s: string, minCents: number): Check<number> {
  const m = AMOUNT.exec(s);
  if (!m) {
    return {
      error: `'${s}' is not a valid amount: expected digits, '.' and exactly two decimals (e.g. 1234.50)`,
    };
  }
  const units = (m[1] ?? '').replace(/^0+(?=\d)/, '');
  if (units.length > 9) return { error: `'${s}' exceeds the maximum amount 999999999.99` };
  const cents = Number(units) * 100 + Number(m[2]);
  if (cents < minCents) return { error: `'${s}' is below the minimum amount ${formatCents(minCents)}` };
  return { value: cents };
}

const COUNT = /^\+?([0-9]+)(?:\.0*)?$/;
/** stNumeroTotalePagamenti: xsd:decimal, no fraction digits, at most 15 digits, at least 1. */
function checkCount(s: string): Check<number> {
  const m = COUNT.exec(s);
  if (!m) return { error: `'${s}' is not a whole number` };
  const digits = (m[1] ?? '').replace(/^0+(?=\d)/, '');
  if (digits.length > 15) return { error: `'${s}' has more than 15 digits` };
  const n = Number(digits);
  if (n < 1) return { error: `'${s}' must be at least 1` };
  return { value: n };
}

const INTEGER = /^[+-]?[0-9]+$/;
/** stIndice: xsd:integer 1..5 */
function checkIndex(s: string): Check<number> {
  const n = INTEGER.test(s) ? Number(s) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 5) return { error: `'${s}' must be an integer from 1 to 5` };
  return { value: n };
}

function checkOutcome(s: string): Check<ReportedPaymentOutcome> {
  const found = REPORTED_PAYMENT_OUTCOMES.find((o) => String(o) === s);
  if (found === undefined) {
    return { error: `'${s}' is not an allowed outcome (${REPORTED_PAYMENT_OUTCOMES.join(', ')})` };
  }
  return { value: found };
}

function checkEnum(s: string, allowed: readonly string[]): Check<string> {
  if (!allowed.includes(s)) return { error: `'${s}' is not one of ${allowed.join(', ')}` };
  return { value: s };
}

function formatCents(cents: number): string {
  return `${Math.trunc(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

// ---------------------------------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------------------------------

class Problems {
  readonly list: string[] = [];
  private dropped = 0;

  add(path: string, message: string): void {
    if (this.list.length < MAX_REPORTED_ERRORS) this.list.push(`${path}: ${message}`);
    else this.dropped++;
  }

  get empty(): boolean {
    return this.list.length === 0;
  }

  result(): string[] {
    return this.dropped > 0 ? [...this.list, `… and ${this.dropped} more errors`] : this.list;
  }
}

interface XmlElement {
  qname: string;
  local: string;
  ns: string | undefined;
  /** set when the element's (or one of its attributes') prefix is not declared */
  nsError?: string;
  /** attributes other than namespace declarations */
  attrs: { qname: string; ns: string | undefined }[];
  children: XmlElement[];
  text: { raw: string; cdata: boolean }[];
}

type FxpNode = Record<string, unknown>;

const parser = rawOrderedXmlParser();

/** Decodes the predefined entities and character references; anything else makes the text invalid. */
function decodeReferences(raw: string): Check<string> {
  let error: string | undefined;
  const value = decodeXmlReferences(raw, (kind, whole) => {
    error ??=
      kind === 'undefined_entity'
        ? `undefined entity '${whole}' (only the predefined XML entities are allowed)`
        : kind === 'invalid_character_reference'
          ? `invalid character reference '${whole}'`
          : "'&' must start an entity or character reference";
    return '';
  });
  return error !== undefined ? { error } : { value };
}

function toElement(node: FxpNode, scope: ReadonlyMap<string, string>): XmlElement | undefined {
  let qname: string | undefined;
  for (const key of Object.keys(node)) {
    if (key !== ':@' && key !== '#text' && key !== '#cdata') qname = key;
  }
  if (qname === undefined) return undefined;
  const rawAttrs = (node[':@'] ?? {}) as Record<string, string>;
  let inner = scope;
  const declared = Object.keys(rawAttrs).filter((a) => a === 'xmlns' || a.startsWith('xmlns:'));
  if (declared.length > 0) {
    const copy = new Map(scope);
    for (const a of declared) {
      const decoded = decodeReferences(rawAttrs[a] ?? '');
      const uri = 'value' in decoded ? decoded.value : '';
      const prefix = a === 'xmlns' ? '' : a.slice(6);
      if (uri === '') copy.delete(prefix);
      else copy.set(prefix, uri);
    }
    inner = copy;
  }
  const resolve = (name: string, useDefault: boolean): { ns: string | undefined; error?: string } => {
    const colon = name.indexOf(':');
    if (colon < 0) return { ns: useDefault ? inner.get('') : undefined };
    const prefix = name.slice(0, colon);
    const ns = inner.get(prefix);
    return ns === undefined ? { ns, error: `namespace prefix '${prefix}' is not declared` } : { ns };
  };
  const own = resolve(qname, true);
  const el: XmlElement = {
    qname,
    local: qname.slice(qname.indexOf(':') + 1),
    ns: own.ns,
    attrs: [],
    children: [],
    text: [],
  };
  if (own.error) el.nsError = own.error;
  for (const a of Object.keys(rawAttrs)) {
    if (a === 'xmlns' || a.startsWith('xmlns:')) continue;
    const r = resolve(a, false);
    if (r.error) el.nsError ??= r.error;
    el.attrs.push({ qname: a, ns: r.ns });
  }
  const content = node[qname];
  if (Array.isArray(content)) {
    for (const child of content as FxpNode[]) {
      if (typeof child['#text'] === 'string') {
        el.text.push({ raw: child['#text'], cdata: false });
      } else if (Array.isArray(child['#cdata'])) {
        for (const part of child['#cdata'] as FxpNode[]) {
          if (typeof part['#text'] === 'string') el.text.push({ raw: part['#text'], cdata: true });
        }
      } else {
        const c = toElement(child, inner);
        if (c) el.children.push(c);
      }
    }
  }
  return el;
}

function childPath(base: string, name: string): string {
  return base === '' ? name : `${base}/${name}`;
}

interface Particle {
  name: string;
  optional?: true;
  repeated?: true;
}

/** Attributes allowed on any element: namespace declarations (already removed) and xsi:* ones. */
function checkAttributes(el: XmlElement, label: string, problems: Problems): void {
  for (const a of el.attrs) {
    if (a.ns !== XSI_NAMESPACE && a.ns !== XML_NAMESPACE)
      problems.add(label, `unexpected attribute '${a.qname}'`);
  }
}

/**
 * Checks the children of a complex-type element against an xsd:sequence: names, namespace, order,
 * cardinality; no text allowed. `label` is the element's path, `base` the prefix of its children's paths.
 */
function sequence(
  el: XmlElement,
  label: string,
  base: string,
  particles: readonly Particle[],
  problems: Problems,
): Map<string, XmlElement[]> {
  checkAttributes(el, label, problems);
  if (el.text.some((t) => t.raw.trim() !== '')) problems.add(label, 'unexpected text content');
  const found = new Map<string, XmlElement[]>();
  let last = -1;
  let orderReported = false;
  for (const child of el.children) {
    const idx = particles.findIndex((p) => p.name === child.local);
    const particle = particles[idx];
    if (particle === undefined) {
      problems.add(label, `unexpected element '${child.qname}'`);
      continue;
    }
    // an element with the right name in the wrong namespace is reported once, then read as if it were right
    if (child.nsError) {
      problems.add(childPath(base, child.qname), child.nsError);
    } else if (child.ns !== FDR_NAMESPACE) {
      problems.add(
        childPath(base, child.qname),
        `element must be in namespace ${FDR_NAMESPACE} (is in ${child.ns ?? 'no namespace'})`,
      );
    }
    if (idx < last) {
      if (!orderReported) {
        problems.add(
          childPath(base, child.local),
          `element out of order: must come before '${particles[last]?.name ?? ''}'`,
        );
        orderReported = true;
      }
    } else {
      last = idx;
    }
    const list = found.get(particle.name);
    if (list) list.push(child);
    else found.set(particle.name, [child]);
  }
  for (const p of particles) {
    const n = found.get(p.name)?.length ?? 0;
    if (n === 0 && !p.optional) problems.add(childPath(base, p.name), 'missing');
    if (n > 1 && !p.repeated)
      problems.add(childPath(base, p.name), `appears ${n} times, at most once allowed`);
  }
  return found;
}

/** Text content of a simple-type element, references decoded, trimmed; undefined (and an error) if bad. */
function simpleText(el: XmlElement, path: string, problems: Problems): string | undefined {
  checkAttributes(el, path, problems);
  if (el.children.length > 0) {
    problems.add(path, `must not contain elements (found '${el.children[0]?.qname ?? ''}')`);
    return undefined;
  }
  let s = '';
  for (const t of el.text) {
    if (t.cdata) {
      s += t.raw;
      continue;
    }
    const d = decodeReferences(t.raw);
    if ('error' in d) {
      problems.add(path, d.error);
      return undefined;
    }
    s += d.value;
  }
  return s.trim();
}

function field<T>(
  found: Map<string, XmlElement[]>,
  base: string,
  name: string,
  check: (s: string) => Check<T>,
  problems: Problems,
): T | undefined {
  const el = found.get(name)?.[0];
  if (!el) return undefined;
  const path = childPath(base, name);
  const text = simpleText(el, path, problems);
  if (text === undefined) return undefined;
  const r = check(text);
  if ('error' in r) {
    problems.add(path, r.error);
    return undefined;
  }
  return r.value;
}

const FLOW_PARTICLES: readonly Particle[] = [
  { name: 'versioneOggetto' },
  { name: 'identificativoFlusso' },
  { name: 'dataOraFlusso' },
  { name: 'identificativoUnivocoRegolamento' },
  { name: 'dataRegolamento' },
  { name: 'istitutoMittente' },
  { name: 'codiceBicBancaDiRiversamento', optional: true },
  { name: 'istitutoRicevente' },
  { name: 'numeroTotalePagamenti' },
  { name: 'importoTotalePagamenti' },
  { name: 'datiSingoliPagamenti', repeated: true },
];
const ID_PARTICLES: readonly Particle[] = [
  { name: 'tipoIdentificativoUnivoco' },
  { name: 'codiceIdentificativoUnivoco' },
];
const PAYMENT_PARTICLES: readonly Particle[] = [
  { name: 'identificativoUnivocoVersamento' },
  { name: 'identificativoUnivocoRiscossione' },
  { name: 'indiceDatiSingoloPagamento', optional: true },
  { name: 'singoloImportoPagato' },
  { name: 'codiceEsitoSingoloPagamento' },
  { name: 'dataEsitoSingoloPagamento' },
];

const text35 = (s: string) => checkText(s, 1, 35);

function parseParty(
  found: Map<string, XmlElement[]>,
  role: 'Mittente' | 'Ricevente',
  types: readonly string[],
  nameCheck: (s: string) => Check<string>,
  problems: Problems,
): { type: string; id: string; name?: string } | undefined {
  const base = `istituto${role}`;
  const el = found.get(base)?.[0];
  if (!el) return undefined;
  const idName = `identificativoUnivoco${role}`;
  const denName = `denominazione${role}`;
  const inner = sequence(el, base, base, [{ name: idName }, { name: denName, optional: true }], problems);
  const name = field(inner, base, denName, nameCheck, problems);
  const idEl = inner.get(idName)?.[0];
  if (!idEl) return undefined;
  const idBase = `${base}/${idName}`;
  const ids = sequence(idEl, idBase, idBase, ID_PARTICLES, problems);
  const type = field(ids, idBase, 'tipoIdentificativoUnivoco', (s) => checkEnum(s, types), problems);
  const id = field(ids, idBase, 'codiceIdentificativoUnivoco', text35, problems);
  if (type === undefined || id === undefined) return undefined;
  return name === undefined ? { type, id } : { type, id, name };
}

function parsePayment(el: XmlElement, base: string, problems: Problems): ReportedPayment | undefined {
  const found = sequence(el, base, base, PAYMENT_PARTICLES, problems);
  const iuv = field(found, base, 'identificativoUnivocoVersamento', text35, problems);
  const receiptId = field(found, base, 'identificativoUnivocoRiscossione', text35, problems);
  const index = field(found, base, 'indiceDatiSingoloPagamento', checkIndex, problems);
  const amountCents = field(found, base, 'singoloImportoPagato', (s) => checkAmount(s, 1), problems);
  const outcome = field(found, base, 'codiceEsitoSingoloPagamento', checkOutcome, problems);
  const outcomeDate = field(found, base, 'dataEsitoSingoloPagamento', checkDate, problems);
  if (
    iuv === undefined ||
    receiptId === undefined ||
    amountCents === undefined ||
    outcome === undefined ||
    outcomeDate === undefined
  ) {
    return undefined;
  }
  const payment: ReportedPayment = { iuv, receiptId, amountCents, outcome, outcomeDate };
  if (index !== undefined) payment.index = index;
  return payment;
}

function fail(message: string): ParsedFlow {
  return { ok: false, errors: [message] };
}

/**
 * Parses and checks a FlussoRiversamento document. Throws only a DomainError `payload_too_large` when
 * the document exceeds `REPORTING_FLOW_LIMITS` (checked before any parsing); anything else wrong is in
 * the result.
 */
export function parseReportingFlow(xml: string): ParsedFlow {
  try {
    if (typeof xml === 'string') assertXmlWithinLimits(xml, REPORTING_FLOW_LIMITS, 'FlussoRiversamento');
  } catch (e) {
    if (e instanceof DomainError && e.code === 'payload_too_large') throw e;
    return fail(e instanceof Error ? e.message : String(e));
  }
  try {
    return parseUnsafe(xml);
  } catch (e) {
    return fail(
      `FlussoRiversamento: the document cannot be read (${e instanceof Error ? e.message : String(e)})`,
    );
  }
}

function parseUnsafe(input: unknown): ParsedFlow {
  if (typeof input !== 'string') return fail('FlussoRiversamento: the document is not a string');
  const xml = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  if (xml.trim() === '') return fail('FlussoRiversamento: the document is empty');
  if (/<!DOCTYPE/i.test(xml)) {
    return fail('FlussoRiversamento: DOCTYPE declarations are not allowed (entities are never expanded)');
  }
  const wellFormed = XMLValidator.validate(xml);
  if (wellFormed !== true) {
    const { msg, line, col } = wellFormed.err;
    return fail(
      `FlussoRiversamento: the document is not well-formed XML: ${msg} (line ${line}, column ${col})`,
    );
  }
  const nodes = parser.parse(xml) as FxpNode[];
  const roots: XmlElement[] = [];
  for (const node of nodes) {
    const el = toElement(node, new Map([['xml', XML_NAMESPACE]]));
    if (el) roots.push(el);
    else if (typeof node['#text'] === 'string' && node['#text'].trim() !== '') {
      return fail('FlussoRiversamento: text outside the root element');
    }
  }
  const root = roots[0];
  if (root === undefined || roots.length > 1) {
    return fail('FlussoRiversamento: the document must have exactly one root element');
  }
  if (root.local !== 'FlussoRiversamento') {
    return fail(`FlussoRiversamento: missing, the root element is '${root.qname}'`);
  }
  if (root.nsError) return fail(`FlussoRiversamento: ${root.nsError}`);
  if (root.ns !== FDR_NAMESPACE) {
    return fail(
      `FlussoRiversamento: the root element must be in namespace ${FDR_NAMESPACE} (is in ${root.ns ?? 'no namespace'})`,
    );
  }

  const problems = new Problems();
  const found = sequence(root, 'FlussoRiversamento', '', FLOW_PARTICLES, problems);
  field(found, '', 'versioneOggetto', (s) => checkEnum(s, OBJECT_VERSIONS), problems);
  const flowId = field(found, '', 'identificativoFlusso', checkFlowId, problems);
  const flowDateTime = field(found, '', 'dataOraFlusso', checkDateTime, problems);
  const settlementId = field(found, '', 'identificativoUnivocoRegolamento', text35, problems);
  const settlementDate = field(found, '', 'dataRegolamento', checkDate, problems);
  const sender = parseParty(found, 'Mittente', SENDER_ID_TYPES, (s) => checkText(s, 3, 70), problems);
  const bicOfBank = field(found, '', 'codiceBicBancaDiRiversamento', text35, problems);
  const receiver = parseParty(found, 'Ricevente', RECEIVER_ID_TYPES, (s) => checkText(s, 1, 140), problems);
  const totalPayments = field(found, '', 'numeroTotalePagamenti', checkCount, problems);
  const totalAmountCents = field(found, '', 'importoTotalePagamenti', (s) => checkAmount(s, 0), problems);

  const paymentEls = found.get('datiSingoliPagamenti') ?? [];
  const payments: ReportedPayment[] = [];
  let sum = 0;
  let allAmounts = true;
  paymentEls.forEach((el, i) => {
    const p = parsePayment(el, `datiSingoliPagamenti[${i + 1}]`, problems);
    if (p) {
      payments.push(p);
      sum += p.amountCents;
    } else {
      allAmounts = false;
    }
  });

  if (totalPayments !== undefined && paymentEls.length > 0 && totalPayments !== paymentEls.length) {
    problems.add(
      'numeroTotalePagamenti',
      `declares ${totalPayments} payments but the flow contains ${paymentEls.length} (datiSingoliPagamenti)`,
    );
  }
  if (totalAmountCents !== undefined && allAmounts && paymentEls.length > 0 && sum !== totalAmountCents) {
    problems.add(
      'importoTotalePagamenti',
      `declares ${formatCents(totalAmountCents)} but the single payments (singoloImportoPagato) add up to ${formatCents(sum)}`,
    );
  }

  if (
    !problems.empty ||
    flowId === undefined ||
    flowDateTime === undefined ||
    settlementId === undefined ||
    settlementDate === undefined ||
    sender === undefined ||
    receiver === undefined ||
    totalPayments === undefined ||
    totalAmountCents === undefined
  ) {
    return {
      ok: false,
      errors: problems.empty ? ['FlussoRiversamento: invalid document'] : problems.result(),
    };
  }
  const flow: ReportingFlow = {
    flowId,
    flowDateTime,
    settlementId,
    settlementDate,
    sender,
    receiver,
    totalPayments,
    totalAmountCents,
    payments,
  };
  if (bicOfBank !== undefined) flow.bicOfBank = bicOfBank;
  return { ok: true, flow };
}

// ---------------------------------------------------------------------------------------------------
// Builder
// ---------------------------------------------------------------------------------------------------

const INVALID_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** Problems that would make the written document invalid against the schema (or not round-trip). */
function buildProblems(flow: ReportingFlow): string[] {
  const problems = new Problems();
  const str = (path: string, value: unknown, check: (s: string) => Check<unknown>): void => {
    if (typeof value !== 'string') return problems.add(path, 'must be a string');
    if (INVALID_XML_CHAR.test(value)) return problems.add(path, 'contains characters not allowed in XML');
    if (value !== value.trim()) return problems.add(path, 'must not start or end with whitespace');
    const r = check(value);
    if ('error' in r) problems.add(path, r.error);
  };
  const int = (path: string, value: unknown, min: number, max: number): void => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
      problems.add(path, `must be an integer from ${min} to ${max} (is ${String(value)})`);
    }
  };
  const ymd = (s: string): Check<string> =>
    s.length === 10 ? checkDate(s) : { error: `'${s}' is not YYYY-MM-DD` };

  str('identificativoFlusso', flow.flowId, checkFlowId);
  str('dataOraFlusso', flow.flowDateTime, checkDateTime);
  str('identificativoUnivocoRegolamento', flow.settlementId, text35);
  str('dataRegolamento', flow.settlementDate, ymd);
  const party = (
    base: string,
    role: string,
    p: ReportingFlow['sender'] | undefined,
    types: readonly string[],
    min: number,
    max: number,
  ): void => {
    if (typeof p !== 'object' || p === null) return problems.add(base, 'missing');
    str(`${base}/identificativoUnivoco${role}/tipoIdentificativoUnivoco`, p.type, (s) => checkEnum(s, types));
    str(`${base}/identificativoUnivoco${role}/codiceIdentificativoUnivoco`, p.id, text35);
    if (p.name !== undefined) str(`${base}/denominazione${role}`, p.name, (s) => checkText(s, min, max));
  };
  party('istitutoMittente', 'Mittente', flow.sender, SENDER_ID_TYPES, 3, 70);
  if (flow.bicOfBank !== undefined) str('codiceBicBancaDiRiversamento', flow.bicOfBank, text35);
  party('istitutoRicevente', 'Ricevente', flow.receiver, RECEIVER_ID_TYPES, 1, 140);
  int('numeroTotalePagamenti', flow.totalPayments, 1, MAX_TOTAL_PAYMENTS);
  int('importoTotalePagamenti', flow.totalAmountCents, 0, MAX_AMOUNT_CENTS);
  if (!Array.isArray(flow.payments) || flow.payments.length === 0) {
    problems.add('datiSingoliPagamenti', 'at least one payment is required');
  } else {
    flow.payments.forEach((p, i) => {
      const base = `datiSingoliPagamenti[${i + 1}]`;
      str(`${base}/identificativoUnivocoVersamento`, p.iuv, text35);
      str(`${base}/identificativoUnivocoRiscossione`, p.receiptId, text35);
      if (p.index !== undefined) int(`${base}/indiceDatiSingoloPagamento`, p.index, 1, 5);
      int(`${base}/singoloImportoPagato`, p.amountCents, 1, MAX_AMOUNT_CENTS);
      if (!(REPORTED_PAYMENT_OUTCOMES as readonly unknown[]).includes(p.outcome)) {
        problems.add(
          `${base}/codiceEsitoSingoloPagamento`,
          `${String(p.outcome)} is not an allowed outcome (${REPORTED_PAYMENT_OUTCOMES.join(', ')})`,
        );
      }
      str(`${base}/dataEsitoSingoloPagamento`, p.outcomeDate, ymd);
    });
  }
  return problems.result();
}

/**
 * Writes the flow as a FlussoRiversamento document (UTF-8, default namespace, two-space indentation)
 * that validates against FlussoRiversamento_1_0_4.xsd. Throws a RangeError listing the problems when the
 * flow cannot be written as a valid document. Does not check that the declared totals add up.
 */
export function buildReportingFlow(flow: ReportingFlow): string {
  const problems = buildProblems(flow);
  if (problems.length > 0) {
    throw new RangeError(`buildReportingFlow: not a valid FlussoRiversamento: ${problems.join('; ')}`);
  }
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<FlussoRiversamento xmlns="${FDR_NAMESPACE}">`,
  ];
  const el = (indent: string, name: string, value: string): void => {
    out.push(`${indent}<${name}>${escapeXmlText(value)}</${name}>`);
  };
  const party = (name: string, role: string, p: ReportingFlow['sender']): void => {
    out.push(`  <${name}>`, `    <identificativoUnivoco${role}>`);
    el('      ', 'tipoIdentificativoUnivoco', p.type);
    el('      ', 'codiceIdentificativoUnivoco', p.id);
    out.push(`    </identificativoUnivoco${role}>`);
    if (p.name !== undefined) el('    ', `denominazione${role}`, p.name);
    out.push(`  </${name}>`);
  };
  el('  ', 'versioneOggetto', BUILT_VERSION);
  el('  ', 'identificativoFlusso', flow.flowId);
  el('  ', 'dataOraFlusso', flow.flowDateTime);
  el('  ', 'identificativoUnivocoRegolamento', flow.settlementId);
  el('  ', 'dataRegolamento', flow.settlementDate);
  party('istitutoMittente', 'Mittente', flow.sender);
  if (flow.bicOfBank !== undefined) el('  ', 'codiceBicBancaDiRiversamento', flow.bicOfBank);
  party('istitutoRicevente', 'Ricevente', flow.receiver);
  el('  ', 'numeroTotalePagamenti', String(flow.totalPayments));
  el('  ', 'importoTotalePagamenti', formatCents(flow.totalAmountCents));
  for (const p of flow.payments) {
    out.push('  <datiSingoliPagamenti>');
    el('    ', 'identificativoUnivocoVersamento', p.iuv);
    el('    ', 'identificativoUnivocoRiscossione', p.receiptId);
    if (p.index !== undefined) el('    ', 'indiceDatiSingoloPagamento', String(p.index));
    el('    ', 'singoloImportoPagato', formatCents(p.amountCents));
    el('    ', 'codiceEsitoSingoloPagamento', String(p.outcome));
    el('    ', 'dataEsitoSingoloPagamento', p.outcomeDate);
    out.push('  </datiSingoliPagamenti>');
  }
  out.push('</FlussoRiversamento>', '');
  return out.join('\n');
}

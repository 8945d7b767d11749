/**
 * PEC (posta elettronica certificata) receipt parser — pure, no I/O.
 *
 * A PEC provider answers every message with signed receipts ("ricevute": accettazione, avvenuta-consegna,
 * errore-consegna, …) and wraps what it delivers in a transport envelope ("busta di trasporto",
 * `X-Trasporto: posta-certificata`). Each carries the certification data as a `daticert.xml` attachment
 * (DM 2 novembre 2005, allegato; described in English by RFC 6109): root `<postacert tipo errore>`, an
 * `<intestazione>` with the original sender, recipients, reply-to and subject, and `<dati>` with the
 * issuing provider, the date, the PEC identifier, the original Message-ID, the delivery address and the
 * extended error.
 *
 * `parsePecReceipt` takes the raw message (RFC 5322), reads the kind from `X-Ricevuta` (or
 * `X-Trasporto`), the referenced Message-ID from `X-Riferimento-Message-ID`, and the certification data
 * from `daticert.xml`, and cross-checks them. A receipt is evidence, so it is never dropped and nothing
 * throws: whatever is wrong (missing or malformed `daticert.xml`, text where the DTD allows only elements,
 * a header disagreeing with the XML, …) is listed in `problems` and the receipt is returned anyway, with
 * every field that could be read. `conformant` is `problems.length === 0`. The S/MIME signature is NOT
 * verified here.
 *
 * `parseDatiCert` checks a `daticert.xml` against the DTD (as reconstructed in
 * `shared/specs/pec-samples/daticert.reconstructed.dtd`: element names, element-only vs text content,
 * required/repeated children and their order, attribute enumerations). DOCTYPE declarations are refused,
 * so no entity is ever expanded (only the five predefined XML entities and character references are
 * decoded). Text values are trimmed.
 */
import { TextDecoder } from 'node:util';
import { XMLValidator } from 'fast-xml-parser';
import { DomainError } from '../../domain/shared/errors.js';
import { DATICERT_LIMITS, assertXmlWithinLimits } from '../xml/xml-limits.js';
import { decodeXmlReferences } from '../../domain/shared/xml-text.js';
import { rawOrderedXmlParser } from '../xml/xml-parser.js';
import type { ParsedMail } from 'mailparser';

/** mailparser (~30 MB of resident modules) is loaded when the first receipt arrives, not at start-up. */
let mailparser: ReturnType<typeof importMailparser> | undefined;
const importMailparser = () => import('mailparser');
const loadMailparser = () => (mailparser ??= importMailparser());

/** Declared with the ports (the HTTP route's body limit); re-exported here for the parser's readers. */
export { MAX_PEC_RECEIPT_BYTES } from '../../services/notices/ports.js';

export type PecReceiptKind =
  | 'accettazione'
  | 'non-accettazione'
  | 'presa-in-carico'
  | 'avvenuta-consegna'
  | 'posta-certificata'
  | 'errore-consegna'
  | 'preavviso-errore-consegna'
  | 'rilevazione-virus';

/** The values of `postacert/@tipo` (every kind, the transport envelope included). */
export const PEC_RECEIPT_KINDS: readonly PecReceiptKind[] = [
  'accettazione',
  'non-accettazione',
  'presa-in-carico',
  'avvenuta-consegna',
  'posta-certificata',
  'errore-consegna',
  'preavviso-errore-consegna',
  'rilevazione-virus',
];

/** The values `X-Ricevuta` can take (the transport envelope says `X-Trasporto: posta-certificata`). */
const X_RICEVUTA_VALUES: readonly PecReceiptKind[] = PEC_RECEIPT_KINDS.filter(
  (k) => k !== 'posta-certificata',
);

export interface DatiCert {
  /** attributes of <postacert>; `errore` defaults to 'nessuno' as in the DTD */
  tipo: string;
  errore: string;
  mittente: string | null;
  destinatari: { address: string; tipo: string | null }[];
  risposte: string | null;
  oggetto: string | null;
  gestoreEmittente: string | null;
  data: { zona: string | null; giorno: string | null; ora: string | null } | null;
  /** The instant, when giorno/ora/zona are parseable (giorno dd/mm/yyyy, ora hh:mm:ss, zona e.g. +0200) */
  at: string | null;
  identificativo: string | null;
  /** as written (normally with its angle brackets) */
  msgid: string | null;
  /** the `tipo` attribute of the empty <ricevuta> element (completa | breve | sintetica) */
  ricevuta: string | null;
  consegna: string | null;
  erroreEsteso: string | null;
}

export interface PecReceipt {
  kind: PecReceiptKind | 'unknown';
  /** X-Riferimento-Message-ID header (the Message-ID of the message the receipt is about), without angle brackets; null if absent. */
  referenceMessageId: string | null;
  /** From daticert.xml when present */
  datiCert: DatiCert | null;
  /** Delivery address the receipt concerns (consegna, else the first destinatario), lower case */
  recipient: string | null;
  /** The whole message's subject (encoded words decoded), From (as mailparser renders it) and Date (raw header) */
  subject: string | null;
  from: string | null;
  date: string | null;
  /** Problems found. Non-empty = non-conformant, but the receipt is still returned (a receipt is evidence). */
  problems: string[];
  conformant: boolean;
  /** Set when a part exceeds a size limit (`xml-limits.ts`) and was not read: the receipt is refused. */
  refused: string | null;
  /**
   * Where daticert.xml (the signed certification data) does not back the headers a receipt is matched
   * by: missing, another kind, another Message-ID. Non-empty: the receipt must not change anything.
   */
  disagreements: string[];
  /** The delivery addresses daticert.xml certifies (consegna, else every destinatario), lower case */
  recipients: string[];
}

// ---------------------------------------------------------------------------------------------------
// daticert.xml

/** Element-only content models: children in order, with their occurrence. */
type Occurrence = '1' | '?' | '+' | '*';
const ELEMENT_ONLY: ReadonlyMap<string, readonly (readonly [string, Occurrence])[]> = new Map([
  [
    'postacert',
    [
      ['intestazione', '1'],
      ['dati', '1'],
    ],
  ],
  [
    'intestazione',
    [
      ['mittente', '1'],
      ['destinatari', '+'],
      ['risposte', '1'],
      ['oggetto', '?'],
    ],
  ],
  [
    'dati',
    [
      ['gestore-emittente', '1'],
      ['data', '1'],
      ['identificativo', '1'],
      ['msgid', '?'],
      ['ricevuta', '?'],
      ['consegna', '?'],
      ['ricezione', '*'],
      ['errore-esteso', '?'],
    ],
  ],
  [
    'data',
    [
      ['giorno', '1'],
      ['ora', '1'],
    ],
  ],
]);
const TEXT_ONLY = new Set([
  'mittente',
  'destinatari',
  'risposte',
  'oggetto',
  'gestore-emittente',
  'giorno',
  'ora',
  'identificativo',
  'msgid',
  'consegna',
  'ricezione',
  'errore-esteso',
]);
const EMPTY = new Set(['ricevuta']);

interface AttributeRule {
  required: boolean;
  /** allowed values; undefined = CDATA */
  values?: readonly string[];
}
const ATTRIBUTES: ReadonlyMap<string, ReadonlyMap<string, AttributeRule>> = new Map([
  [
    'postacert',
    new Map<string, AttributeRule>([
      ['tipo', { required: true, values: PEC_RECEIPT_KINDS }],
      ['errore', { required: false, values: ['nessuno', 'no-dest', 'no-dominio', 'virus', 'altro'] }],
    ]),
  ],
  [
    'destinatari',
    new Map<string, AttributeRule>([['tipo', { required: true, values: ['certificato', 'esterno'] }]]),
  ],
  ['data', new Map<string, AttributeRule>([['zona', { required: true }]])],
  [
    'ricevuta',
    new Map<string, AttributeRule>([
      ['tipo', { required: true, values: ['completa', 'breve', 'sintetica'] }],
    ]),
  ],
]);

type FxpNode = Record<string, unknown>;

interface XmlElement {
  name: string;
  /** raw (undecoded) attribute values */
  attrs: Record<string, string>;
  /** children in document order: elements, and text runs (raw; CDATA marked, never decoded) */
  children: (XmlElement | { text: string; cdata: boolean })[];
}

const xmlParser = rawOrderedXmlParser();

/** Decodes the predefined entities and character references; anything else is kept as written and reported. */
function decodeReferences(raw: string, where: string, problems: string[]): string {
  return decodeXmlReferences(raw, (kind, whole) => {
    problems.push(
      kind === 'undefined_entity'
        ? `daticert.xml: undefined entity '${whole}' in ${where} (entities are never expanded)`
        : kind === 'invalid_character_reference'
          ? `daticert.xml: invalid character reference '${whole}' in ${where}`
          : `daticert.xml: bare '&' in ${where} (not an entity or character reference)`,
    );
    return whole;
  });
}

function toElement(node: FxpNode): XmlElement | undefined {
  let name: string | undefined;
  for (const key of Object.keys(node)) {
    if (key !== ':@' && key !== '#text' && key !== '#cdata') name = key;
  }
  if (name === undefined) return undefined;
  const rawAttrs = node[':@'];
  const attrs: Record<string, string> = {};
  if (rawAttrs !== null && typeof rawAttrs === 'object') {
    for (const [k, v] of Object.entries(rawAttrs as Record<string, unknown>)) {
      attrs[k] = typeof v === 'string' ? v : String(v);
    }
  }
  const children: XmlElement['children'] = [];
  const content = node[name];
  if (Array.isArray(content)) {
    for (const child of content as FxpNode[]) {
      if (child === null || typeof child !== 'object') continue;
      if ('#text' in child) {
        children.push({ text: String(child['#text']), cdata: false });
      } else if ('#cdata' in child) {
        const inner = child['#cdata'];
        const text = Array.isArray(inner)
          ? (inner as FxpNode[]).map((t) => (t && '#text' in t ? String(t['#text']) : '')).join('')
          : '';
        children.push({ text, cdata: true });
      } else {
        const el = toElement(child);
        if (el) children.push(el);
      }
    }
  }
  return { name, attrs, children };
}

function isElement(c: XmlElement['children'][number]): c is XmlElement {
  return 'name' in c;
}

function quote(text: string, max = 40): string {
  const t = text.trim().replace(/\s+/g, ' ');
  return `'${t.length > max ? `${t.slice(0, max)}…` : t}'`;
}

/** Checks one element and its subtree against the DTD; reports into `problems`. */
function checkElement(el: XmlElement, problems: string[]): void {
  const where = `<${el.name}>`;
  // attributes
  const rules = ATTRIBUTES.get(el.name) ?? new Map<string, AttributeRule>();
  for (const [attr, raw] of Object.entries(el.attrs)) {
    const rule = rules.get(attr);
    if (!rule) {
      problems.push(`daticert.xml: attribute '${attr}' is not declared for ${where}`);
      continue;
    }
    const value = decodeReferences(raw, `${where} @${attr}`, problems);
    if (rule.values && !rule.values.includes(value)) {
      problems.push(
        `daticert.xml: ${where} ${attr}=${quote(value)} is not one of ${rule.values.join(' | ')}`,
      );
    }
  }
  for (const [attr, rule] of rules) {
    if (rule.required && !Object.hasOwn(el.attrs, attr)) {
      problems.push(`daticert.xml: ${where} lacks the required attribute '${attr}'`);
    }
  }

  const model = ELEMENT_ONLY.get(el.name);
  if (model) {
    const names = model.map(([n]) => n);
    const counts = new Map<string, number>();
    let lastIndex = -1;
    let outOfOrderReported = false;
    for (const child of el.children) {
      if (!isElement(child)) {
        if (child.text.trim() !== '') {
          problems.push(
            `daticert.xml: stray text ${quote(child.text)} inside ${where} (element-only content per the DTD)`,
          );
        }
        continue;
      }
      const index = names.indexOf(child.name);
      if (index < 0) {
        problems.push(`daticert.xml: element <${child.name}> is not allowed inside ${where}`);
        continue;
      }
      counts.set(child.name, (counts.get(child.name) ?? 0) + 1);
      if (index < lastIndex && !outOfOrderReported) {
        problems.push(
          `daticert.xml: <${child.name}> is out of order inside ${where} (expected ${names.join(', ')})`,
        );
        outOfOrderReported = true;
      }
      lastIndex = Math.max(lastIndex, index);
      checkElement(child, problems);
    }
    for (const [name, occurrence] of model) {
      const n = counts.get(name) ?? 0;
      if (n === 0 && (occurrence === '1' || occurrence === '+')) {
        problems.push(`daticert.xml: ${where} lacks the required element <${name}>`);
      }
      if (n > 1 && (occurrence === '1' || occurrence === '?')) {
        problems.push(`daticert.xml: <${name}> occurs ${n} times inside ${where} (at most once per the DTD)`);
      }
    }
  } else if (TEXT_ONLY.has(el.name)) {
    for (const child of el.children) {
      if (isElement(child)) {
        problems.push(
          `daticert.xml: element <${child.name}> is not allowed inside ${where} (text-only content per the DTD)`,
        );
      }
    }
  } else if (EMPTY.has(el.name)) {
    if (el.children.some((c) => isElement(c) || c.text.trim() !== '')) {
      problems.push(`daticert.xml: ${where} must be empty per the DTD`);
    }
  }
}

/** The first child element with that name (depth-first through the given path). */
function findChild(el: XmlElement | undefined, ...path: string[]): XmlElement | undefined {
  let current = el;
  for (const name of path) {
    current = current?.children.find((c): c is XmlElement => isElement(c) && c.name === name);
  }
  return current;
}

/** Text content (text runs only, references decoded, CDATA verbatim), trimmed. */
function textOf(el: XmlElement): string {
  let out = '';
  for (const c of el.children) {
    if (isElement(c)) continue;
    // bad references are reported once, by collectReferenceProblems
    out += c.cdata ? c.text : decodeReferences(c.text, `<${el.name}>`, []);
  }
  return out.trim();
}

function attrOf(el: XmlElement | undefined, name: string): string | null {
  const raw = el?.attrs[name];
  return raw === undefined ? null : decodeReferences(raw, '', []).trim();
}

/** Reports bad references in text anywhere in the tree (attributes are checked by checkElement). */
function collectReferenceProblems(el: XmlElement, problems: string[]): void {
  for (const c of el.children) {
    if (isElement(c)) collectReferenceProblems(c, problems);
    else if (!c.cdata) decodeReferences(c.text, `<${el.name}>`, problems);
  }
}

/** dd/mm/yyyy + hh:mm:ss + ±hhmm (or ±hh:mm) → ISO 8601 instant in UTC; null if any part is not valid. */
export function datiCertInstant(
  giorno: string | null,
  ora: string | null,
  zona: string | null,
): string | null {
  if (giorno === null || ora === null || zona === null) return null;
  const d = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(giorno.trim());
  const t = /^(\d{2}):(\d{2}):(\d{2})$/.exec(ora.trim());
  const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zona.trim());
  if (!d || !t || !z) return null;
  const [day, month, year] = [Number(d[1]), Number(d[2]), Number(d[3])];
  const [hh, mm, ss] = [Number(t[1]), Number(t[2]), Number(t[3])];
  const [zh, zm] = [Number(z[2]), Number(z[3])];
  if (hh > 23 || mm > 59 || ss > 59 || zh > 14 || zm > 59) return null;
  const local = Date.UTC(year, month - 1, day, hh, mm, ss);
  const check = new Date(local);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    return null;
  }
  const offsetMs = (z[1] === '-' ? -1 : 1) * (zh * 60 + zm) * 60_000;
  return new Date(local - offsetMs).toISOString();
}

/**
 * Parses and checks a daticert.xml. Never throws: `datiCert` is null only when no <postacert> could be
 * read at all (not XML, DOCTYPE refused, other root); otherwise every field found is returned, with the
 * deviations from the DTD in `problems`.
 */
export function parseDatiCert(xml: string): {
  datiCert: PecReceipt['datiCert'];
  problems: string[];
  /** set when the document exceeds DATICERT_LIMITS: it was not parsed */
  refused?: string;
} {
  const problems: string[] = [];
  try {
    return { datiCert: parseDatiCertUnsafe(xml, problems), problems };
  } catch (err) {
    if (err instanceof DomainError && err.code === 'payload_too_large') {
      problems.push(`${err.message} (not read)`);
      return { datiCert: null, problems, refused: err.message };
    }
    problems.push(`daticert.xml could not be parsed: ${errorMessage(err)}`);
    return { datiCert: null, problems };
  }
}

function parseDatiCertUnsafe(input: unknown, problems: string[]): DatiCert | null {
  if (typeof input !== 'string') {
    problems.push('daticert.xml: the document is not a string');
    return null;
  }
  const xml = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  if (xml.trim() === '') {
    problems.push('daticert.xml is empty');
    return null;
  }
  if (/<!DOCTYPE/i.test(xml)) {
    problems.push('daticert.xml has a DOCTYPE declaration: refused (entities are never expanded)');
    return null;
  }
  assertXmlWithinLimits(xml, DATICERT_LIMITS, 'daticert.xml');
  const wellFormed = XMLValidator.validate(xml);
  if (wellFormed !== true) {
    const { msg, line, col } = wellFormed.err;
    problems.push(`daticert.xml is not well-formed XML: ${msg} (line ${line}, column ${col})`);
    // go on: the lenient parser may still recover the fields (flagged non-conformant above)
  }
  const nodes = xmlParser.parse(xml) as unknown;
  const roots: XmlElement[] = [];
  if (Array.isArray(nodes)) {
    for (const node of nodes as FxpNode[]) {
      if (node === null || typeof node !== 'object') continue;
      const el = toElement(node);
      if (el) roots.push(el);
    }
  }
  const root = roots[0];
  if (!root) {
    if (wellFormed === true) problems.push('daticert.xml has no root element');
    return null;
  }
  if (roots.length > 1 && wellFormed === true) problems.push('daticert.xml has more than one root element');
  if (root.name !== 'postacert') {
    problems.push(`daticert.xml: the root element is <${root.name}>, not <postacert>`);
    return null;
  }
  checkElement(root, problems);
  collectReferenceProblems(root, problems);

  const text = (...path: string[]): string | null => {
    const el = findChild(root, ...path);
    return el ? textOf(el) : null;
  };
  const intestazione = findChild(root, 'intestazione');
  const destinatari = (intestazione?.children ?? [])
    .filter((c): c is XmlElement => isElement(c) && c.name === 'destinatari')
    .map((d) => ({ address: textOf(d), tipo: attrOf(d, 'tipo') }));
  const dataEl = findChild(root, 'dati', 'data');
  const data = dataEl
    ? {
        zona: attrOf(dataEl, 'zona'),
        giorno: text('dati', 'data', 'giorno'),
        ora: text('dati', 'data', 'ora'),
      }
    : null;
  const at = data ? datiCertInstant(data.giorno, data.ora, data.zona) : null;
  if (data && at === null) {
    problems.push(
      `daticert.xml: <data> is not a valid instant (giorno ${quote(data.giorno ?? '')} as dd/mm/yyyy, ` +
        `ora ${quote(data.ora ?? '')} as hh:mm:ss, zona ${quote(data.zona ?? '')} as ±hhmm)`,
    );
  }
  return {
    tipo: attrOf(root, 'tipo') ?? '',
    errore: attrOf(root, 'errore') ?? 'nessuno',
    mittente: text('intestazione', 'mittente'),
    destinatari,
    risposte: text('intestazione', 'risposte'),
    oggetto: text('intestazione', 'oggetto'),
    gestoreEmittente: text('dati', 'gestore-emittente'),
    data,
    at,
    identificativo: text('dati', 'identificativo'),
    msgid: text('dati', 'msgid'),
    ricevuta: attrOf(findChild(root, 'dati', 'ricevuta'), 'tipo'),
    consegna: text('dati', 'consegna'),
    erroreEsteso: text('dati', 'errore-esteso'),
  };
}

// ---------------------------------------------------------------------------------------------------
// the message

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Every value of a header (raw, unfolded, trimmed), in order. */
function headerValues(mail: ParsedMail, key: string): string[] {
  const out: string[] = [];
  for (const h of mail.headerLines) {
    if (h.key.toLowerCase() !== key) continue;
    const colon = h.line.indexOf(':');
    out.push(
      h.line
        .slice(colon + 1)
        .replace(/\r?\n(?=[ \t])/g, '')
        .trim(),
    );
  }
  return out;
}

/** One header value; reports repeats (the first is used). */
function singleHeader(mail: ParsedMail, key: string, display: string, problems: string[]): string | null {
  const values = headerValues(mail, key);
  if (values.length > 1) problems.push(`${display} occurs ${values.length} times (the first is used)`);
  return values[0] ?? null;
}

/** `<id@host>` → `id@host`. */
function stripAngles(messageId: string): string | null {
  const m = /<([^<>]*)>/.exec(messageId);
  const id = (m ? (m[1] ?? '') : messageId).trim();
  return id === '' ? null : id;
}

/** Decodes the XML bytes by BOM, else by the declared encoding (default UTF-8). */
function decodeXmlBytes(bytes: Buffer, problems: string[]): string {
  let label = 'utf-8';
  let body: Uint8Array = bytes;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) body = bytes.subarray(3);
  else if (bytes[0] === 0xff && bytes[1] === 0xfe) label = 'utf-16le';
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) label = 'utf-16be';
  else {
    const head = bytes.subarray(0, 200).toString('latin1');
    const declared = /^<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head)?.[1];
    if (declared) label = declared.toLowerCase();
  }
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label, { fatal: true });
  } catch {
    problems.push(`daticert.xml declares an unsupported encoding '${label}' (read as UTF-8)`);
    label = 'utf-8';
    decoder = new TextDecoder(label, { fatal: true });
  }
  try {
    return decoder.decode(body);
  } catch {
    problems.push(`daticert.xml is not valid ${label} (undecodable bytes replaced)`);
    return new TextDecoder(label).decode(body);
  }
}

/** Receipts are a few hundred lines; more lines or a larger header block is not one (and costs seconds to parse). */
export const PEC_RECEIPT_SHAPE = { maxLines: 60_000, maxHeaderBytes: 64 * 1024 };

/** Why a message is not shaped like a receipt (too many lines, an oversized header block), or null. */
export function pecReceiptShapeProblem(raw: Buffer): string | null {
  let lines = 0;
  for (let i = raw.indexOf(10); i !== -1; i = raw.indexOf(10, i + 1)) {
    lines += 1;
    if (lines > PEC_RECEIPT_SHAPE.maxLines)
      return `the message has more than ${PEC_RECEIPT_SHAPE.maxLines} lines: not parsed`;
  }
  const headerEnd = raw.indexOf('\r\n\r\n') === -1 ? raw.indexOf('\n\n') : raw.indexOf('\r\n\r\n');
  if ((headerEnd === -1 ? raw.length : headerEnd) > PEC_RECEIPT_SHAPE.maxHeaderBytes)
    return `the message's header block is larger than ${PEC_RECEIPT_SHAPE.maxHeaderBytes} bytes: not parsed`;
  return null;
}

/** A receipt that says nothing but its problems: kept for review, changes nothing. */
export function unreadableReceipt(problem: string): PecReceipt {
  return emptyReceipt([problem]);
}

function emptyReceipt(problems: string[]): PecReceipt {
  return {
    kind: 'unknown',
    referenceMessageId: null,
    datiCert: null,
    recipient: null,
    subject: null,
    from: null,
    date: null,
    problems,
    conformant: false,
    refused: null,
    disagreements: [],
    recipients: [],
  };
}

/**
 * Parses a PEC receipt or transport envelope. Never throws; see the module comment.
 */
export async function parsePecReceipt(raw: Buffer | string): Promise<PecReceipt> {
  const problems: string[] = [];
  try {
    return await parsePecReceiptUnsafe(raw, problems);
  } catch (err) {
    problems.push(`the message could not be parsed: ${errorMessage(err)}`);
    return emptyReceipt(problems);
  }
}

async function parsePecReceiptUnsafe(raw: unknown, problems: string[]): Promise<PecReceipt> {
  const receipt = emptyReceipt(problems);
  if (typeof raw !== 'string' && !Buffer.isBuffer(raw)) {
    problems.push('the message is neither a string nor a Buffer');
    return receipt;
  }
  if ((typeof raw === 'string' ? raw : raw.toString('latin1')).trim() === '') {
    problems.push('the message is empty');
    return receipt;
  }
  const { simpleParser } = await loadMailparser();
  const mail = await simpleParser(raw, {
    skipHtmlToText: true,
    skipTextToHtml: true,
    skipImageLinks: true,
    skipTextLinks: true,
    checksumAlgo: false,
  });
  if (mail.headers.size === 0) {
    problems.push('no header fields: this is not an e-mail message');
  }

  receipt.subject = mail.subject ?? singleHeader(mail, 'subject', 'Subject', []);
  receipt.from = mail.from?.text || singleHeader(mail, 'from', 'From', []);
  receipt.date = singleHeader(mail, 'date', 'Date', []);

  // the certification data
  const candidates = mail.attachments
    .filter((a) => (a.filename ?? '').trim().toLowerCase() === 'daticert.xml')
    .map((a) => ({ a, depth: a.partId === null ? 0 : a.partId.split('.').length }));
  // a transport envelope carries the original message (postacert.eml), whose own attachments mailparser
  // also lists, one level deeper: the envelope's daticert.xml is the shallowest
  const shallowest = Math.min(...candidates.map((c) => c.depth));
  const chosen = candidates.filter((c) => c.depth === shallowest);
  let datiCert: DatiCert | null = null;
  if (chosen.length === 0) {
    problems.push('no daticert.xml attachment');
  } else {
    if (chosen.length > 1) {
      problems.push(`${chosen.length} daticert.xml attachments at the same level (the first is used)`);
    }
    const first = chosen[0];
    if (first) {
      const parsed =
        first.a.content.length > DATICERT_LIMITS.maxBytes
          ? parseDatiCert(first.a.content.toString('latin1'))
          : parseDatiCert(decodeXmlBytes(first.a.content, problems));
      problems.push(...parsed.problems);
      datiCert = parsed.datiCert;
      receipt.refused = parsed.refused ?? null;
    }
  }
  receipt.datiCert = datiCert;

  // the kind
  const ricevuta = singleHeader(mail, 'x-ricevuta', 'X-Ricevuta', problems);
  const trasporto = singleHeader(mail, 'x-trasporto', 'X-Trasporto', problems);
  let headerKind: PecReceiptKind | undefined;
  let headerName = '';
  if (ricevuta !== null) {
    headerName = 'X-Ricevuta';
    if (trasporto !== null) problems.push('both X-Ricevuta and X-Trasporto are present (X-Ricevuta is used)');
    const v = ricevuta.toLowerCase();
    headerKind = X_RICEVUTA_VALUES.find((k) => k === v);
    if (!headerKind) problems.push(`unknown X-Ricevuta value ${quote(ricevuta)}`);
  } else if (trasporto !== null) {
    headerName = 'X-Trasporto';
    const v = trasporto.toLowerCase();
    if (v === 'posta-certificata') headerKind = 'posta-certificata';
    else if (v === 'errore') {
      problems.push('X-Trasporto: errore (a "busta di anomalia", not a receipt)');
    } else problems.push(`unknown X-Trasporto value ${quote(trasporto)}`);
  } else {
    problems.push('neither X-Ricevuta nor X-Trasporto is present');
  }
  const disagree = (problem: string) => {
    problems.push(problem);
    receipt.disagreements.push(problem);
  };
  if (!datiCert) receipt.disagreements.push('no readable daticert.xml');
  if (headerKind) {
    receipt.kind = headerKind;
    if (datiCert && datiCert.tipo !== headerKind) {
      disagree(`${headerName} ${quote(headerKind)} disagrees with daticert.xml tipo ${quote(datiCert.tipo)}`);
    }
  } else {
    receipt.disagreements.push('no valid X-Ricevuta or X-Trasporto header');
    if (ricevuta === null && trasporto === null && datiCert) {
      const fromTipo = PEC_RECEIPT_KINDS.find((k) => k === datiCert.tipo);
      if (fromTipo) {
        receipt.kind = fromTipo;
        problems.push(`the kind is taken from daticert.xml tipo ${quote(fromTipo)} (no header says it)`);
      }
    }
  }

  // the message the receipt is about
  const reference = singleHeader(mail, 'x-riferimento-message-id', 'X-Riferimento-Message-ID', problems);
  receipt.referenceMessageId = reference === null ? null : stripAngles(reference);
  if (receipt.referenceMessageId === null && ricevuta !== null) {
    problems.push(
      reference === null ? 'X-Riferimento-Message-ID is missing' : 'X-Riferimento-Message-ID is empty',
    );
  }
  const msgid = datiCert?.msgid ? stripAngles(datiCert.msgid) : null;
  if (receipt.referenceMessageId !== null && msgid !== null && msgid !== receipt.referenceMessageId) {
    disagree(
      `X-Riferimento-Message-ID ${quote(receipt.referenceMessageId, 200)} differs from daticert.xml msgid ${quote(msgid, 200)}`,
    );
  } else if (receipt.referenceMessageId !== null && datiCert && msgid === null) {
    receipt.disagreements.push('daticert.xml has no msgid to back X-Riferimento-Message-ID');
  }

  // the delivery address concerned
  const address = datiCert?.consegna || datiCert?.destinatari.find((d) => d.address !== '')?.address || null;
  receipt.recipient = address === null ? null : address.toLowerCase();
  receipt.recipients = datiCert?.consegna
    ? [datiCert.consegna.toLowerCase()]
    : (datiCert?.destinatari ?? []).map((d) => d.address.toLowerCase()).filter((a) => a !== '');

  receipt.conformant = problems.length === 0;
  return receipt;
}

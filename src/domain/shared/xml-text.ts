/** XML text rules shared by every XML writer and reader (pure: no parser, no I/O). */
const PREDEFINED_ENTITIES = new Map([
  ['lt', '<'],
  ['gt', '>'],
  ['amp', '&'],
  ['apos', "'"],
  ['quot', '"'],
]);
const REFERENCE = /&(?:#x([0-9A-Fa-f]+);|#([0-9]+);|([A-Za-z_:][\w.:-]*);)?/g;

/** A code point XML 1.0 allows in a document (the `Char` production). */
export function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/** Characters XML 1.0 does not allow (lone surrogates included). */
export const INVALID_XML_CHAR =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const INVALID_XML_CHARS = new RegExp(INVALID_XML_CHAR.source, 'g');

export interface XmlEscapeOptions {
  /** What becomes of a character XML cannot carry: U+FFFD (default) or nothing. */
  invalid?: 'replace' | 'drop';
}

/**
 * The one XML text escaper (the SOAP codec, the reporting flows, the Atom feeds): `&`, `<`, `>`
 * escaped, a carriage return kept as `&#13;` (a parser would turn a literal one into a line feed), a
 * character XML cannot carry replaced by U+FFFD or dropped.
 */
export function escapeXmlText(value: string, options: XmlEscapeOptions = {}): string {
  return value
    .replace(INVALID_XML_CHARS, options.invalid === 'drop' ? '' : '\uFFFD')
    .replace(/[&<>\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#13;'));
}

/** escapeXmlText, and the quotes too: for a quoted attribute value as well as for content. */
export function escapeXmlAttribute(value: string, options: XmlEscapeOptions = {}): string {
  return escapeXmlText(value, options).replace(/["']/g, (c) => (c === '"' ? '&quot;' : '&apos;'));
}

export type ReferenceProblem = 'undefined_entity' | 'invalid_character_reference' | 'bare_ampersand';

/**
 * Decodes the predefined entities and the character references in raw text; for anything else calls
 * `problem` with what was written, and puts in its place what `problem` returns.
 */
export function decodeXmlReferences(
  raw: string,
  problem: (kind: ReferenceProblem, written: string) => string,
): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(
    REFERENCE,
    (whole, hex: string | undefined, dec: string | undefined, name: string | undefined) => {
      if (name !== undefined) return PREDEFINED_ENTITIES.get(name) ?? problem('undefined_entity', whole);
      if (hex !== undefined || dec !== undefined) {
        const cp = hex !== undefined ? parseInt(hex, 16) : parseInt(dec ?? '', 10);
        return isXmlChar(cp) ? String.fromCodePoint(cp) : problem('invalid_character_reference', whole);
      }
      return problem('bare_ampersand', whole);
    },
  );
}

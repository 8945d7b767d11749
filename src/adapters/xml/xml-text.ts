import { XMLParser } from 'fast-xml-parser';

/**
 * What the strict XML readers (pagoPA reporting flows, PEC `daticert.xml`) share: a fast-xml-parser set
 * to keep everything raw and in document order (no entity expansion: a DOCTYPE cannot smuggle entities
 * in), and the decoding of the references XML allows (the five predefined entities and character
 * references to XML characters), which each reader does itself, reporting anything else its own way.
 */
export function rawOrderedXmlParser(): XMLParser {
  return new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    processEntities: false,
    htmlEntities: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    cdataPropName: '#cdata',
  });
}

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

const NOT_XML_CHAR =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Escapes a value for character data or a quoted attribute (either quote): characters XML cannot carry
 * become U+FFFD; tab, CR and LF are written as references so that attribute normalisation keeps them.
 */
export function escapeXml(value: string): string {
  return value
    .replace(NOT_XML_CHAR, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

import { DomainError } from '../../domain/shared/errors.js';

/**
 * Bounds for an untrusted XML document, checked by `assertXmlWithinLimits` in one pass over the raw text
 * BEFORE any parser builds a tree of it: a parser holds several copies of every attribute and text node
 * (and, in order-preserving mode, an object per node), so a document within the body limit can still
 * take the heap (a 5 MB attribute, a 15 MB text node). Lengths are in UTF-16 code units of the text.
 */
export interface XmlLimits {
  /** the whole document, in UTF-8 bytes */
  maxBytes: number;
  /** nesting of elements */
  maxDepth: number;
  /** elements in the document */
  maxElements: number;
  /** one attribute value, as written */
  maxAttributeLength: number;
  /** one run of text (or CDATA section, or comment) between two tags, as written */
  maxTextLength: number;
}

/** `daticert.xml` of a PEC receipt: a dozen short fields (the largest seen are a few hundred bytes). */
export const DATICERT_LIMITS: XmlLimits = {
  maxBytes: 64 * 1024,
  maxDepth: 8,
  maxElements: 500,
  maxAttributeLength: 256,
  maxTextLength: 8 * 1024,
};

/**
 * A pagoPA reporting flow (FlussoRiversamento): ~12 elements per payment, no value longer than 140
 * characters in the schema; 8 MB holds well over 10,000 payments.
 */
export const REPORTING_FLOW_LIMITS: XmlLimits = {
  maxBytes: 8 * 1024 * 1024,
  maxDepth: 12,
  maxElements: 500_000,
  maxAttributeLength: 1024,
  maxTextLength: 4 * 1024,
};

/** A request of the pagoPA node (paForNode): one payment's data. */
export const SOAP_REQUEST_LIMITS: XmlLimits = {
  maxBytes: 256 * 1024,
  maxDepth: 10_000,
  maxElements: 50_000,
  maxAttributeLength: 256 * 1024,
  maxTextLength: 256 * 1024,
};

function tooLarge(what: string, detail: string, reason: string): DomainError {
  return new DomainError('payload_too_large', `${what}: ${detail}`, { field: 'body', reason });
}

/**
 * Refuses (DomainError `payload_too_large`, or `validation_failed` for a DTD) a document that exceeds a
 * limit, naming it. Does not check well-formedness: a malformed document within the limits passes, and
 * the parser reports it. Linear in the document's length; holds no copy of it.
 */
export function assertXmlWithinLimits(xml: string, limits: XmlLimits, what: string): void {
  // UTF-8 bytes are at least the UTF-16 length: compute exactly only near the limit
  if (xml.length * 3 > limits.maxBytes) {
    const bytes = Buffer.byteLength(xml, 'utf8');
    if (bytes > limits.maxBytes) {
      throw tooLarge(
        what,
        `the document is ${bytes} bytes, more than the limit of ${limits.maxBytes} bytes`,
        'xml_max_bytes',
      );
    }
  }
  const text = (length: number): void => {
    if (length > limits.maxTextLength) {
      throw tooLarge(
        what,
        `a text node is longer than the limit of ${limits.maxTextLength} characters`,
        'xml_max_text_length',
      );
    }
  };
  const n = xml.length;
  let depth = 0;
  let elements = 0;
  let i = 0;
  while (i < n) {
    const lt = xml.indexOf('<', i);
    text((lt < 0 ? n : lt) - i);
    if (lt < 0) break;
    const next = xml.charCodeAt(lt + 1);
    if (next === 0x21 /* ! */) {
      if (xml.startsWith('<!--', lt)) {
        const end = xml.indexOf('-->', lt + 4);
        text((end < 0 ? n : end) - lt - 4);
        i = end < 0 ? n : end + 3;
      } else if (xml.startsWith('<![CDATA[', lt)) {
        const end = xml.indexOf(']]>', lt + 9);
        text((end < 0 ? n : end) - lt - 9);
        i = end < 0 ? n : end + 3;
      } else {
        // <!DOCTYPE, <!ENTITY, <!ELEMENT, ... : no DTD is ever read, so no entity can be expanded
        throw new DomainError(
          'validation_failed',
          `${what}: DOCTYPE declarations are not allowed (entities are never expanded)`,
          { field: 'body', reason: 'xml_dtd_refused' },
        );
      }
      continue;
    }
    if (next === 0x3f /* ? */) {
      const end = xml.indexOf('?>', lt + 2);
      text((end < 0 ? n : end) - lt - 2);
      i = end < 0 ? n : end + 2;
      continue;
    }
    const closing = next === 0x2f; /* / */
    // the tag runs to the first '>' outside quotes
    let j = lt + 1;
    let selfClosing = false;
    for (;;) {
      if (j >= n) break;
      const c = xml.charCodeAt(j);
      if (c === 0x22 || c === 0x27) {
        const end = xml.indexOf(c === 0x22 ? '"' : "'", j + 1);
        const length = (end < 0 ? n : end) - j - 1;
        if (length > limits.maxAttributeLength) {
          throw tooLarge(
            what,
            `an attribute value is longer than the limit of ${limits.maxAttributeLength} characters`,
            'xml_max_attribute_length',
          );
        }
        j = end < 0 ? n : end + 1;
        continue;
      }
      if (c === 0x3e /* > */) {
        selfClosing = xml.charCodeAt(j - 1) === 0x2f;
        break;
      }
      j += 1;
    }
    if (j - lt > limits.maxTextLength + limits.maxAttributeLength) {
      throw tooLarge(what, 'a tag is too long', 'xml_max_tag_length');
    }
    if (closing) {
      depth -= 1;
    } else {
      elements += 1;
      if (elements > limits.maxElements) {
        throw tooLarge(
          what,
          `the document has more than the limit of ${limits.maxElements} elements`,
          'xml_max_elements',
        );
      }
      if (!selfClosing) {
        depth += 1;
        if (depth > limits.maxDepth) {
          throw tooLarge(
            what,
            `elements are nested deeper than the limit of ${limits.maxDepth} levels`,
            'xml_max_depth',
          );
        }
      }
    }
    i = j + 1;
  }
}

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

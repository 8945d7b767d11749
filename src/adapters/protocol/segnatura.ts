/**
 * AgID "segnatura di protocollo" (Linee guida sul documento informatico, Allegato 6, schema
 * `segnatura_protocollo.xsd` version 3.0.0) — build, sign and verify. Pure: no I/O.
 *
 * What the schema fixes (checked against the official XSD, not guessed):
 * - targetNamespace `http://www.agid.gov.it/protocollo/`, `elementFormDefault="qualified"` AND
 *   `attributeFormDefault="qualified"`: every element and every attribute the schema declares
 *   (`versione`, `lang`, `descrizione`, `tipo`, `nomeFile`, `mimeType`, `algoritmo`, …) must be in that
 *   namespace. An unprefixed attribute is in no namespace, so the document uses the `prot:` prefix
 *   throughout (a default namespace would not cover the attributes).
 * - Root `SegnaturaInformatica` with `prot:versione="3.0.0"` and `prot:lang="it"` (both fixed, required):
 *   Intestazione, Riferimenti?, Descrizione, ds:Signature — the signature is REQUIRED and comes last, so
 *   an unsigned document is deliberately not yet valid.
 * - Intestazione: Identificatore (CodiceAmministrazione, CodiceAOO, CodiceRegistro
 *   `[A-Za-z0-9_.-]{1,16}`, NumeroRegistrazione `[0-9]{7,}`, DataRegistrazione xs:date,
 *   OraRegistrazione?), PrimaRegistrazione?, Oggetto, Classifica (REQUIRED: Denominazione + CodiceFlat
 *   or CodicePath), Fascicolo?, Riservato?.
 * - Descrizione: Mittente, Destinatario+, DocumentoPrimario, Allegato*. Mittente and Destinatario are a
 *   choice of Amministrazione (needs CodiceIPAAmministrazione), PersonaGiuridica, PersonaFisica (needs
 *   Nome and Cognome separately) or AmministrazioneEstera. CFAmministrazione and PIVAoCF are of type
 *   `PartitaIVA` = `[0-9]{11}`: only the 11-digit numeric fiscal code of an entity fits there.
 * - DocumentoPrimario: attributes nomeFile and mimeType (required), Descrizione?, Impronta (xs:base64Binary
 *   with attribute `algoritmo`, default "SHA-256"; written explicitly here).
 *
 * The signature follows the XAdES baseline-B profile the schema's annotation prescribes (ETSI EN 319 132-1
 * v1.1.1): an enveloped XML-DSig (ECDSA-SHA256 or RSA-SHA256 after the key's type, exclusive c14n) with two
 * References — the document (URI="", enveloped-signature + exclusive c14n) and the xades:SignedProperties
 * (Type ".../01903#SignedProperties") — KeyInfo/X509Data, and a ds:Object holding
 * xades:QualifyingProperties: SigningTime, SigningCertificateV2 (SHA-256 of the certificate) and a
 * DataObjectFormat for the document. The XSD constrains only the XML-DSig core (ds:Object is lax).
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  sign as cryptoSign,
  verify as cryptoVerify,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import { XMLValidator } from 'fast-xml-parser';
import { SignedXml } from 'xml-crypto';

export const SEGNATURA_NAMESPACE = 'http://www.agid.gov.it/protocollo/';
export const XMLDSIG_NAMESPACE = 'http://www.w3.org/2000/09/xmldsig#';
export const SEGNATURA_VERSION = '3.0.0';
/** NumeroRegistrazioneType is `[0-9]{7,}`; DPR 445/2000 art. 57: at least seven digits. */
export const REGISTRATION_NUMBER_MIN_DIGITS = 7;

const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
/** RFC 6931 §2.3.6: the value is r || s (IEEE P1363), not DER. */
const ECDSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
export const XADES_NAMESPACE = 'http://uri.etsi.org/01903/v1.3.2#';
const SIGNED_PROPERTIES_TYPE = 'http://uri.etsi.org/01903#SignedProperties';
/** The Ids the signature's parts refer to each other by (one signature per document). */
const SIGNATURE_ID = 'segnatura-firma';
const DOCUMENT_REFERENCE_ID = 'segnatura-documento';
const SIGNED_PROPERTIES_ID = 'segnatura-proprieta-firmate';

export interface SegnaturaRecipient {
  /** Denominazione (DenominazioneAmministrazione for an administration). */
  name: string;
  /** PEC address, written as IndirizzoTelematico tipo="smtp". */
  pec: string;
  /**
   * Numeric fiscal code of the entity (11 digits, the XSD's `PartitaIVA` type): CFAmministrazione for an
   * administration, PIVAoCF for a legal person. A 16-character personal fiscal code does not fit and is
   * rejected.
   */
  fiscalCode?: string;
  /**
   * IPA code of the administration (e.g. a contracting authority registered in IPA). When present the
   * recipient is written as `Amministrazione` (CodiceIPAAmministrazione is required there); otherwise
   * as `PersonaGiuridica`.
   */
  ipaCode?: string;
}

export interface SegnaturaInput {
  /** The administration (IPA code and name), e.g. { code: 'anac', name: 'Autorità Nazionale Anticorruzione' }. */
  administration: { code: string; name: string; fiscalCode?: string };
  /** The sending AOO (the regional section): IPA code, name, PEC address. */
  aoo: { code: string; name: string; pec: string };
  /** CodiceRegistro, `[A-Za-z0-9_.-]{1,16}`, e.g. 'REG_UFFICIALE' or 'PROTOCOLLO'. */
  register: { code: string };
  /** Progressive number in the register (≥ 1); written zero-padded to at least 7 digits. */
  number: number;
  /** DataRegistrazione, YYYY-MM-DD. */
  date: string;
  /**
   * Only 'U' (uscita) can be written: the segnatura is produced by the sending AOO, which is the
   * Mittente. An incoming registration ('E') keeps the sender's segnatura; building one is refused.
   */
  direction: 'U' | 'E';
  /** Oggetto. */
  subject: string;
  /**
   * Classifica (required by the XSD): the titolario entry, written as Denominazione + CodiceFlat,
   * e.g. { code: '6.3', name: 'Vigilanza sui contratti pubblici' }.
   */
  classification: { code: string; name: string };
  recipients: SegnaturaRecipient[];
  /** DocumentoPrimario: file name, MIME type and SHA-256 digest of the file (base64). */
  document: { fileName: string; mimeType: string; sha256Base64: string; description?: string };
  /** The XAdES SigningTime (the registration's instant); the signing moment when absent. */
  signingTime?: Date;
}

export interface SegnaturaSigningKey {
  privateKeyPem: string;
  certificatePem: string;
}

/** `1228` → `'0001228'`. */
export function formatRegistrationNumber(n: number): string {
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new RangeError(`registration number must be a positive integer, got ${n}`);
  }
  return String(n).padStart(REGISTRATION_NUMBER_MIN_DIGITS, '0');
}

/** The SHA-256 of some bytes as the Impronta wants it (base64 of the 32-byte digest). */
export function sha256Base64(content: Uint8Array | string): string {
  return createHash('sha256').update(content).digest('base64');
}

/**
 * The unsigned `SegnaturaInformatica` document (UTF-8, with XML declaration). Throws a RangeError when
 * the input cannot be written as a document valid against the 3.0.0 schema.
 */
export function buildSegnatura(input: SegnaturaInput): string {
  if (input.direction !== 'U') {
    throw new RangeError(
      "a segnatura is produced by the sending AOO: only outgoing registrations (direction 'U') have one",
    );
  }
  const registerCode = input.register.code;
  if (!/^[A-Za-z0-9_.-]{1,16}$/.test(registerCode)) {
    throw new RangeError(
      `register code must match [A-Za-z0-9_.-]{1,16}, got ${JSON.stringify(registerCode)}`,
    );
  }
  checkDate(input.date);
  if (input.recipients.length === 0) throw new RangeError('a segnatura needs at least one recipient');
  checkSha256(input.document.sha256Base64);
  const adminCf = input.administration.fiscalCode;
  if (adminCf !== undefined) checkEntityFiscalCode(adminCf, 'administration.fiscalCode');

  const adminName = required(input.administration.name, 'administration.name');
  const adminCode = required(input.administration.code, 'administration.code');
  const aooName = required(input.aoo.name, 'aoo.name');
  const aooCode = required(input.aoo.code, 'aoo.code');
  const out: string[] = [];
  out.push(
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<prot:SegnaturaInformatica xmlns:prot="${SEGNATURA_NAMESPACE}" prot:lang="it" prot:versione="${SEGNATURA_VERSION}">`,
    '  <prot:Intestazione>',
    '    <prot:Identificatore>',
    `      <prot:CodiceAmministrazione prot:descrizione="${attr(adminName)}">${text(adminCode)}</prot:CodiceAmministrazione>`,
    `      <prot:CodiceAOO prot:descrizione="${attr(aooName)}">${text(aooCode)}</prot:CodiceAOO>`,
    `      <prot:CodiceRegistro>${registerCode}</prot:CodiceRegistro>`,
    `      <prot:NumeroRegistrazione>${formatRegistrationNumber(input.number)}</prot:NumeroRegistrazione>`,
    `      <prot:DataRegistrazione>${input.date}</prot:DataRegistrazione>`,
    '    </prot:Identificatore>',
    `    <prot:Oggetto>${text(required(input.subject, 'subject'))}</prot:Oggetto>`,
    '    <prot:Classifica>',
    `      <prot:Denominazione>${text(required(input.classification.name, 'classification.name'))}</prot:Denominazione>`,
    `      <prot:CodiceFlat>${text(required(input.classification.code, 'classification.code'))}</prot:CodiceFlat>`,
    '    </prot:Classifica>',
    '  </prot:Intestazione>',
    '  <prot:Descrizione>',
    '    <prot:Mittente>',
    '      <prot:Amministrazione>',
    `        <prot:DenominazioneAmministrazione>${text(adminName)}</prot:DenominazioneAmministrazione>`,
  );
  if (adminCf !== undefined) out.push(`        <prot:CFAmministrazione>${adminCf}</prot:CFAmministrazione>`);
  out.push(
    `        <prot:CodiceIPAAmministrazione>${text(adminCode)}</prot:CodiceIPAAmministrazione>`,
    `        <prot:CodiceIPAAOO prot:descrizione="${attr(aooName)}">${text(aooCode)}</prot:CodiceIPAAOO>`,
    `        <prot:ContattiAOO>${pecAddress(input.aoo.pec, 'aoo.pec')}</prot:ContattiAOO>`,
    '      </prot:Amministrazione>',
    '    </prot:Mittente>',
  );
  input.recipients.forEach((r, i) => out.push(destinatario(r, `recipients[${i}]`)));
  const doc = input.document;
  out.push(
    `    <prot:DocumentoPrimario prot:mimeType="${attr(required(doc.mimeType, 'document.mimeType'))}" prot:nomeFile="${attr(required(doc.fileName, 'document.fileName'))}">`,
  );
  if (doc.description !== undefined) {
    out.push(`      <prot:Descrizione>${text(doc.description)}</prot:Descrizione>`);
  }
  out.push(
    `      <prot:Impronta prot:algoritmo="SHA-256">${doc.sha256Base64}</prot:Impronta>`,
    '    </prot:DocumentoPrimario>',
    '  </prot:Descrizione>',
    '</prot:SegnaturaInformatica>',
  );
  return out.join('\n') + '\n';
}

function destinatario(r: SegnaturaRecipient, path: string): string {
  const name = text(required(r.name, `${path}.name`));
  if (r.fiscalCode !== undefined) checkEntityFiscalCode(r.fiscalCode, `${path}.fiscalCode`);
  const contacts = pecAddress(r.pec, `${path}.pec`);
  const lines = ['    <prot:Destinatario>'];
  if (r.ipaCode !== undefined) {
    lines.push(
      '      <prot:Amministrazione>',
      `        <prot:DenominazioneAmministrazione>${name}</prot:DenominazioneAmministrazione>`,
    );
    if (r.fiscalCode !== undefined)
      lines.push(`        <prot:CFAmministrazione>${r.fiscalCode}</prot:CFAmministrazione>`);
    lines.push(
      `        <prot:CodiceIPAAmministrazione>${text(required(r.ipaCode, `${path}.ipaCode`))}</prot:CodiceIPAAmministrazione>`,
      `        <prot:ContattiAmministrazione>${contacts}</prot:ContattiAmministrazione>`,
      '      </prot:Amministrazione>',
    );
  } else {
    lines.push('      <prot:PersonaGiuridica>', `        <prot:Denominazione>${name}</prot:Denominazione>`);
    if (r.fiscalCode !== undefined) lines.push(`        <prot:PIVAoCF>${r.fiscalCode}</prot:PIVAoCF>`);
    lines.push(
      `        <prot:ContattiPersonaGiuridica>${contacts}</prot:ContattiPersonaGiuridica>`,
      '      </prot:PersonaGiuridica>',
    );
  }
  lines.push('    </prot:Destinatario>');
  return lines.join('\n');
}

function pecAddress(pec: string, path: string): string {
  const address = required(pec, path);
  if (!/^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/.test(address)) {
    throw new RangeError(`${path} is not an e-mail address: ${JSON.stringify(pec)}`);
  }
  return `<prot:IndirizzoTelematico prot:tipo="smtp">${text(address)}</prot:IndirizzoTelematico>`;
}

/**
 * Adds the XAdES baseline-B enveloped signature as the last child of SegnaturaInformatica (where the XSD
 * wants ds:Signature): SignedInfo (exclusive c14n) with a Reference to the whole document (URI="",
 * enveloped-signature and exclusive c14n transforms, SHA-256) and a Reference to the
 * xades:SignedProperties (exclusive c14n, SHA-256); SignatureValue; KeyInfo/X509Data with the
 * certificate; ds:Object/xades:QualifyingProperties with SigningTime, SigningCertificateV2 and the
 * document's DataObjectFormat.
 *
 * No XML parsing: buildSegnatura writes the document already in its exclusive-c14n form (namespace
 * declaration only on the root, attributes in canonical order, canonical escaping, no empty-element
 * tags), so the document's digest is the SHA-256 of the root element's text; SignedInfo and
 * SignedProperties are written here in their canonical form too (three SHA-256 and one signature, no
 * generic XML-DSig library in the counter's lock). The tests check every signature with xml-crypto's
 * independent canonicalisation (verifySegnatura) and with xmlsec1.
 */
export function signSegnatura(
  xml: string,
  key: SegnaturaSigningKey | PreparedSigningKey,
  signingTime: Date = new Date(),
): string {
  const prepared = 'privateKey' in key ? key : prepareSigningKey(key);
  const root = rootOf(xml);
  if (root !== 'prot:SegnaturaInformatica') {
    throw new RangeError('not a SegnaturaInformatica document in the AgID protocol namespace');
  }
  if (signatureStartTags(xml).length > 0) throw new RangeError('the segnatura is already signed');
  const start = xml.indexOf('<prot:SegnaturaInformatica');
  const close = '</prot:SegnaturaInformatica>';
  const end = xml.lastIndexOf(close);
  if (end < 0 || xml.slice(end + close.length).trim() !== '')
    throw new RangeError('the document does not end with its root');
  const element = xml.slice(start, end + close.length);
  // Attribute values (always "…" in canonical form, no raw quote inside) may hold "/>": checked apart.
  if (
    !CANONICAL_SHAPE.test(element.replace(/="[^"]*"/g, '="v"')) ||
    /="[^"]*&(?!(?:amp|lt|quot|#x9|#xA|#xD);)/.test(element)
  )
    throw new RangeError('the document is not in the canonical form buildSegnatura writes');
  const digest = createHash('sha256').update(element, 'utf8').digest('base64');
  if (Number.isNaN(signingTime.getTime())) throw new RangeError('signingTime is not a valid date');
  // Canonical (exclusive c14n) on its own: the xades prefix is declared on the apex, ds on each element
  // that uses it (their parents do not).
  const dsNs = ` xmlns:ds="${XMLDSIG_NAMESPACE}"`;
  const signedProperties =
    `<xades:SignedProperties xmlns:xades="${XADES_NAMESPACE}" Id="${SIGNED_PROPERTIES_ID}">` +
    `<xades:SignedSignatureProperties><xades:SigningTime>${signingTime.toISOString().slice(0, 19)}Z</xades:SigningTime>` +
    `<xades:SigningCertificateV2><xades:Cert><xades:CertDigest><ds:DigestMethod${dsNs} Algorithm="${SHA256}"></ds:DigestMethod>` +
    `<ds:DigestValue${dsNs}>${prepared.certificateSha256Base64}</ds:DigestValue></xades:CertDigest></xades:Cert>` +
    `</xades:SigningCertificateV2></xades:SignedSignatureProperties><xades:SignedDataObjectProperties>` +
    `<xades:DataObjectFormat ObjectReference="#${DOCUMENT_REFERENCE_ID}"><xades:MimeType>text/xml</xades:MimeType>` +
    `</xades:DataObjectFormat></xades:SignedDataObjectProperties></xades:SignedProperties>`;
  const propertiesDigest = createHash('sha256').update(signedProperties, 'utf8').digest('base64');
  const signedInfo = (ns: string) =>
    `<ds:SignedInfo${ns}><ds:CanonicalizationMethod Algorithm="${EXC_C14N}"></ds:CanonicalizationMethod>` +
    `<ds:SignatureMethod Algorithm="${prepared.algorithm}"></ds:SignatureMethod>` +
    `<ds:Reference Id="${DOCUMENT_REFERENCE_ID}" URI=""><ds:Transforms>` +
    `<ds:Transform Algorithm="${ENVELOPED}"></ds:Transform><ds:Transform Algorithm="${EXC_C14N}"></ds:Transform>` +
    `</ds:Transforms><ds:DigestMethod Algorithm="${SHA256}"></ds:DigestMethod><ds:DigestValue>${digest}</ds:DigestValue>` +
    `</ds:Reference><ds:Reference Type="${SIGNED_PROPERTIES_TYPE}" URI="#${SIGNED_PROPERTIES_ID}"><ds:Transforms>` +
    `<ds:Transform Algorithm="${EXC_C14N}"></ds:Transform></ds:Transforms><ds:DigestMethod Algorithm="${SHA256}"></ds:DigestMethod>` +
    `<ds:DigestValue>${propertiesDigest}</ds:DigestValue></ds:Reference></ds:SignedInfo>`;
  // Canonicalised on its own, SignedInfo carries the ds namespace its ancestor declares.
  const value = cryptoSign('sha256', Buffer.from(signedInfo(dsNs), 'utf8'), {
    key: prepared.privateKey,
    dsaEncoding: 'ieee-p1363',
  });
  const signature =
    `<ds:Signature xmlns:ds="${XMLDSIG_NAMESPACE}" Id="${SIGNATURE_ID}">${signedInfo('')}<ds:SignatureValue>${value.toString('base64')}</ds:SignatureValue>` +
    `<ds:KeyInfo><ds:X509Data><ds:X509Certificate>${prepared.certificateBase64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>` +
    `<ds:Object><xades:QualifyingProperties xmlns:xades="${XADES_NAMESPACE}" Target="#${SIGNATURE_ID}">${signedProperties}` +
    `</xades:QualifyingProperties></ds:Object></ds:Signature>`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${element.slice(0, -close.length)}${signature}${close}\n`;
}

/** Only what buildSegnatura writes: no comments, PIs, CDATA, references other than the canonical ones, or empty-element tags. */
const CANONICAL_SHAPE =
  /^<prot:SegnaturaInformatica xmlns:prot="[^"]+"(?:(?!<!|<\?|\/>|&(?!(?:amp|lt|gt|quot|#xD|#x9|#xA);))[\s\S])*$/;

/** The key parsed once (PEM parsing costs more than the signature). */
export interface PreparedSigningKey {
  privateKey: KeyObject;
  certificateBase64: string;
  /** SigningCertificateV2's CertDigest: SHA-256 of the certificate (DER). */
  certificateSha256Base64: string;
  /** SignatureMethod: ECDSA-SHA256 for an EC key, RSA-SHA256 for an RSA key. */
  algorithm: typeof ECDSA_SHA256 | typeof RSA_SHA256;
}

export function prepareSigningKey(key: SegnaturaSigningKey): PreparedSigningKey {
  const privateKey = createPrivateKey(key.privateKeyPem);
  const der = new X509Certificate(key.certificatePem).raw;
  return {
    privateKey,
    certificateBase64: der.toString('base64'),
    certificateSha256Base64: createHash('sha256').update(der).digest('base64'),
    algorithm: signatureMethodOf(privateKey),
  };
}

function signatureMethodOf(key: KeyObject): PreparedSigningKey['algorithm'] {
  if (key.asymmetricKeyType === 'ec') return ECDSA_SHA256;
  if (key.asymmetricKeyType === 'rsa') return RSA_SHA256;
  throw new RangeError(
    `the segnatura key must be an EC or RSA key, not ${key.asymmetricKeyType ?? 'unknown'}`,
  );
}

/** xml-crypto has no ECDSA: the verifier for RFC 6931's ecdsa-sha256 (P1363 signature value). */
class EcdsaSha256 {
  getAlgorithmName = () => ECDSA_SHA256;
  getSignature = (): never => {
    throw new Error('verification only');
  };
  verifySignature = (material: string, key: KeyLike, signatureValue: string): boolean =>
    cryptoVerify(
      'sha256',
      Buffer.from(material, 'utf8'),
      {
        key: typeof key === 'string' || Buffer.isBuffer(key) ? createPublicKey(key) : key,
        dsaEncoding: 'ieee-p1363',
      },
      Buffer.from(signatureValue, 'base64'),
    );
}
type KeyLike = string | Buffer | KeyObject;

/**
 * The adapter for the services' `SegnaturaSigner` port (services/notices/ports.ts), whose input has no
 * classification: the XSD requires Classifica, so the wiring supplies the titolario entry under which
 * these letters are filed (from configuration), and the key of the AOO (see signing-key.ts).
 */
export function createSegnaturaSigner(options: {
  key: SegnaturaSigningKey;
  classification: SegnaturaInput['classification'];
}): { sign(input: Omit<SegnaturaInput, 'classification'>): string } {
  const key = prepareSigningKey(options.key);
  return {
    sign: (input) =>
      signSegnatura(
        buildSegnatura({ ...input, classification: options.classification }),
        key,
        input.signingTime,
      ),
  };
}

/**
 * True when `signedXml` is a segnatura signed as signSegnatura signs it, by the key of `certificatePem`
 * (the KeyInfo in the document is ignored: the caller says which certificate it trusts), and nothing
 * outside the signature was changed. False for anything else, never throws. Required shape: exactly one
 * ds:Signature, the last child of SegnaturaInformatica, declaring the ds namespace itself; the key's
 * algorithm; exactly two References: URI="" (enveloped-signature + exclusive c14n, SHA-256) and the
 * XAdES SignedProperties (exclusive c14n, SHA-256) with a SigningTime and a SigningCertificateV2 whose
 * digest is that of `certificatePem`. Documents with
 * a DOCTYPE, comments or CDATA sections are refused (comments are outside a URI="" digest).
 */
export function verifySegnatura(signedXml: string, certificatePem: string): boolean {
  try {
    if (XMLValidator.validate(signedXml) !== true) return false;
    if (/<!/.test(signedXml)) return false;
    const root = rootOf(signedXml);
    if (root === undefined) return false;
    const starts = signatureStartTags(signedXml);
    const start = starts[0];
    if (starts.length !== 1 || start === undefined) return false;
    const { prefix, index, tag } = start;
    const qname = prefix === '' ? 'Signature' : `${prefix}:Signature`;
    const nsAttr = prefix === '' ? 'xmlns' : `xmlns:${prefix}`;
    if (!new RegExp(`\\s${escapeRe(nsAttr)}\\s*=\\s*(["'])${escapeRe(XMLDSIG_NAMESPACE)}\\1`).test(tag)) {
      return false;
    }
    const close = `</${qname}>`;
    const end = signedXml.indexOf(close, index);
    if (end < 0 || signedXml.indexOf(close, end + 1) >= 0) return false;
    const after = signedXml.slice(end + close.length);
    if (!new RegExp(`^\\s*</${escapeRe(root)}\\s*>\\s*$`).test(after)) return false;

    const expected = signatureMethodOf(new X509Certificate(certificatePem).publicKey);
    const sig = new SignedXml({ publicCert: certificatePem });
    (sig.SignatureAlgorithms as Record<string, unknown>)[ECDSA_SHA256] = EcdsaSha256;
    sig.loadSignature(signedXml.slice(index, end + close.length));
    if (sig.signatureAlgorithm !== expected || sig.canonicalizationAlgorithm !== EXC_C14N) return false;
    const refs = sig.getReferences();
    const [ref, properties] = refs;
    if (refs.length !== 2 || ref === undefined || properties === undefined) return false;
    if (ref.uri !== '' || ref.digestAlgorithm !== SHA256) return false;
    if (ref.transforms.length !== 2 || ref.transforms[0] !== ENVELOPED || ref.transforms[1] !== EXC_C14N) {
      return false;
    }
    // XAdES baseline B: the second Reference signs the SignedProperties, which name this certificate.
    if (
      properties.uri !== `#${SIGNED_PROPERTIES_ID}` ||
      // (xml-crypto does not load a Reference's Type: read from the signed SignedInfo itself)
      !new RegExp(
        `<(?:[A-Za-z_][\\w.-]*:)?Reference\\s+Type="${escapeRe(SIGNED_PROPERTIES_TYPE)}"\\s+URI="#${SIGNED_PROPERTIES_ID}"`,
      ).test(signedXml.slice(index, end)) ||
      properties.digestAlgorithm !== SHA256 ||
      properties.transforms.length !== 1 ||
      properties.transforms[0] !== EXC_C14N
    )
      return false;
    const certDigest = createHash('sha256').update(new X509Certificate(certificatePem).raw).digest('base64');
    const signedProperties = new RegExp(
      `<xades:SignedProperties xmlns:xades="${escapeRe(XADES_NAMESPACE)}" Id="${SIGNED_PROPERTIES_ID}">[\\s\\S]*?</xades:SignedProperties>`,
    ).exec(signedXml)?.[0];
    if (
      signedProperties === undefined ||
      !/<xades:SigningTime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z<\/xades:SigningTime>/.test(
        signedProperties,
      ) ||
      !signedProperties.includes(`<xades:SigningCertificateV2><xades:Cert><xades:CertDigest>`) ||
      !signedProperties.includes(`>${certDigest}</ds:DigestValue>`)
    )
      return false;
    return sig.checkSignature(signedXml) === true;
  } catch {
    return false;
  }
}

/** The qualified name of the root when it is SegnaturaInformatica in the protocol namespace. */
function rootOf(xml: string): string | undefined {
  const m =
    /^(?:\uFEFF)?(?:<\?xml[^>]*\?>)?\s*<(?:([A-Za-z_][\w.-]*):)?SegnaturaInformatica((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*>/.exec(
      xml,
    );
  if (m === null) return undefined;
  const prefix = m[1] ?? '';
  const nsAttr = prefix === '' ? 'xmlns' : `xmlns:${prefix}`;
  const declared = new RegExp(`\\s${escapeRe(nsAttr)}\\s*=\\s*(["'])${escapeRe(SEGNATURA_NAMESPACE)}\\1`);
  if (!declared.test(m[2] ?? '')) return undefined;
  return prefix === '' ? 'SegnaturaInformatica' : `${prefix}:SegnaturaInformatica`;
}

/** Every start tag named Signature, whatever its prefix (markup only: text cannot contain `<`). */
function signatureStartTags(xml: string): { prefix: string; index: number; tag: string }[] {
  const re = /<(?:([A-Za-z_][\w.-]*):)?Signature(?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*\/?>/g;
  return [...xml.matchAll(re)].map((m) => ({ prefix: m[1] ?? '', index: m.index, tag: m[0] }));
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function required(value: string, path: string): string {
  if (value.trim() === '') throw new RangeError(`${path} must not be empty`);
  return value;
}

function checkDate(date: string): void {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
  if (d === undefined || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== date) {
    throw new RangeError(`date must be a calendar date YYYY-MM-DD, got ${JSON.stringify(date)}`);
  }
}

function checkSha256(b64: string): void {
  if (!/^[A-Za-z0-9+/]{43}=$/.test(b64) || Buffer.from(b64, 'base64').length !== 32) {
    throw new RangeError(`document.sha256Base64 must be the base64 of a 32-byte SHA-256 digest, got ${b64}`);
  }
}

function checkEntityFiscalCode(cf: string, path: string): void {
  if (!/^[0-9]{11}$/.test(cf)) {
    throw new RangeError(
      `${path} must be the 11-digit fiscal code of an entity (the XSD's PartitaIVA type), got ${JSON.stringify(cf)}`,
    );
  }
}

// XML 1.0 Char production, minus what cannot appear at all.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/**
 * NEL (U+0085) and LINE SEPARATOR (U+2028) are ordinary characters in XML 1.0 but line ends in XML 1.1,
 * and some parsers (xmldom, under xml-crypto) turn them into \n, so a verifier would digest other text:
 * they are written as a plain space. (The property test in segnatura.test.ts found this.)
 */
const XML11_LINE_ENDS = /[\u0085\u2028]/g;

/** Escapes text content; a carriage return is written as a reference so parsing does not turn it into \n. */
function text(value: string): string {
  if (NOT_XML_CHAR.test(value)) throw new RangeError(`text contains a character XML 1.0 cannot carry`);
  return value
    .replace(XML11_LINE_ENDS, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#xD;');
}

/**
 * Escapes an attribute value as exclusive c14n writes it (so the document is its own canonical form),
 * including the whitespace attribute-value normalisation would flatten; `>` and `'` stay as they are.
 */
function attr(value: string): string {
  if (NOT_XML_CHAR.test(value)) throw new RangeError(`text contains a character XML 1.0 cannot carry`);
  return value
    .replace(XML11_LINE_ENDS, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#x9;')
    .replace(/\n/g, '&#xA;')
    .replace(/\r/g, '&#xD;');
}

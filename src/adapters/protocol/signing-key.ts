/**
 * The key and certificate that sign the segnatura di protocollo.
 *
 * PRODUCTION: the key and the certificate are the AOO's own — issued by its signing infrastructure (an
 * electronic seal / signature certificate of the administration, typically held by the AOO's qualified
 * trust service provider or HSM) — and are read from a directory given in configuration (the deployment
 * puts `segnatura-key.pem` and `segnatura-cert.pem` there). The self-signed certificate this module
 * creates when the files are missing is for development, tests and the sandbox only: a receiving AOO
 * cannot chain it to any trusted authority. Several processes on one database share one such pair
 * through the database (seal.ts).
 *
 * The certificate is a real X.509 v3 certificate (KeyInfo carries ds:X509Data/ds:X509Certificate):
 * Node has no certificate builder, so a minimal DER encoder writes the TBSCertificate (subject = issuer
 * = C=IT, O=<name>, CN=<aoo>; validity 10 years; the public key; basicConstraints cA=false and
 * keyUsage digitalSignature + nonRepudiation, both critical) and signs it through node:crypto.
 *
 * The key created here is ECDSA P-256 (a segnatura signature costs ~0.07 ms against ~1.2 ms with
 * RSA-2048 on the CI machine, and registrations are signed while the register's counter is locked);
 * an AOO's own RSA seal works as well (segnatura.ts picks the algorithm from the key).
 */
import { X509Certificate, createPrivateKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import {
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { SegnaturaSigningKey } from './segnatura.js';

export const SIGNING_KEY_FILE = 'segnatura-key.pem';
export const SIGNING_CERT_FILE = 'segnatura-cert.pem';
export const CERTIFICATE_VALIDITY_YEARS = 10;

/**
 * Reads `segnatura-key.pem` (PKCS#8) and `segnatura-cert.pem` from `dir`, or, when neither exists,
 * creates an ECDSA P-256 key and a self-signed certificate for `subject` and writes them there (mode
 * 0600, the directory created 0700). Each file appears atomically (written aside, then hard-linked into
 * place without overwriting), so concurrent first uses end with one key: the loser reads the winner's.
 * Throws when only one of the two files exists or they do not belong together.
 */
export function loadOrCreateSigningKey(
  dir: string,
  subject: { aoo: string; name: string },
): SegnaturaSigningKey {
  const keyPath = join(dir, SIGNING_KEY_FILE);
  const certPath = join(dir, SIGNING_CERT_FILE);
  if (!existsSync(keyPath) && !existsSync(certPath)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const created = createSelfSignedSigningKey(subject);
    if (publish(keyPath, created.privateKeyPem)) {
      if (!publish(certPath, created.certificatePem)) {
        throw new Error(`${certPath} appeared while ${keyPath} was being created: remove both and retry`);
      }
      return created;
    }
  }
  // Another process may be creating them right now: give it a moment to publish the certificate.
  const deadline = Date.now() + 1_000;
  while (existsSync(keyPath) !== existsSync(certPath) && Date.now() < deadline) sleepMs(20);
  return readPair(dir, keyPath, certPath);
}

function readPair(dir: string, keyPath: string, certPath: string): SegnaturaSigningKey {
  if (!existsSync(keyPath) || !existsSync(certPath)) {
    throw new Error(`${dir} holds only one of ${SIGNING_KEY_FILE} and ${SIGNING_CERT_FILE}`);
  }
  const loaded = {
    privateKeyPem: readFileSync(keyPath, 'utf8'),
    certificatePem: readFileSync(certPath, 'utf8'),
  };
  const cert = new X509Certificate(loaded.certificatePem);
  if (!cert.checkPrivateKey(createPrivateKey(loaded.privateKeyPem))) {
    throw new Error(`${certPath} does not certify the key in ${keyPath}`);
  }
  return loaded;
}

/**
 * True when `key` is a self-signed pair this module created for `subject` (issuer = subject = C=IT,
 * O=<name>, CN=<aoo>, signed by its own key): gara's default, not an operator's seal.
 */
export function isSelfSignedDefault(
  key: SegnaturaSigningKey,
  subject: { aoo: string; name: string },
): boolean {
  const cert = new X509Certificate(key.certificatePem);
  const expected = `C=IT\nO=${subject.name}\nCN=${subject.aoo}`;
  return cert.subject === expected && cert.issuer === expected && cert.verify(cert.publicKey);
}

/**
 * Puts `key` in `dir` in place of the pair there (if any, and if different): each file is written aside
 * and renamed into place; a replaced pair is kept beside as `*.superseded-<time>` (documents it signed
 * stay checkable with `--cert`).
 */
export function replaceSigningKey(dir: string, key: SegnaturaSigningKey, now: Date = new Date()): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const suffix = `superseded-${now.toISOString().replace(/[:.]/g, '-')}`;
  for (const [file, content] of [
    [SIGNING_KEY_FILE, key.privateKeyPem],
    [SIGNING_CERT_FILE, key.certificatePem],
  ] as const) {
    const path = join(dir, file);
    if (existsSync(path)) {
      if (readFileSync(path, 'utf8') === content) continue;
      try {
        linkSync(path, `${path}.${suffix}`);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
    const aside = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    writeFileSync(aside, content, { mode: 0o600, flag: 'wx' });
    renameSync(aside, path);
  }
}

/** A fresh key (PKCS#8 PEM; P-256 unless RSA-2048 is asked for) and a self-signed X.509 v3 certificate for it (PEM). */
export function createSelfSignedSigningKey(
  subject: { aoo: string; name: string },
  now: Date = new Date(),
  type: 'ec' | 'rsa' = 'ec',
): SegnaturaSigningKey {
  const { privateKey, publicKey } =
    type === 'ec'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const notAfter = new Date(notBefore);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + CERTIFICATE_VALIDITY_YEARS);
  const name = seq(
    set(seq(oid('2.5.4.6'), der(0x13, Buffer.from('IT', 'ascii')))),
    set(seq(oid('2.5.4.10'), utf8(subject.name))),
    set(seq(oid('2.5.4.3'), utf8(subject.aoo))),
  );
  // RFC 5758 §3.2: ecdsa-with-SHA256 has no parameters; RFC 4055: sha256WithRSAEncryption has NULL.
  const signatureAlgorithm =
    type === 'ec'
      ? seq(oid('1.2.840.10045.4.3.2'))
      : seq(oid('1.2.840.113549.1.1.11'), Buffer.from([0x05, 0x00]));
  const serial = randomBytes(16);
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x40; // positive, 16 significant bytes
  const extensions = seq(
    // basicConstraints, critical: SEQUENCE {} (cA defaults to FALSE)
    seq(oid('2.5.29.19'), BOOLEAN_TRUE, der(0x04, seq())),
    // keyUsage, critical: digitalSignature (0) + nonRepudiation (1) → BIT STRING 06 C0
    seq(oid('2.5.29.15'), BOOLEAN_TRUE, der(0x04, der(0x03, Buffer.from([0x06, 0xc0])))),
  );
  const tbs = seq(
    der(0xa0, integer(Buffer.from([2]))), // version v3
    integer(serial),
    signatureAlgorithm,
    name,
    seq(time(notBefore), time(notAfter)),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    der(0xa3, extensions),
  );
  const signature = sign('sha256', tbs, privateKey); // DER-encoded for ECDSA, as X.509 wants
  const certificate = seq(tbs, signatureAlgorithm, der(0x03, Buffer.concat([Buffer.from([0]), signature])));
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    certificatePem: pem('CERTIFICATE', certificate),
  };
}

/** Writes `content` to `path` (0600) unless `path` exists; false when it did. */
function publish(path: string, content: string): boolean {
  const aside = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(aside, content, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(aside, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    unlinkSync(aside);
  }
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

// --- minimal DER ---------------------------------------------------------------------------------

const BOOLEAN_TRUE = Buffer.from([0x01, 0x01, 0xff]);

function der(tag: number, content: Buffer): Buffer {
  const n = content.length;
  let length: Buffer;
  if (n < 0x80) {
    length = Buffer.from([n]);
  } else {
    const bytes: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
    length = Buffer.from([0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([Buffer.from([tag]), length, content]);
}

function seq(...parts: Buffer[]): Buffer {
  return der(0x30, Buffer.concat(parts));
}

function set(...parts: Buffer[]): Buffer {
  return der(0x31, Buffer.concat(parts));
}

/** A non-negative INTEGER from big-endian magnitude bytes. */
function integer(magnitude: Buffer): Buffer {
  let i = 0;
  while (i < magnitude.length - 1 && magnitude[i] === 0) i++;
  const bytes = magnitude.subarray(i);
  return der(0x02, (bytes[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const [first = 0, second = 0, ...rest] = arcs;
  const out: number[] = [];
  for (const arc of [40 * first + second, ...rest]) {
    const base128: number[] = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) base128.unshift(0x80 | (v & 0x7f));
    out.push(...base128);
  }
  return der(0x06, Buffer.from(out));
}

function utf8(value: string): Buffer {
  return der(0x0c, Buffer.from(value, 'utf8'));
}

/** UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5). */
function time(d: Date): Buffer {
  const iso = d.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '') + 'Z';
  return d.getUTCFullYear() < 2050
    ? der(0x17, Buffer.from(digits.slice(2), 'ascii'))
    : der(0x18, Buffer.from(digits, 'ascii'));
}

function pem(label: string, body: Buffer): string {
  const lines = body.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

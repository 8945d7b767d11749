/**
 * gara's seal: the one key pair that signs the segnatura and the downtime certificates, and which of
 * them this process uses (docs/decisions.md, "One seal per database"):
 *
 * 1. SEGNATURA_KEY_DIR set: its files (created there when absent), as before — a configured key wins;
 * 2. else a pair in DATA_DIR/keys that is not gara's self-signed default: an operator's key, used as is;
 * 3. else the database's self-signed pair (table default_seal): the first process stores its own
 *    default pair, every other process adopts that one and copies it into DATA_DIR/keys (where
 *    `gara attestazione verify`, which needs no database, finds the certificate).
 *
 * The signers are built at start from the files (`createContainer` is synchronous about keys) and
 * switched to the database's pair by `adoptDatabaseSeal`, which `prepareDatabase` runs once the table
 * exists; the switch happens before the service takes requests.
 */
import type { SegnaturaInput, SegnaturaSigningKey } from './segnatura.js';
import { createSegnaturaSigner } from './segnatura.js';
import { isSelfSignedDefault, replaceSigningKey } from './signing-key.js';
import { createCertificateSigner } from '../certificates/certificate-signer.js';
import type { CertificateSigner } from '../../services/certificates/ports.js';
import type { SegnaturaSigner } from '../../services/notices/ports.js';

/** Subject of gara's self-signed default seal. */
export const DEFAULT_SEAL_SUBJECT = {
  aoo: 'gara',
  name: 'Sezioni regionali Osservatorio contratti pubblici',
};

/** The signers of the current seal, replaceable once (start-up) by the database's pair. */
export class Seal {
  #key!: SegnaturaSigningKey;
  #segnatura!: SegnaturaSigner;
  #certificates!: CertificateSigner;

  constructor(
    key: SegnaturaSigningKey,
    private readonly classification: SegnaturaInput['classification'],
  ) {
    this.use(key);
  }

  get key(): SegnaturaSigningKey {
    return this.#key;
  }

  use(key: SegnaturaSigningKey): void {
    this.#segnatura = createSegnaturaSigner({ key, classification: this.classification });
    this.#certificates = createCertificateSigner(key);
    this.#key = key;
  }

  /** Signs with whatever pair is current. */
  readonly segnatura: SegnaturaSigner = { sign: (input) => this.#segnatura.sign(input) };

  readonly certificates: CertificateSigner = {
    signJws: (payload) => this.#certificates.signJws(payload),
    signedPdf: (payload) => this.#certificates.signedPdf(payload),
    verifyJws: (jws) => this.#certificates.verifyJws(jws),
    verifyPdf: (pdf) => this.#certificates.verifyPdf(pdf),
  };
}

export type SealSource = 'configured' | 'operator' | 'database';

/**
 * Rules 1-3 above. `database.claim` stores the candidate if the database has no seal yet and answers
 * the database's seal. When that differs from the pair in `dir`, it replaces it there (the old pair kept
 * aside; a directory that refuses it is reported through `warn`) and in `seal`.
 */
export async function adoptDatabaseSeal(
  seal: Seal,
  options: {
    configured: boolean;
    dir: string;
    database: { claim(candidate: SegnaturaSigningKey): Promise<SegnaturaSigningKey> };
    /** Told when `dir` cannot take the database's pair (read-only): the process signs with it anyway. */
    warn?: (message: string, error: unknown) => void;
  },
): Promise<SealSource> {
  if (options.configured) return 'configured';
  if (!isSelfSignedDefault(seal.key, DEFAULT_SEAL_SUBJECT)) return 'operator';
  const shared = await options.database.claim(seal.key);
  if (shared.certificatePem !== seal.key.certificatePem || shared.privateKeyPem !== seal.key.privateKeyPem) {
    // The database's pair is what every process must sign with; the copy in `dir` only serves the CLI's
    // verification, so a directory that refuses it (mounted read-only) does not stop the service.
    try {
      replaceSigningKey(options.dir, shared);
    } catch (error) {
      options.warn?.(
        `${options.dir} cannot take the database's seal: signing with it anyway; \`gara attestazione verify\` there needs --cert`,
        error,
      );
    }
    seal.use(shared);
  }
  return 'database';
}

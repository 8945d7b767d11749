import { closeSync, constants, existsSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { Config } from '../config.js';
import { createCertificateVerifier } from '../adapters/certificates/certificate-signer.js';
import { SIGNING_CERT_FILE } from '../adapters/protocol/signing-key.js';
import { verificationMessages } from '../domain/certificates/downtime-certificate.js';
import { MAX_VERIFIED_BYTES, verifyCertificate } from '../services/certificates/verify-certificate.js';

/**
 * `gara attestazione verify FILE`: checks a downtime certificate (signed PDF or JWS) against gara's
 * signing certificate (`SEGNATURA_KEY_DIR/segnatura-cert.pem`, or `--cert`). No database needed.
 * Exit 0 valid, 1 invalid (the reason in English and Italian), 2 when the file or certificate cannot be read.
 */
export function registerCertificateCommands(
  program: Command,
  config: () => Pick<Config, 'segnaturaKeyDir'>,
): void {
  const attestazione = program
    .command('attestazione')
    .description('downtime certificates (attestazioni di disservizio)');
  attestazione
    .command('verify')
    .description(
      'verify the signature of a certificate file (PDF or JSON) against gara’s signing certificate',
    )
    .argument('<file>', 'the certificate: .pdf (PAdES) or .json (JWS)')
    .option('--cert <pem>', 'the signing certificate to trust (default: the one in SEGNATURA_KEY_DIR)')
    .action(async (file: string, options: { cert?: string }) => {
      const certPath = options.cert ?? join(config().segnaturaKeyDir, SIGNING_CERT_FILE);
      if (!existsSync(certPath)) {
        console.error(`gara: no signing certificate at ${certPath} (set SEGNATURA_KEY_DIR or pass --cert)`);
        process.exitCode = 2;
        return;
      }
      // Opened without blocking and looked at before reading: a FIFO or a device is never read (it could
      // block or never end), a file over the limit is refused from its size.
      let bytes: Buffer;
      let fd: number | undefined;
      try {
        fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
        const stat = fstatSync(fd);
        if (!stat.isFile()) {
          console.error(`gara: cannot read ${file}: not a regular file`);
          process.exitCode = 2;
          return;
        }
        if (stat.size > MAX_VERIFIED_BYTES) {
          console.error(
            `INVALID: the file is larger than ${MAX_VERIFIED_BYTES} bytes: not a gara certificate`,
          );
          console.error('NON VALIDA: il file supera i 2 MB: non è un’attestazione di gara');
          process.exitCode = 1;
          return;
        }
        bytes = readFileSync(fd);
      } catch (error) {
        console.error(`gara: cannot read ${file}: ${(error as Error).message}`);
        process.exitCode = 2;
        return;
      } finally {
        if (fd !== undefined) closeSync(fd);
      }
      const outcome = await verifyCertificate(
        { certificates: createCertificateVerifier(readFileSync(certPath, 'utf8')) },
        bytes,
      );
      if (outcome.valid) {
        console.log(`VALID - signature verified / firma valida (${outcome.format.toUpperCase()})`);
        console.log(`signer / firmatario: ${outcome.signer}`);
        if (outcome.certificateId) console.log(`certificate / attestazione: ${outcome.certificateId}`);
        return;
      }
      const message = verificationMessages[outcome.failure];
      console.error(`INVALID: ${message.en}`);
      console.error(`NON VALIDA: ${message.it}`);
      console.error(`(${outcome.detail})`);
      process.exitCode = 1;
    });
}

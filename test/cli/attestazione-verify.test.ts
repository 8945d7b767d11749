import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCertificateSigner } from '../../src/adapters/certificates/certificate-signer.js';
import {
  SIGNING_CERT_FILE,
  SIGNING_KEY_FILE,
  createSelfSignedSigningKey,
} from '../../src/adapters/protocol/signing-key.js';
import {
  certificateInstant,
  type DowntimeCertificatePayload,
} from '../../src/domain/certificates/downtime-certificate.js';

const root = new URL('../../', import.meta.url).pathname;

function gara(args: string[], env: Record<string, string>) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('gara attestazione verify', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gara-attestazione-'));
  const keys = join(dir, 'keys');
  const env = { SEGNATURA_KEY_DIR: keys };
  const file = (name: string) => join(dir, name);

  beforeAll(async () => {
    const key = createSelfSignedSigningKey({ aoo: 'gara', name: 'Sezioni regionali di prova' });
    spawnSync('mkdir', ['-p', keys]);
    writeFileSync(join(keys, SIGNING_KEY_FILE), key.privateKeyPem, { mode: 0o600 });
    writeFileSync(join(keys, SIGNING_CERT_FILE), key.certificatePem);
    const signer = createCertificateSigner(key);
    const payload: DowntimeCertificatePayload = {
      type: 'gara/downtime-certificate',
      version: 1,
      id: 'ATT-INC-2026-0042',
      subject: {
        kind: 'incident',
        id: '0b9c6f5e-8a52-4a55-9d1b-3f0a4b3c2d1e',
        code: 'INC-2026-0042',
        title: 'Servizi non disponibili',
        impact: 'major_outage',
        source: 'staff',
      },
      services: [{ code: 'portal', name: 'Portale' }],
      start: certificateInstant(new Date('2026-05-01T08:00:00Z')),
      end: certificateInstant(new Date('2026-05-01T09:00:00Z')),
      durationMinutes: 60,
      evidence: [],
      notices: [],
      issuer: { name: 'Autorità di prova', unit: 'Servizi on line' },
      issuedAt: certificateInstant(new Date('2026-05-01T09:01:00Z')),
    };
    const pdf = await signer.signedPdf(payload);
    writeFileSync(file('ok.pdf'), pdf);
    const changed = Buffer.from(pdf);
    changed[pdf.length - 40] = changed[pdf.length - 40]! ^ 0x01;
    writeFileSync(file('changed.pdf'), changed);
    const jws = await signer.signJws(payload);
    const [p, body, s] = jws.split('.');
    writeFileSync(file('ok.json'), JSON.stringify({ protected: p, payload: body, signature: s }));
    const forged = Buffer.from(body!, 'base64url')
      .toString()
      .replace('"durationMinutes":60', '"durationMinutes":6000');
    writeFileSync(file('forged.json'), `${p}.${Buffer.from(forged).toString('base64url')}.${s}`);
    writeFileSync(file('note.txt'), 'non sono un PDF');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 0 for a valid PDF or JSON certificate', () => {
    for (const name of ['ok.pdf', 'ok.json']) {
      const result = gara(['attestazione', 'verify', file(name)], env);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/^VALID - signature verified \/ firma valida/);
      expect(result.stdout).toContain('ATT-INC-2026-0042');
    }
  });

  it('exits 1 with the reason in English and Italian for a changed file, a forged JSON, a non-certificate', () => {
    const changed = gara(['attestazione', 'verify', file('changed.pdf')], env);
    expect(changed.code).toBe(1);
    expect(changed.stderr).toContain('INVALID: the document was changed after it was signed');
    expect(changed.stderr).toContain('NON VALIDA: Il documento è stato modificato dopo la firma');
    const forged = gara(['attestazione', 'verify', file('forged.json')], env);
    expect(forged.code).toBe(1);
    expect(forged.stderr).toContain('INVALID:');
    const note = gara(['attestazione', 'verify', file('note.txt')], env);
    expect(note.code).toBe(1);
    expect(note.stderr).toContain('NON VALIDA: Il file non è un PDF');
  });

  it('exits 1 when another key signed it, 2 when the file cannot be read', () => {
    const other = join(dir, 'other');
    spawnSync('mkdir', ['-p', other]);
    const key = createSelfSignedSigningKey({ aoo: 'altro', name: 'Altro ente' });
    writeFileSync(join(other, SIGNING_CERT_FILE), key.certificatePem);
    const stranger = gara(
      ['attestazione', 'verify', '--cert', join(other, SIGNING_CERT_FILE), file('ok.pdf')],
      env,
    );
    expect(stranger.code).toBe(1);
    expect(stranger.stderr).toContain('NON VALIDA: La firma non è di gara');
    expect(gara(['attestazione', 'verify', file('missing.pdf')], env).code).toBe(2);
  });
});

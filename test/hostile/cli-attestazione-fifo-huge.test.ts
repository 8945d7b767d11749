import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNING_CERT_FILE, createSelfSignedSigningKey } from '../../src/adapters/protocol/signing-key.js';

/**
 * Hostile pass (issue 14.3): `gara attestazione verify FILE` read the whole FILE (readFileSync) before
 * looking at what it is. A FIFO with no writer (`mkfifo f; gara attestazione verify f`) hung forever,
 * `/dev/zero` read until memory ran out, and a 3 GB sparse file was read whole (or refused by Node with
 * ERR_FS_FILE_TOO_LARGE) only to be refused as over 2 MB. Now: not a regular file → exit 2 at once;
 * over 2 MB → exit 1 without reading it.
 */
const root = new URL('../../', import.meta.url).pathname;

function gara(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; stderr: string; ms: number }>((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, ms: Date.now() - started });
    });
  });
}

describe('gara attestazione verify on a FIFO, a device, a directory, a huge file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gara-attestazione-hostile-'));
  const env = { SEGNATURA_KEY_DIR: dir };

  beforeAll(() => {
    const key = createSelfSignedSigningKey({ aoo: 'gara', name: 'Prova' });
    writeFileSync(join(dir, SIGNING_CERT_FILE), key.certificatePem);
    spawnSync('mkfifo', [join(dir, 'fifo')]);
    writeFileSync(join(dir, 'huge.pdf'), '%PDF-1.7\n');
    truncateSync(join(dir, 'huge.pdf'), 3 * 1024 ** 3); // sparse: no disk used
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 2 at once for a FIFO, /dev/zero and a directory', async () => {
    for (const file of [join(dir, 'fifo'), '/dev/zero', dir]) {
      const result = await gara(['attestazione', 'verify', file], env);
      expect(result.code, `${file}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toContain('not a regular file');
    }
  }, 90_000);

  it('exits 1 for a 3 GB file without reading it', async () => {
    const result = await gara(['attestazione', 'verify', join(dir, 'huge.pdf')], env);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain('NON VALIDA: il file supera i 2 MB');
  }, 60_000);
});

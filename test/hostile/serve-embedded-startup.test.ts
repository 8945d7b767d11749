/**
 * Hostile: `gara serve` on a fresh embedded DATA_DIR (the README's quick start) must stay up. Found on
 * this tree: the process printed "Server listening" and died a second later with
 * PGliteReentrancyError from `payableDemoCig` (src/cli/main.ts): the transaction mark of the
 * expire-lots job, started by `startService`, leaked into the CLI's own async context, so the CLI's
 * next query was taken for a re-entrant call. Also the DATA_DIR lock: a second `serve` on the same
 * directory exits with a clear message while the first keeps answering.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const embedded = !process.env.DATABASE_URL;

async function freePort(): Promise<number> {
  return await new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe.skipIf(!embedded)('gara serve on a fresh embedded DATA_DIR', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gara-serve-'));
  let child: ChildProcess | undefined;
  let output = '';
  afterAll(() => {
    if (child?.pid && child.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps running after the banner, and a second serve on the same DATA_DIR refuses clearly', async () => {
    const port = await freePort();
    const env = { ...process.env, PORT: String(port), DATA_DIR: dataDir, DATABASE_URL: '' };
    delete (env as Record<string, string | undefined>).DATABASE_URL;
    child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve'], { cwd: root, env });
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 90_000;
    while (!output.includes('is running at') && child.exitCode === null && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(output, output.slice(-2000)).toContain('is running at');
    // the scheduled jobs start with the service: give them time to run once
    const early = await Promise.race([exited, new Promise((r) => setTimeout(() => r('alive'), 4_000))]);
    expect(early, output.slice(-2000)).toBe('alive');
    const live = await fetch(`http://127.0.0.1:${port}/health/live`);
    expect(live.status).toBe(200);

    const second = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve'], {
      cwd: root,
      env: { ...env, PORT: String(await freePort()) },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(second.status, second.stderr.slice(-1000)).toBe(1);
    expect(second.stderr).toMatch(/gara: .*DATA_DIR|gara\.lock/);
    expect(second.stderr).not.toMatch(/\n\s+at /);
    expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).toBe(200);
  }, 180_000);
});

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configVariables, loadConfig, ConfigError } from '../../src/config.js';

const root = new URL('../../', import.meta.url).pathname;

function gara(args: string[], options: { input?: string; env?: Record<string, string> } = {}) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: root,
    input: options.input ?? '',
    encoding: 'utf8',
    env: { ...process.env, ...options.env },
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('gara cig validate', () => {
  it('prints one line per code with the family or the reason, and exits 1 when any is invalid', () => {
    const ok = gara(['cig', 'validate', '9050626CD6', 'A000023DB1', 'Z1E31EB332']);
    expect(ok.code).toBe(0);
    expect(ok.stdout.trim().split('\n')).toEqual([
      '9050626CD6 valid simog_v1 (SIMOG v1 (numeric))',
      'A000023DB1 valid pcp (SIMOG v2 / PCP)',
      'Z1E31EB332 valid smart_cig (SmartCIG)',
    ]);
    const bad = gara(['cig', 'validate', 'BC158BB027', 'BC1B001599']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^BC1B001599 invalid check_mismatch: /m);
  });

  it('reads codes from standard input and prints JSON lines with --json', () => {
    const result = gara(['cig', 'validate', '--json'], { input: 'B1FDB28AAF\n\nZ3A1234567\n' });
    expect(result.code).toBe(1);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { code: 'B1FDB28AAF', valid: true, family: 'pcp' },
      { code: 'Z3A1234567', valid: false, reason: 'check_mismatch', message: expect.any(String) },
    ]);
  });
});

describe('configuration', () => {
  it('a bad value stops the start with a message naming the variable', () => {
    const result = gara(['serve'], { env: { PORT: 'eighty' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/PORT: "eighty" is not a whole number/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(ConfigError);
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
    expect(loadConfig({}).port).toBe(3000);
  });

  it('the PEC mailbox: imaps (imap only on loopback), with its credentials, never echoed in the error', () => {
    expect(loadConfig({}).pecImap).toBeUndefined();
    const ok = loadConfig({ PEC_IMAP_URL: 'imaps://pec.pug:s3gret0@imap.pec.example.it/INBOX' }).pecImap;
    expect(ok?.url.hostname).toBe('imap.pec.example.it');
    expect(ok?.intervalMs).toBe(60_000);
    expect(loadConfig({ PEC_IMAP_URL: 'imap://u:p@127.0.0.1:1143/' }).pecImap?.url.port).toBe('1143');
    expect(() => loadConfig({ PEC_IMAP_URL: 'imap://u:s3gret0@imap.pec.example.it/' })).toThrow(
      /PEC_IMAP_URL.*imaps:\/\//,
    );
    expect(() => loadConfig({ PEC_IMAP_URL: 'imaps://imap.pec.example.it/' })).toThrow(/user and password/);
    const refusal = (() => {
      try {
        loadConfig({ PEC_IMAP_URL: 'imap://u:s3gret0@imap.pec.example.it/' });
        return '';
      } catch (error) {
        return String(error);
      }
    })();
    expect(refusal).toMatch(/PEC_IMAP_URL/);
    expect(refusal).not.toContain('s3gret0');
    expect(() =>
      loadConfig({ PEC_IMAP_URL: 'imaps://u:p@imap.pec.example.it/', PEC_IMAP_INTERVAL_MS: '10' }),
    ).toThrow(/PEC_IMAP_INTERVAL_MS/);
  });

  it('the pagoPA node credentials: keys, address ranges, the TLS proxy header only with an allow-list', () => {
    expect(loadConfig({}).pagopa.node).toEqual({
      subscriptionKeys: [],
      allowedAddresses: [],
      clientVerifyHeader: undefined,
    });
    const node = loadConfig({
      PAGOPA_NODE_SUBSCRIPTION_KEY: 'aaaaaaaaaaaaaaaa1, bbbbbbbbbbbbbbbb2',
      PAGOPA_NODE_ALLOWED_IPS: '10.0.0.0/8, 2001:db8::/32,192.0.2.1',
      PAGOPA_NODE_CLIENT_VERIFY_HEADER: 'X-SSL-Client-Verify',
    }).pagopa.node;
    expect(node).toEqual({
      subscriptionKeys: ['aaaaaaaaaaaaaaaa1', 'bbbbbbbbbbbbbbbb2'],
      allowedAddresses: ['10.0.0.0/8', '2001:db8::/32', '192.0.2.1'],
      clientVerifyHeader: 'x-ssl-client-verify',
    });
    expect(() => loadConfig({ PAGOPA_NODE_SUBSCRIPTION_KEY: 'short' })).toThrow(
      /PAGOPA_NODE_SUBSCRIPTION_KEY/,
    );
    expect(() => loadConfig({ PAGOPA_NODE_SUBSCRIPTION_KEY: 'short' })).not.toThrow(/short/);
    expect(() => loadConfig({ PAGOPA_NODE_ALLOWED_IPS: '10.0.0.0/33' })).toThrow(/PAGOPA_NODE_ALLOWED_IPS/);
    expect(() => loadConfig({ PAGOPA_NODE_ALLOWED_IPS: 'node.pagopa.it' })).toThrow(
      /PAGOPA_NODE_ALLOWED_IPS/,
    );
    expect(() => loadConfig({ PAGOPA_NODE_CLIENT_VERIFY_HEADER: 'x-ssl-client-verify' })).toThrow(
      /PAGOPA_NODE_ALLOWED_IPS/,
    );
  });

  it('the README lists every variable', () => {
    const readme = readFileSync(new URL('README.md', `file://${root}`), 'utf8');
    for (const v of configVariables) expect(readme).toContain(`\`${v.name}\``);
  });
});

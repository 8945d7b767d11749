import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/adapters/db/database.js';
import { receiptMessage, testPecProvider } from '../support/pec-ca.js';
import { engineName } from '../support/test-db.js';

/**
 * Bodies that used to take the whole heap ("Reached heap limit") are posted to the real service,
 * started as `npm start` does with a 256 MB heap; each is refused (413) and the service still answers.
 */
const root = join(import.meta.dirname, '..', '..');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function receiptWithDaticert(daticert: string): Buffer {
  const b64 = Buffer.from(daticert).toString('base64');
  return Buffer.from(
    [
      'From: posta-certificata@pec.example.it',
      'X-Ricevuta: accettazione',
      'X-Riferimento-Message-ID: <x.1@gara>',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: application/xml; name="daticert.xml"',
      'Content-Disposition: attachment; filename="daticert.xml"',
      'Content-Transfer-Encoding: base64',
      '',
      ...(b64.match(/.{1,76}/g) ?? []),
      '--b--',
      '',
    ].join('\r\n'),
  );
}

const NODE_KEY = 'hostile-bodies-test-node-key-0123456789';

describe(`hostile bodies against the real process, 256 MB heap (${engineName()})`, () => {
  let child: ChildProcess;
  let base: string;
  let dataDir: string;
  let token: string;
  let schema: string | undefined;
  let output = '';

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'gara-hostile-'));
    const trust = join(dataDir, 'pec-trust');
    mkdirSync(trust);
    writeFileSync(join(trust, 'test-ca.pem'), (await testPecProvider()).caPem);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      PORT: String(await freePort()),
      SEED_DEMO: 'always',
      JOBS_ENABLED: 'false',
      PAGOPA_SANDBOX: 'off',
      // the node's key, so the SOAP body is read (a call without it is refused before its body)
      PAGOPA_NODE_SUBSCRIPTION_KEY: NODE_KEY,
      LOG_LEVEL: 'warn',
    };
    const url = process.env.DATABASE_URL;
    if (url) {
      schema = `hostile_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
      const admin = await openDatabase({ url, poolSize: 1 });
      await sql.raw(`CREATE SCHEMA ${schema}`).execute(admin.db);
      await admin.close();
      const u = new URL(url);
      u.searchParams.set('options', `-c search_path=${schema}`);
      env.DATABASE_URL = u.toString();
    }
    base = `http://127.0.0.1:${env.PORT}`;
    child = spawn(
      process.execPath,
      ['--max-old-space-size=256', '--import', 'tsx', join(root, 'src/cli/main.ts'), 'serve'],
      { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
    child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
    const deadline = Date.now() + 240_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the service stopped at start:\n${output}`);
      const up = await fetch(`${base}/health/live`).then(
        (r) => r.ok,
        () => false,
      );
      if (up) break;
      if (Date.now() > deadline) throw new Error(`the service did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 300));
    }
    const tokens = JSON.parse(readFileSync(join(dataDir, 'demo-tokens.json'), 'utf8')) as {
      role: string;
      token: string;
    }[];
    token = tokens.find((t) => t.role === 'authority_staff')!.token;
  }, 300_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    rmSync(dataDir, { recursive: true, force: true });
    if (schema && process.env.DATABASE_URL) {
      const admin = await openDatabase({ url: process.env.DATABASE_URL, poolSize: 1 });
      await sql.raw(`DROP SCHEMA ${schema} CASCADE`).execute(admin.db);
      await admin.close();
    }
  });

  /**
   * POST over node:http. The headers go first: a service that refuses from the Content-Length alone
   * answers before the body is sent (and closes the connection); otherwise the body follows.
   */
  const post = (path: string, type: string, payload: Buffer | string, extra: Record<string, string> = {}) =>
    new Promise<{ status: number; body: { code: string; detail: string }; bodySent: boolean }>(
      (resolve, reject) => {
        const body = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
        const req = request(`${base}${path}`, {
          method: 'POST',
          agent: false,
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': type,
            'content-length': String(body.length),
            ...extra,
          },
        });
        let sent = false;
        const timer = setTimeout(() => {
          sent = true;
          req.end(body);
        }, 1000);
        req.on('response', (res) => {
          clearTimeout(timer);
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            let parsed: { code: string; detail: string };
            try {
              parsed = JSON.parse(text) as { code: string; detail: string };
            } catch {
              parsed = { code: 'not_json', detail: text };
            }
            resolve({ status: res.statusCode ?? 0, body: parsed, bodySent: sent });
            if (!sent) req.destroy();
          });
        });
        req.on('error', (err: NodeJS.ErrnoException) => {
          if (err.code !== 'EPIPE' && err.code !== 'ECONNRESET') reject(err);
        });
        req.flushHeaders();
      },
    );

  const stillAnswers = async () => {
    const res = await fetch(`${base}/health/live`);
    expect(res.status).toBe(200);
    expect(child.exitCode, output).toBeNull();
  };

  it('a PEC receipt whose daticert.xml carries a 5 MB attribute', async () => {
    const raw = receiptWithDaticert(
      `<postacert tipo="${'a'.repeat(5 * 1024 * 1024)}" errore="nessuno"><intestazione/></postacert>`,
    );
    const res = await post('/api/v1/pec-receipts', 'message/rfc822', raw);
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('payload_too_large');
    await stillAnswers();
  }, 60_000);

  it('a 13.5 MB PEC receipt', async () => {
    const provider = await testPecProvider();
    const signed = (
      await receiptMessage({ kind: 'accettazione', messageId: 'x.1@gara', recipient: 'a@b.it' }, provider)
    ).toString('latin1');
    const pad = `X-Pad: ${'y'.repeat(70)}\r\n`;
    const raw = Buffer.from(
      signed.replace(
        'MIME-Version: 1.0\r\n',
        `MIME-Version: 1.0\r\n${pad.repeat(Math.ceil((13.5 * 1024 * 1024) / pad.length))}`,
      ),
      'latin1',
    );
    const res = await post('/api/v1/pec-receipts', 'message/rfc822', raw);
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('payload_too_large');
    await stillAnswers();
  }, 60_000);

  it('a reporting flow with one 15 MB text node, and one within the body limit with a 3.5 MB text node', async () => {
    const flow = (n: number) =>
      `<?xml version="1.0" encoding="UTF-8"?><FlussoRiversamento xmlns="http://www.digitpa.gov.it/schemas/2011/Pagamenti/"><versioneOggetto>${'x'.repeat(n)}</versioneOggetto></FlussoRiversamento>`;
    const huge = await post('/api/v1/reporting-flows', 'application/xml', flow(15 * 1024 * 1024));
    expect(huge.status).toBe(413);
    await stillAnswers();
    const long = await post('/api/v1/reporting-flows', 'application/xml', flow(3.5 * 1024 * 1024));
    expect(long.status).toBe(413);
    expect(long.body.detail).toMatch(
      /FlussoRiversamento: a text node is longer than the limit of 4096 characters/,
    );
    await stillAnswers();
  }, 60_000);

  it('a SOAP request of 5 MB to the pagoPA entry point', async () => {
    const res = await post(
      '/pagopa/paForNode',
      'text/xml',
      `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><x a="${'a'.repeat(5 * 1024 * 1024)}"/></soapenv:Body></soapenv:Envelope>`,
      { soapaction: 'paVerifyPaymentNotice', 'ocp-apim-subscription-key': NODE_KEY },
    );
    expect(res.status).toBe(413);
    await stillAnswers();
  }, 60_000);
});

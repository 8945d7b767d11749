import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createContainer, prepareDatabase, type Container } from '../../src/container.js';
import { FixedClock } from '../../src/domain/shared/clock.js';
import {
  SIGNING_CERT_FILE,
  SIGNING_KEY_FILE,
  createSelfSignedSigningKey,
} from '../../src/adapters/protocol/signing-key.js';
import { scheduleMaintenance } from '../../src/services/continuity/maintenance.js';
import { issueDueCertificates } from '../../src/services/certificates/issue-due-certificates.js';
import { getCertificate, getCertificatePdf } from '../../src/services/certificates/get-certificate.js';
import { verifyCertificate } from '../../src/services/certificates/verify-certificate.js';
import { Factories } from '../support/factories.js';
import { DEFAULT_SEAL_SUBJECT, Seal, adoptDatabaseSeal } from '../../src/adapters/protocol/seal.js';

const root = new URL('../../', import.meta.url).pathname;
const databaseUrl = process.env.DATABASE_URL;
const scratch = mkdtempSync(join(tmpdir(), 'gara-seal-'));
const quiet = { LOG_LEVEL: 'silent', PAGOPA_SANDBOX: 'off' };

async function admin(text: string): Promise<void> {
  const client = new pg.Client({
    connectionString: (databaseUrl as string).replace(/\/[^/]*$/, '/postgres'),
  });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

async function container(env: Record<string, string>, clock: FixedClock): Promise<Container> {
  const c = await createContainer(loadConfig({ ...quiet, ...env }), { clock });
  await prepareDatabase(c);
  return c;
}

function writePair(dir: string, pair: { privateKeyPem: string; certificatePem: string }): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, SIGNING_KEY_FILE), pair.privateKeyPem, { mode: 0o600 });
  writeFileSync(join(dir, SIGNING_CERT_FILE), pair.certificatePem);
}

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// Two gara processes on one PostgreSQL database, each with its own DATA_DIR and no SEGNATURA_KEY_DIR.
describe.skipIf(!databaseUrl)('one seal per database (postgres, two containers)', () => {
  const name = `gara_seal_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const url = (databaseUrl ?? '').replace(/\/[^/]*$/, `/${name}`);
  const clock = new FixedClock('2026-04-01T08:00:00Z');
  const dataA = join(scratch, 'a');
  const dataB = join(scratch, 'b');
  const opened: Container[] = [];
  let a: Container;
  let b: Container;
  let id: string;
  let pdf: Buffer;
  let jws: string;

  beforeAll(async () => {
    await admin(`CREATE DATABASE ${name}`);
    a = await container({ DATABASE_URL: url, DATA_DIR: dataA }, clock);
    opened.push(a);
    b = await container({ DATABASE_URL: url, DATA_DIR: dataB }, clock);
    opened.push(b);
    const staff = await new Factories(a.deps).user('authority_staff');
    const maintenance = await scheduleMaintenance(
      a.deps,
      {
        title: 'Aggiornamento della piattaforma',
        description: 'Manutenzione programmata.',
        services: ['portal'],
        startsAt: new Date('2026-04-01T20:00:00Z'),
        endsAt: new Date('2026-04-01T22:00:00Z'),
      },
      staff.actor,
    );
    clock.set('2026-04-01T22:05:00Z');
    // Issued by process A.
    const { issued } = await issueDueCertificates(a.deps);
    id = `ATT-MAN-${maintenance.id}`;
    expect(issued).toContain(id);
    pdf = await getCertificatePdf(a.deps, id);
    jws = (await getCertificate(a.deps, id)).jws;
  }, 60_000);

  afterAll(async () => {
    for (const c of opened) await c.close();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  it('a certificate issued by one process verifies on the other (PDF and JWS)', async () => {
    const onB = await verifyCertificate({ certificates: b.deps.certificates }, pdf);
    expect(onB).toMatchObject({ valid: true, format: 'pdf', certificateId: id });
    const jwsOnB = await verifyCertificate({ certificates: b.deps.certificates }, Buffer.from(jws));
    expect(jwsOnB).toMatchObject({ valid: true, format: 'jws' });
    expect(b.seal.key.certificatePem).toBe(a.seal.key.certificatePem);
  });

  it('a changed byte still fails on the other process', async () => {
    const changed = Buffer.from(pdf);
    const at = changed.indexOf('Aggiornamento');
    expect(at).toBeGreaterThan(0);
    changed[at] = 'B'.charCodeAt(0);
    const outcome = await verifyCertificate({ certificates: b.deps.certificates }, changed);
    expect(outcome.valid).toBe(false);
  });

  it("B's DATA_DIR/keys holds the database's pair: the CLI (no database) verifies A's certificate there", () => {
    expect(readFileSync(join(dataB, 'keys', SIGNING_CERT_FILE), 'utf8')).toBe(a.seal.key.certificatePem);
    // B's own first pair is kept aside, not lost.
    expect(readdirSync(join(dataB, 'keys')).some((f) => f.includes('.superseded-'))).toBe(true);
    const file = join(scratch, `${id}.pdf`);
    writeFileSync(file, pdf);
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'attestazione', 'verify', file],
      {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, DATA_DIR: dataB, SEGNATURA_KEY_DIR: '', DATABASE_URL: '' },
        timeout: 60_000,
      },
    );
    expect(result.stdout).toContain('VALID');
    expect(result.status).toBe(0);
  });

  it('a later start keeps the same seal; the database refuses to change it', async () => {
    const again = await container({ DATABASE_URL: url, DATA_DIR: dataB }, clock);
    opened.push(again);
    expect(again.seal.key.certificatePem).toBe(a.seal.key.certificatePem);
    await expect(
      sql`UPDATE default_seal SET certificate_pem = certificate_pem`.execute(a.database.db),
    ).rejects.toThrow(/never changes/);
    await expect(sql`DELETE FROM default_seal`.execute(a.database.db)).rejects.toThrow(/never changes/);
  });

  it('a configured key (SEGNATURA_KEY_DIR) wins over the database seal', async () => {
    const keys = join(scratch, 'configured-keys');
    const own = createSelfSignedSigningKey({ aoo: 'AOO_092', name: 'ANAC - Sezione regionale Puglia' });
    writePair(keys, own);
    const c = await container(
      { DATABASE_URL: url, DATA_DIR: join(scratch, 'c'), SEGNATURA_KEY_DIR: keys },
      clock,
    );
    opened.push(c);
    expect(c.seal.key.certificatePem).toBe(own.certificatePem);
    expect(readFileSync(join(keys, SIGNING_CERT_FILE), 'utf8')).toBe(own.certificatePem);
    const outcome = await verifyCertificate({ certificates: c.deps.certificates }, pdf);
    expect(outcome).toMatchObject({ valid: false, failure: 'unknown_signer' });
  });

  it("an operator's pair in DATA_DIR/keys (not gara's self-signed default) is used as is", async () => {
    const dataD = join(scratch, 'd');
    const own = createSelfSignedSigningKey({ aoo: 'AOO_001', name: 'ANAC' });
    writePair(join(dataD, 'keys'), own);
    const d = await container({ DATABASE_URL: url, DATA_DIR: dataD }, clock);
    opened.push(d);
    expect(d.seal.key.certificatePem).toBe(own.certificatePem);
    expect(readFileSync(join(dataD, 'keys', SIGNING_CERT_FILE), 'utf8')).toBe(own.certificatePem);
  });
});

describe('one seal per database (PGlite, first start)', () => {
  it('creates the pair, stores it in the database and in DATA_DIR/keys, and signs with it', async () => {
    const dataDir = join(scratch, 'pglite');
    const c = await container(
      { DATA_DIR: dataDir, DATABASE_URL: '' },
      new FixedClock('2026-04-01T08:00:00Z'),
    );
    try {
      const { rows } = await sql<{
        certificate_pem: string;
      }>`SELECT certificate_pem FROM default_seal`.execute(c.database.db);
      expect(rows).toHaveLength(1);
      expect(rows[0]?.certificate_pem).toBe(c.seal.key.certificatePem);
      expect(readFileSync(join(dataDir, 'keys', SIGNING_CERT_FILE), 'utf8')).toBe(c.seal.key.certificatePem);
      const payload = { type: 'gara/downtime-certificate', id: 'ATT-INC-2026-0001' } as never;
      const signed = await c.deps.certificates.signJws(payload);
      expect(await c.deps.certificates.verifyJws(signed)).toMatchObject({ valid: true });
    } finally {
      await c.close();
    }
  }, 60_000);
});

describe('one seal per database: a keys directory that cannot be written', () => {
  it("signs with the database's pair anyway and says so (the copy in DATA_DIR/keys is for the CLI)", async () => {
    const local = createSelfSignedSigningKey(DEFAULT_SEAL_SUBJECT);
    const shared = createSelfSignedSigningKey(DEFAULT_SEAL_SUBJECT);
    const seal = new Seal(local, { code: '1.6', name: 'Comunicazioni' });
    // A path under a regular file: no one, not even root, can create or write it.
    const file = join(scratch, 'not-a-directory');
    writeFileSync(file, '');
    const warnings: string[] = [];
    const source = await adoptDatabaseSeal(seal, {
      configured: false,
      dir: join(file, 'keys'),
      database: { claim: async () => shared },
      warn: (message) => warnings.push(message),
    });
    expect(source).toBe('database');
    expect(seal.key.certificatePem).toBe(shared.certificatePem);
    expect(warnings).toEqual([expect.stringContaining("cannot take the database's seal")]);
  });
});

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/adapters/db/database.js';
import type { RegionalSection } from '../../src/services/ports.js';
import { registerOutgoing, type OutgoingDocument } from '../../src/services/notices/register-outgoing.js';
import { bearer, createHarness, type Harness } from '../support/harness.js';
import { engineName } from '../support/test-db.js';

const documentFor = (fail?: () => Promise<void>): OutgoingDocument => ({
  subject: 'Oggetto: prova',
  correspondents: [{ name: 'RUP', address: 'rup@pec.test.example' }],
  render: async (label) => {
    await fail?.();
    return { fileName: `${label.replace('/', '-')}.pdf`, content: Buffer.from(`%PDF-1.4 ${label}`) };
  },
});

async function numbers(db: DatabaseHandle['db'], year?: number): Promise<number[]> {
  const { rows } = await sql<{ number: number }>`
    SELECT number FROM protocol_registrations WHERE aoo_code = 'AOO_092' AND (${year ?? null}::int IS NULL OR year = ${year ?? null})
    ORDER BY number`.execute(db);
  return rows.map((r) => Number(r.number));
}
const oneToN = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe(`protocol register (${engineName()})`, () => {
  let h: Harness;
  let section: RegionalSection;
  beforeAll(async () => {
    h = await createHarness({ now: '2026-03-02T09:00:00Z', poolSize: 34 });
    section = (await h.deps.store.registry.findSection('PUG'))!;
  });
  afterAll(() => h.close());

  it('gives 32 concurrent registrations, some failing half-way, numbers without gap, duplicate or reuse', async () => {
    let calls = 0;
    const results = await Promise.allSettled(
      Array.from({ length: 32 }, () =>
        registerOutgoing(
          h.deps,
          section,
          documentFor(async () => {
            await new Promise((r) => setTimeout(r, Math.random() * 5));
            // Every fourth one fails after taking its number (e.g. the letter cannot be written).
            if (++calls % 4 === 0) throw new Error('render failed');
          }),
          null,
        ),
      ),
    );
    const ok = results.filter((r) => r.status === 'fulfilled');
    expect(ok).toHaveLength(24);
    expect(await numbers(h.db.db)).toEqual(oneToN(24));
    const labels = ok.map((r) => r.value.label).sort();
    expect(labels).toEqual(oneToN(24).map((n) => `AOO_092/${String(n).padStart(7, '0')}`));
  });

  it('refuses, in the database, a hand-picked number, a skipped counter, and any change', async () => {
    const db = h.db.db;
    const insert = (n: number) =>
      sql`
      INSERT INTO protocol_registrations (id, aoo_code, register_code, year, number, direction, registered_at, subject,
        correspondents, correspondent_count, document_name, document_sha256, segnatura_xml)
      VALUES (gen_random_uuid(), 'AOO_092', 'PROTOCOLLO', 2026, ${n}, 'U', '2026-03-02T09:00:00Z', 'x', '[]', 1, 'x.pdf',
        ${'0'.repeat(64)}, '<x/>')`.execute(db);
    await expect(insert(99)).rejects.toThrow(/has not been taken/);
    await expect(insert(24)).rejects.toThrow();
    // Taking a number without registering it fails at commit: the counter stays where it was.
    await expect(
      db.transaction().execute(async (tx) => {
        await sql`UPDATE protocol_counters SET last_number = last_number + 1 WHERE aoo_code = 'AOO_092'`.execute(
          tx,
        );
      }),
    ).rejects.toThrow(/without a registration/);
    await expect(
      sql`UPDATE protocol_registrations SET subject = 'y' WHERE number = 1`.execute(db),
    ).rejects.toThrow();
    await expect(sql`DELETE FROM protocol_registrations WHERE number = 1`.execute(db)).rejects.toThrow();
    await expect(sql`DELETE FROM protocol_counters`.execute(db)).rejects.toThrow();
    expect(await numbers(db)).toEqual(oneToN(24));
  });

  it('restarts from 1 on 1 January (Rome time), keeping each year gap-free', async () => {
    h.clock.set('2026-12-31T22:59:00Z'); // 23:59 in Rome: still 2026
    expect((await registerOutgoing(h.deps, section, documentFor(), null)).label).toBe('AOO_092/0000025');
    h.clock.set('2026-12-31T23:00:30Z'); // 00:00:30 on 1 January 2027 in Rome
    const first = await registerOutgoing(h.deps, section, documentFor(), null);
    expect(first.label).toBe('AOO_092/0000001');
    expect(first.registration.year).toBe(2027);
    expect(await numbers(h.db.db, 2026)).toEqual(oneToN(25));
    expect(await numbers(h.db.db, 2027)).toEqual([1]);
  });

  it('registers documents over HTTP: validated, idempotent, batched when concurrent, gap-free', async () => {
    h.clock.set('2028-02-01T09:00:00Z');
    const officer = await h.factories.user('regional_staff', { regionalSectionCode: 'PUG' });
    const other = await h.factories.user('regional_staff', { regionalSectionCode: 'LAZ' });
    const pdf = Buffer.from('%PDF-1.4\n% documento di prova\n').toString('base64');
    const body = (over: Record<string, unknown> = {}) => ({
      subject: 'Oggetto: convocazione',
      correspondents: [{ name: 'Comune di Bari', address: 'protocollo@pec.comune.bari.example' }],
      document: { fileName: 'convocazione.pdf', contentBase64: pdf },
      ...over,
    });
    const post = (payload: object, token = officer.token, key?: string) =>
      h.app.inject({
        method: 'POST',
        url: '/api/v1/protocol/AOO_092/registrations',
        headers: { ...bearer(token), ...(key ? { 'idempotency-key': key } : {}) },
        payload,
      });
    const notPdf = await post(
      body({ document: { fileName: 'x.pdf', contentBase64: Buffer.from('ciao').toString('base64') } }),
    );
    expect(notPdf.statusCode).toBe(400);
    expect(notPdf.body).toContain('document.content');
    const badAddress = await post(body({ correspondents: [{ name: 'X', address: 'nowhere' }] }));
    expect(badAddress.statusCode).toBe(400);
    expect(badAddress.body).toContain('correspondents[0].address');
    expect((await post(body(), other.token)).statusCode).toBe(404); // another section's AOO answers as an unknown one
    expect(await numbers(h.db.db, 2028)).toEqual([]);

    const first = await post(body(), officer.token, 'reg-1');
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ label: 'AOO_092/0000001' });
    const replay = await post(body(), officer.token, 'reg-1');
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json()).toMatchObject({ label: 'AOO_092/0000001' });

    const many = await Promise.all(Array.from({ length: 40 }, () => post(body())));
    expect(many.map((r) => r.statusCode)).toEqual(Array(40).fill(201));
    expect(await numbers(h.db.db, 2028)).toEqual(oneToN(41));
  });

  it.runIf(engineName() === 'postgres')(
    'gives back the number of a session killed in the middle of a registration',
    async () => {
      h.clock.set('2027-01-02T09:00:00Z');
      let release: () => void = () => undefined;
      const blocked = new Promise<void>((r) => (release = r));
      let started: () => void = () => undefined;
      const inside = new Promise<void>((r) => (started = r));
      const doomed = registerOutgoing(
        h.deps,
        section,
        documentFor(async () => {
          started();
          await blocked;
        }),
        null,
      );
      await inside; // it holds number 2 of 2027, uncommitted
      const admin = await openDatabase({ url: process.env.DATABASE_URL, poolSize: 1 });
      const { rows } = await sql<{ killed: boolean }>`
      SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity
       WHERE datname = current_database() AND state = 'idle in transaction' AND query LIKE '%protocol_counters%'`.execute(
        admin.db,
      );
      await admin.close();
      expect(rows.length).toBeGreaterThanOrEqual(1);
      release();
      await expect(doomed).rejects.toThrow();
      const next = await registerOutgoing(h.deps, section, documentFor(), null);
      expect(next.label).toBe('AOO_092/0000002');
      expect(await numbers(h.db.db, 2027)).toEqual([1, 2]);
    },
  );
});

/**
 * The process is killed (SIGKILL) while 8 clients register; started again, it goes on from the next
 * number. Every number it acknowledged is there, and the register has no gap.
 */
describe(`protocol register across a crash (${engineName()})`, () => {
  let env: Record<string, string>;
  let open: () => Promise<DatabaseHandle>;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const url = process.env.DATABASE_URL;
    if (url) {
      const schema = `crash_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
      const admin = await openDatabase({ url, poolSize: 1 });
      await sql.raw(`CREATE SCHEMA ${schema}`).execute(admin.db);
      await admin.close();
      env = { DATABASE_URL: url, DB_SCHEMA: schema };
      open = () => openDatabase({ url, schema, poolSize: 1 });
      cleanup = async () => {
        const admin2 = await openDatabase({ url, poolSize: 1 });
        await sql.raw(`DROP SCHEMA ${schema} CASCADE`).execute(admin2.db);
        await admin2.close();
      };
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'gara-crash-'));
      env = { DATA_DIR: join(dir, 'pglite') };
      open = () => openDatabase({ dataDir: join(dir, 'pglite') });
      cleanup = async () => rmSync(dir, { recursive: true, force: true });
    }
  });
  afterAll(() => cleanup());

  /** Runs the child until it has acknowledged `acks` registrations, then kills it; returns what it acknowledged. */
  async function runAndKill(acks: number): Promise<number[]> {
    const { DATABASE_URL: _omit, ...inherited } = process.env;
    void _omit;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'support', 'register-loop.ts')],
      {
        env: { ...inherited, ...env, CLIENTS: '8' },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const acknowledged: number[] = [];
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    for await (const line of createInterface({ input: child.stdout })) {
      const m = /^ack (\d+)$/.exec(line);
      if (m) acknowledged.push(Number(m[1]));
      if (acknowledged.length === acks) child.kill('SIGKILL');
    }
    await exited;
    return acknowledged;
  }

  it('loses no acknowledged number and leaves no gap', { timeout: 120_000 }, async () => {
    const first = await runAndKill(150);
    const second = await runAndKill(50);
    const db = await open();
    try {
      const registered = await numbers(db.db);
      expect(registered).toEqual(oneToN(registered.length));
      for (const n of [...first, ...second]) expect(registered).toContain(n);
      // The second run went on after the first: nothing was reused.
      expect(Math.min(...second)).toBeGreaterThan(Math.max(...first));
      expect(new Set([...first, ...second]).size).toBe(first.length + second.length);
      expect(registered.length).toBeGreaterThanOrEqual(200);
    } finally {
      await db.close();
    }
  });
});

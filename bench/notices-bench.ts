/**
 * Notices: (1) protocol registrations on PostgreSQL with 32 concurrent clients, against the bare
 * gap-free numbering transaction (lock the counter row, insert a row, commit) through the same driver
 * and pool; the register is checked for gaps afterwards. (2) A relay to 10,000 RUPs dispatched by the
 * service process through a loopback SMTP sink, against nodemailer sending the same messages straight
 * to the sink; the service's resident memory is sampled during the dispatch.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { openDatabase, type DatabaseHandle } from '../src/adapters/db/database.js';
import { migrateToLatest } from '../src/adapters/db/migrate.js';
import { syncReferenceData } from '../src/adapters/db/reference-data.js';
import { createStore } from '../src/adapters/db/store.js';
import { createSegnaturaSigner } from '../src/adapters/protocol/segnatura.js';
import { createSelfSignedSigningKey } from '../src/adapters/protocol/signing-key.js';
import { regionalSections } from '../src/domain/registry/regions.js';
import { systemClock } from '../src/domain/shared/clock.js';
import { randomIds } from '../src/services/context.js';
import { ProtocolRegistrar, registerOutgoing } from '../src/services/notices/register-outgoing.js';
import { issueToken } from '../src/services/registry/users.js';
import { fmt, load, median, report, startServer, type Measurement } from './support.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CLIENTS = 32;
const RECIPIENTS = Number(process.env.BENCH_RECIPIENTS ?? 10_000);

async function inSchema<T>(
  baseUrl: string,
  prefix: string,
  work: (url: string, schema: string) => Promise<T>,
): Promise<T> {
  const schema = `${prefix}_${Date.now()}`;
  const admin = await openDatabase({ url: baseUrl, poolSize: 1 });
  await sql.raw(`CREATE SCHEMA ${schema}`).execute(admin.db);
  try {
    return await work(baseUrl, schema);
  } finally {
    await sql.raw(`DROP SCHEMA ${schema} CASCADE`).execute(admin.db);
    await admin.close();
  }
}

/** Runs `op` from CLIENTS loops for SECONDS; returns operations per second. */
async function closedLoop(op: () => Promise<unknown>): Promise<number> {
  let count = 0;
  const until = Date.now() + SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (Date.now() < until) {
        await op();
        count += 1;
      }
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

function section(code: string) {
  const s = regionalSections.find((x) => x.code === code)!;
  return {
    code: s.code,
    name: `Sezione regionale dell'Osservatorio dei contratti pubblici - ${s.regionName}`,
    regionName: s.regionName,
    regionIstat: s.regionIstat,
    provinceIstat: s.provinceIstat,
    city: s.city,
    pec: `osservatorio.${s.code.toLowerCase()}@pec.bench.example`,
    aooCode: code === 'PUG' ? 'AOO_092' : `AOO_B_${code}`,
  };
}

async function registrations(baseUrl: string): Promise<void> {
  await inSchema(baseUrl, 'bench_protocol', async (url, schema) => {
    const handle = await openDatabase({ url, schema, poolSize: CLIENTS + 1 });
    try {
      await migrateToLatest(handle.db);
      await syncReferenceData(handle.db);
      const store = createStore(handle.db);
      await store.registry.upsertSection(section('PUG'), new Date());
      const pug = (await store.registry.findSection('PUG'))!;
      const deps = {
        store,
        clock: systemClock,
        ids: randomIds,
        segnatura: createSegnaturaSigner({
          key: createSelfSignedSigningKey({ aoo: 'bench', name: 'AOO del benchmark' }),
          classification: { code: '1.6', name: 'Comunicazioni' },
        }),
      };
      const letter = Buffer.alloc(40_000, 0x20);
      const document = {
        subject: "Oggetto: interruzione dei servizi on line dell'Autorità.",
        correspondents: [{ name: 'RUP - Comune di Bari', address: 'rup@comune.bari.example' }],
        render: async (label: string) => ({ fileName: `${label.replace('/', '-')}.pdf`, content: letter }),
      };
      const single = () => registerOutgoing(deps, pug, document, null);
      const registrar = new ProtocolRegistrar(deps);
      const register = () => registrar.register({ section: pug, document, registeredBy: null });
      await sql`CREATE TABLE bench_counter (id int PRIMARY KEY, n int NOT NULL)`.execute(handle.db);
      await sql`CREATE TABLE bench_rows (n int PRIMARY KEY, at timestamptz NOT NULL, payload text NOT NULL)`.execute(
        handle.db,
      );
      await sql`INSERT INTO bench_counter VALUES (1, 0)`.execute(handle.db);
      const baseline = () =>
        handle.db.transaction().execute(async (tx) => {
          const { rows } = await sql<{
            n: number;
          }>`UPDATE bench_counter SET n = n + 1 WHERE id = 1 RETURNING n`.execute(tx);
          await sql`INSERT INTO bench_rows VALUES (${rows[0]!.n}, now(), 'x')`.execute(tx);
        });
      for (let i = 0; i < 50; i++) {
        await register();
        await single();
        await baseline();
      }
      const ours: number[] = [];
      const alone: number[] = [];
      const bare: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        bare.push(await closedLoop(baseline));
        alone.push(await closedLoop(single));
        ours.push(await closedLoop(register));
      }
      // The same through HTTP: POST /api/v1/protocol/AOO_092/registrations from 32 connections.
      const officer = randomIds.uuid();
      await store.registry.insertUser({
        id: officer,
        name: 'Ufficio protocollo',
        email: 'protocollo.pug@bench.example',
        fiscalCode: null,
        role: 'regional_staff',
        contractingAuthorityId: null,
        economicOperatorId: null,
        regionalSectionCode: 'PUG',
        createdAt: new Date(),
      });
      const { token } = await issueToken(
        deps,
        { userId: officer, label: 'bench' },
        { kind: 'system', job: 'bench' },
      );
      const withSchema = new URL(url);
      withSchema.searchParams.set('options', `-c search_path=${schema}`);
      const dataDir = mkdtempSync(join(tmpdir(), 'gara-bench-protocol-'));
      const server = await startServer(
        { DATABASE_URL: withSchema.toString(), DATA_DIR: dataDir, SEED_DEMO: 'never', DB_POOL_SIZE: '32' },
        3906,
      );
      const http: Measurement[] = [];
      try {
        const body = JSON.stringify({
          subject: "Oggetto: interruzione dei servizi on line dell'Autorità.",
          correspondents: [{ name: 'RUP - Comune di Bari', address: 'rup@comune.bari.example' }],
          document: {
            fileName: 'nota.pdf',
            contentBase64: Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(4000, 0x20)]).toString(
              'base64',
            ),
          },
        });
        const run = () =>
          load({
            url: `${server.url}/api/v1/protocol/AOO_092/registrations`,
            connections: CLIENTS,
            durationSeconds: SECONDS,
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            next: () => ({ path: '/api/v1/protocol/AOO_092/registrations', body }),
          });
        for (let round = 0; round < ROUNDS; round++) http.push(await run());
      } finally {
        await server.stop();
        rmSync(dataDir, { recursive: true, force: true });
      }
      const { rows } = await sql<{ n: number; max: number; distinct: number }>`
        SELECT count(*)::int AS n, max(number) AS max, count(DISTINCT number)::int AS distinct FROM protocol_registrations`.execute(
        handle.db,
      );
      const r = rows[0]!;
      const gapFree = r.n === r.max && r.distinct === r.n;
      console.log(
        `\nProtocol register on PostgreSQL, ${CLIENTS} concurrent clients, ${ROUNDS} rounds x ${SECONDS}s (medians)`,
      );
      console.log(`  bare numbering transaction (baseline)      ${fmt(median(bare))} tx/s`);
      console.log(`  registration, one transaction each          ${fmt(median(alone))} reg/s`);
      console.log(
        `  registration, group commit (registrar)      ${fmt(median(ours))} reg/s   (target >= 1000)`,
      );
      console.log(
        `  registrar / baseline                        ${(median(ours) / median(bare)).toFixed(2)}`,
      );
      const viaHttp = report('POST /api/v1/protocol/{aoo}/registrations', http);
      console.log(
        `  HTTP registrations / baseline               ${(viaHttp.rps / median(bare)).toFixed(2)}   (target >= 1000 reg/s)`,
      );
      console.log(
        `  register after the run: ${r.n} registrations, numbers 1..${r.max}, ${gapFree ? 'no gap, no duplicate' : 'GAP OR DUPLICATE FOUND'}`,
      );
      if (!gapFree) process.exitCode = 1;
    } finally {
      await handle.close();
    }
  });
}

async function startSink() {
  let received = 0;
  let first = 0;
  let last = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: 50 * 1024 * 1024,
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        received += 1;
        last = performance.now();
        if (received === 1) first = last;
        callback();
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    port: (server.server.address() as AddressInfo).port,
    received: () => received,
    window: () => ({ first, last }),
    reset: () => {
      received = 0;
      first = 0;
      last = 0;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** 10,000 RUPs in Puglia (2,000 authorities with 5 each), a regional staff member and the Authority's staff. */
async function seedRecipients(handle: DatabaseHandle): Promise<{ staff: string; regional: string }> {
  await migrateToLatest(handle.db);
  await syncReferenceData(handle.db);
  const store = createStore(handle.db);
  const now = new Date();
  for (const s of regionalSections) await store.registry.upsertSection(section(s.code), now);
  const perAuthority = 5;
  await sql`
    INSERT INTO contracting_authorities (id, fiscal_code, ausa_code, name, istat_place_code, regional_section_code, pec, created_at, updated_at)
    SELECT gen_random_uuid(), lpad(i::text, 11, '0'), lpad(i::text, 10, '0'), 'Comune di Prova ' || i, '016072006', 'PUG',
           'protocollo.' || i || '@pec.bench.example', now(), now()
      FROM generate_series(1, ${Math.ceil(RECIPIENTS / perAuthority)}) AS i`
    .execute(handle.db)
    .catch(async (error: unknown) => {
      throw new Error(`seeding authorities: ${(error as Error).message}`);
    });
  await sql`
    INSERT INTO users (id, name, email, role, contracting_authority_id, active, created_at, updated_at)
    SELECT gen_random_uuid(), 'RUP ' || j || ' ' || a.name, 'rup' || j || '.' || replace(a.ausa_code, ' ', '') || '@bench.example', 'rup', a.id, true, now(), now()
      FROM contracting_authorities a, generate_series(1, ${perAuthority}) AS j
     WHERE a.regional_section_code = 'PUG'`.execute(handle.db);
  const ids = randomIds;
  const user = async (role: 'authority_staff' | 'regional_staff', email: string) => {
    const id = ids.uuid();
    await store.registry.insertUser({
      id,
      name: role,
      email,
      fiscalCode: null,
      role,
      contractingAuthorityId: null,
      economicOperatorId: null,
      regionalSectionCode: role === 'regional_staff' ? 'PUG' : null,
      createdAt: now,
    });
    return (
      await issueToken(
        { store, clock: systemClock, ids },
        { userId: id, label: 'bench' },
        { kind: 'system', job: 'bench' },
      )
    ).token;
  };
  return {
    staff: await user('authority_staff', 'staff@bench.example'),
    regional: await user('regional_staff', 'pug@bench.example'),
  };
}

async function relayDispatch(baseUrl: string): Promise<void> {
  const sink = await startSink();
  try {
    await inSchema(baseUrl, 'bench_relay', async (url, schema) => {
      const handle = await openDatabase({ url, schema, poolSize: 4 });
      let tokens: { staff: string; regional: string };
      try {
        tokens = await seedRecipients(handle);
      } finally {
        await handle.close();
      }
      const withSchema = new URL(url);
      withSchema.searchParams.set('options', `-c search_path=${schema}`);
      const dataDir = mkdtempSync(join(tmpdir(), 'gara-bench-relay-'));
      const server = await startServer(
        {
          DATABASE_URL: withSchema.toString(),
          DATA_DIR: dataDir,
          SEED_DEMO: 'never',
          JOBS_ENABLED: 'true',
          SMTP_URL: sink.url,
          MAIL_RATE_PER_SECOND: '100000',
          OUTBOX_CONCURRENCY: '16',
          PROBE_INTERVAL_MS: '3600000',
        },
        3905,
      );
      try {
        const post = async (path: string, token: string, body: unknown) => {
          const res = await fetch(`${server.url}${path}`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });
          if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
          return (await res.json()) as { id: string; protocol?: string; recipients?: number };
        };
        const notice = await post('/api/v1/notices', tokens.staff, {
          title: "Interruzione dei servizi on line dell'Autorità",
          noticeDate: '2021-05-06',
          kind: 'outage',
          body: readFileSync(new URL('../README.md', import.meta.url), 'utf8').slice(0, 3000),
        });
        const rssBefore = server.peakRssMb();
        sink.reset();
        const started = performance.now();
        const relay = await post(`/api/v1/notices/${notice.id}/relays`, tokens.regional, {});
        const relayMs = performance.now() - started;
        const samples: number[] = [];
        const deadline = Date.now() + 600_000;
        while (sink.received() < RECIPIENTS && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 100));
          const status = readFileSync(`/proc/${server.process.pid}/status`, 'utf8');
          samples.push(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
        }
        const elapsed = (performance.now() - started) / 1000;
        const { first, last } = sink.window();
        const sending = (last - first) / 1000;
        const res = await fetch(`${server.url}/api/v1/relays/${relay.id}`, {
          headers: { authorization: `Bearer ${tokens.regional}` },
        });
        const view = (await res.json()) as { progress: Record<string, number> };
        const arrived = sink.received();

        // Baseline: the same messages (letter attached), nodemailer straight to the sink, same connections.
        const letter = Buffer.from(
          await (
            await fetch(`${server.url}/api/v1/relays/${relay.id}/letter.pdf`, {
              headers: { authorization: `Bearer ${tokens.regional}` },
            })
          ).arrayBuffer(),
        );
        const transport = nodemailer.createTransport({
          host: '127.0.0.1',
          port: sink.port,
          pool: true,
          maxConnections: 16,
          maxMessages: Infinity,
          secure: false,
          ignoreTLS: true,
        });
        sink.reset();
        const baseStart = performance.now();
        let next = 0;
        const baselineCount = Math.min(RECIPIENTS, 5000);
        await Promise.all(
          Array.from({ length: 16 }, async () => {
            while (next < baselineCount) {
              const i = next++;
              await transport.sendMail({
                from: 'osservatorio@bench.example',
                to: `rup${i}@bench.example`,
                subject: 'Prot. AOO_092/0000001 - prova',
                text: 'Gentile RUP, si trasmette in allegato la nota.',
                attachments: [
                  { filename: 'AOO_092-0000001.pdf', content: letter, contentType: 'application/pdf' },
                ],
              });
            }
          }),
        );
        const baseRate = baselineCount / ((performance.now() - baseStart) / 1000);
        transport.close();

        const rate = RECIPIENTS / sending;
        console.log(
          `\nRelay to ${RECIPIENTS} RUPs on PostgreSQL through a loopback SMTP sink (letter ${(letter.length / 1024).toFixed(0)} KiB attached)`,
        );
        console.log(`  relay request (letter, protocol, ${RECIPIENTS} outbox rows)   ${fmt(relayMs)} ms`);
        console.log(`  dispatch, first to last message                 ${fmt(rate)} msg/s   (target >= 500)`);
        console.log(`  relay request to last message                   ${fmt(RECIPIENTS / elapsed)} msg/s`);
        console.log(`  nodemailer straight to the sink (baseline)      ${fmt(baseRate)} msg/s`);
        console.log(`  dispatch / baseline                             ${(rate / baseRate).toFixed(2)}`);
        console.log(`  arrived at the sink ${arrived}; states: ${JSON.stringify(view.progress)}`);
        console.log(
          `  service RSS: peak before the relay ${rssBefore.toFixed(0)} MB; during the dispatch min ${Math.min(...samples).toFixed(0)} / median ${median(samples).toFixed(0)} / max ${Math.max(...samples).toFixed(0)} MB; peak (VmHWM) ${server.peakRssMb().toFixed(0)} MB`,
        );
      } finally {
        await server.stop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  } finally {
    await sink.close();
  }
}

export async function noticesSection(baseUrl: string): Promise<void> {
  await registrations(baseUrl);
  await relayDispatch(baseUrl);
}

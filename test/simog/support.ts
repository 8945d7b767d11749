import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createStoreShared } from '../../src/adapters/db/store.js';
import { simogUnitOfWork } from '../../src/adapters/db/repositories/simog-repository.js';
import { simogCodec } from '../../src/adapters/simog/simog-codec.js';
import { FixedClock } from '../../src/domain/shared/clock.js';
import { buildApp } from '../../src/http/app.js';
import { TokenAuthenticator } from '../../src/services/auth/authenticate.js';
import type { ServiceDeps } from '../../src/services/context.js';
import { SimogSessions } from '../../src/services/simog/simog-session.js';
import { StatusMonitor } from '../../src/services/status/status-monitor.js';
import { Factories } from '../support/factories.js';
import { serviceDeps } from '../support/harness.js';
import { createTestDatabase, type TestDatabase } from '../support/test-db.js';
import { bodyRoot } from '../support/xsd.js';

/** The Authority's SIMOG WSDL, beside the project (../shared/specs/anac-simog). */
export const SPEC_DIR = resolve(import.meta.dirname, '../../../shared/specs/anac-simog');
export const WSDL_PATH = join(SPEC_DIR, 'SimogWSPDD.wsdl');
export const specsAvailable = existsSync(WSDL_PATH);
if (!specsAvailable) {
  console.warn(
    `SIMOG tests skipped: ${WSDL_PATH} is absent (the official WSDL lives in ../shared/specs/anac-simog)`,
  );
}

export const TICKET_TTL_MS = 30 * 60_000;

export interface SimogHarness {
  db: TestDatabase;
  deps: ServiceDeps;
  clock: FixedClock;
  factories: Factories;
  monitor: StatusMonitor;
  app: FastifyInstance;
  url: string;
  /** Makes the monitor believe the database answers or not (its probe round). */
  setDatabaseUp(up: boolean): Promise<void>;
  close(): Promise<void>;
}

/** The real app (with the SIMOG interface) listening on an ephemeral port over a test database. */
export async function startSimogApp(
  now = '2026-03-02T09:00:00Z',
  options: { rateLimitMax?: number } = {},
): Promise<SimogHarness> {
  const db = await createTestDatabase();
  const clock = new FixedClock(now);
  const base = serviceDeps(db.db, clock);
  const deps: ServiceDeps = {
    ...base,
    simogInterface: {
      uow: simogUnitOfWork(db.db, createStoreShared(db.db)),
      sessions: new SimogSessions({ ticketTtlMs: TICKET_TTL_MS, cacheTtlMs: 0 }),
      codec: simogCodec(),
    },
  };
  const factories = new Factories(deps);
  await factories.sections();
  let up = true;
  const monitor = new StatusMonitor(deps, {
    ping: async () => {
      if (!up) throw new Error('database down (test)');
      await db.ping();
    },
    failuresToOpen: 1,
    successesToClose: 1,
  });
  const app = await buildApp({
    deps,
    authenticator: new TokenAuthenticator(deps),
    ping: db.ping,
    engine: db.engine,
    version: 'test',
    rateLimit: { max: options.rateLimitMax ?? 100_000, windowMs: 60_000 },
    monitor,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    db,
    deps,
    clock,
    factories,
    monitor,
    app,
    url: `http://127.0.0.1:${port}`,
    setDatabaseUp: async (value) => {
      up = value;
      await monitor.tick();
    },
    close: async () => {
      await app.close();
      await db.destroy();
    },
  };
}

let schemaFile: string | undefined;

/** The WSDL's inline <xs:schema>, extracted into a temporary .xsd (self-contained: no import). */
export function inlineSchemaFile(): string {
  if (schemaFile) return schemaFile;
  const wsdl = readFileSync(WSDL_PATH, 'utf8');
  const schemas = [...wsdl.matchAll(/<xs:schema\b[\s\S]*?<\/xs:schema>/g)].map((m) => m[0]);
  if (schemas.length !== 1) throw new Error(`expected one inline schema, found ${schemas.length}`);
  const dir = mkdtempSync(join(tmpdir(), 'simog-xsd-'));
  schemaFile = join(dir, 'SimogWSPDD-inline.xsd');
  writeFileSync(schemaFile, `<?xml version="1.0" encoding="UTF-8"?>\n${schemas[0]}`);
  return schemaFile;
}

/** Validates the SOAP Body's root element of a response with the xmllint command against the inline schema. */
export function validateBody(envelope: string): { valid: boolean; errors: string } {
  const dir = mkdtempSync(join(tmpdir(), 'simog-msg-'));
  const file = join(dir, 'body.xml');
  writeFileSync(file, bodyRoot(envelope));
  try {
    execFileSync('xmllint', ['--noout', '--nonet', '--schema', inlineSchemaFile(), file], { stdio: 'pipe' });
    return { valid: true, errors: '' };
  } catch (error) {
    const e = error as { stderr?: Buffer };
    return { valid: false, errors: String(e.stderr ?? error) };
  }
}

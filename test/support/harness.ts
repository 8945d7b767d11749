import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { FixedClock, type Clock } from '../../src/domain/shared/clock.js';
import type { DatabaseHandle } from '../../src/adapters/db/database.js';
import { createStore } from '../../src/adapters/db/store.js';
import { buildApp } from '../../src/http/app.js';
import { publicAddressesOnly } from '../../src/adapters/mail/webhooks.js';
import { emlFiles } from '../../src/adapters/mail/eml-files.js';
import type { NodeAuthPolicy } from '../../src/http/pagopa-node-auth.js';
import { createOpenIdProvider, type OidcOptions } from '../../src/adapters/oidc/openid-connect.js';
import { TokenAuthenticator } from '../../src/services/auth/authenticate.js';
import { OrdinalAllocator } from '../../src/services/cig/ordinal-allocator.js';
import { randomIds, type ServiceDeps } from '../../src/services/context.js';
import { Factories } from './factories.js';
import type { OpendataServices } from '../../src/services/opendata/ports.js';
import type { CacheBus } from '../../src/services/cache-bus.js';
import { pdfPaymentDocuments } from '../../src/adapters/pdf/pdf-payment-documents.js';
import { createTestDatabase, type TestDatabase } from './test-db.js';
import { pdfLetters } from '../../src/container.js';
import { paForNodeSoapCodec, reportingFlowXmlReader } from '../../src/adapters/pagopa/codecs.js';
import { testPecReceiptReader } from './pec-ca.js';
import { createSegnaturaSigner, type SegnaturaSigningKey } from '../../src/adapters/protocol/segnatura.js';
import { createSelfSignedSigningKey } from '../../src/adapters/protocol/signing-key.js';
import { createCertificateSigner } from '../../src/adapters/certificates/certificate-signer.js';

let signingKey: SegnaturaSigningKey | undefined;
/** One throw-away AOO key per test process (RSA key generation takes a while). */
export const testSigningKey = () =>
  (signingKey ??= createSelfSignedSigningKey({ aoo: 'test', name: 'AOO di prova' }));

/** The subscription key the test node sends (the harness's station accepts it). */
export const testNodeKey = 'test-node-subscription-key-0001';

export const testCreditor = {
  fiscalCode: '97584460584',
  name: 'Autorità Nazionale Anticorruzione',
  officeName: 'Ufficio contribuzioni',
  brokerId: '97584460584',
  stationId: '97584460584_01',
  segregationCode: '01',
  iban: 'IT60X0542811101000000123456',
  activationMinutes: 30,
};

/** The real services over a database, with the test creditor and a throw-away AOO key. */
export function serviceDeps(db: DatabaseHandle['db'], clock: Clock): ServiceDeps {
  return {
    store: createStore(db),
    clock,
    ids: randomIds,
    cigOrdinals: new OrdinalAllocator('pcp'),
    smartCigOrdinals: new OrdinalAllocator('smart_cig'),
    creditor: testCreditor,
    documents: pdfPaymentDocuments,
    paymentNode: null,
    letters: pdfLetters,
    segnatura: createSegnaturaSigner({
      key: testSigningKey(),
      classification: { code: '1.6', name: 'Comunicazioni agli enti e ai RUP' },
    }),
    pecReceipts: testPecReceiptReader(),
    paForNode: paForNodeSoapCodec,
    reportingFlows: reportingFlowXmlReader,
    certificates: createCertificateSigner(testSigningKey()),
  };
}

export interface Harness {
  db: TestDatabase;
  deps: ServiceDeps;
  clock: FixedClock;
  factories: Factories;
  app: FastifyInstance;
  close(): Promise<void>;
}

/**
 * A real database (PGlite copy or PostgreSQL schema), the real services and HTTP app, a fixed clock.
 * Only outbound adapters would be faked; this layer has none yet.
 */
export async function createHarness(
  options: {
    now?: string;
    rateLimitMax?: number;
    poolSize?: number;
    /** DB_STATEMENT_TIMEOUT_MS of the test database. */
    statementTimeoutMs?: number;
    lookupCacheTtlMs?: number;
    demoSignIn?: boolean;
    oidc?: OidcOptions;
    /** Webhooks to http:// (the tests' receivers are local); default true. */
    webhookLocalReceivers?: boolean;
    /** The embedded mailer's folder the API serves .eml files from (default: none). */
    mailDir?: string;
    /** A fake DNS for the webhook address check at subscription (host -> addresses). */
    resolveHost?: (host: string) => Promise<string[]>;
    /** Who may call /pagopa/paForNode; default: the node with `testNodeKey`, from any address. */
    pagopaNode?: NodeAuthPolicy;
    /** The app's logger (default: none). */
    logger?: FastifyBaseLogger;
    /** Serve /opendata/ from these (made over the test database); default: not served. */
    opendata?: (db: TestDatabase) => OpendataServices;
    /** The bus between processes' caches (made over the test database); default: none. */
    cacheBus?: (db: TestDatabase) => CacheBus;
    /** The app's database ping (default: the test database's) and its answer deadline (default: the engine's). */
    ping?: () => Promise<void>;
    databaseDeadlineMs?: number;
    /** The database the services use, made from the test database's (e.g. one that records statements). */
    servicesDb?: (db: TestDatabase['db']) => TestDatabase['db'];
  } = {},
): Promise<Harness> {
  const db = await createTestDatabase({
    poolSize: options.poolSize ?? 10,
    statementTimeoutMs: options.statementTimeoutMs,
  });
  const clock = new FixedClock(options.now ?? '2026-03-02T09:00:00Z');
  const deps = serviceDeps(options.servicesDb?.(db.db) ?? db.db, clock);
  const factories = new Factories(deps);
  await factories.sections();
  const app = await buildApp({
    deps,
    authenticator: new TokenAuthenticator(deps),
    ping: options.ping ?? db.ping,
    engine: db.engine,
    ...(options.databaseDeadlineMs === undefined ? {} : { databaseDeadlineMs: options.databaseDeadlineMs }),
    version: 'test',
    rateLimit: { max: options.rateLimitMax ?? 100_000, windowMs: 60_000 },
    lookupCacheTtlMs: options.lookupCacheTtlMs ?? 0,
    demoSignIn: options.demoSignIn ?? false,
    oidc: options.oidc && createOpenIdProvider(options.oidc),
    webhookLocalReceivers: options.webhookLocalReceivers ?? true,
    sentMail: options.mailDir ? emlFiles(options.mailDir) : null,
    webhookHostIsPublic: (host: string) => publicAddressesOnly(host, options.resolveHost),
    pagopaNode: options.pagopaNode ?? { subscriptionKeys: [testNodeKey], allowedAddresses: [] },
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.opendata ? { opendata: options.opendata(db) } : {}),
    ...(options.cacheBus ? { cacheBus: options.cacheBus(db) } : {}),
  });
  await app.ready();
  return {
    db,
    deps,
    clock,
    factories,
    app,
    close: async () => {
      await app.close();
      await db.destroy();
    },
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

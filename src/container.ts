import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { openDatabase, type DatabaseHandle } from './adapters/db/database.js';
import { migrateToLatest } from './adapters/db/migrate.js';
import { syncReferenceData } from './adapters/db/reference-data.js';
import { createStore, createStoreShared } from './adapters/db/store.js';
import { localCacheBus, postgresCacheBus, type CacheBus } from './adapters/db/cache-bus.js';
import { sharedProbeIncidents } from './adapters/db/probe-incidents.js';
import { postgresRateLimitStore } from './adapters/db/rate-limit-store.js';
import { systemClock, type Clock } from './domain/shared/clock.js';
import { buildApp } from './http/app.js';
import { Metrics } from './http/metrics.js';
import { backgroundJobs } from './jobs/jobs.js';
import { Scheduler } from './jobs/scheduler.js';
import { TokenAuthenticator } from './services/auth/authenticate.js';
import { OrdinalAllocator } from './services/cig/ordinal-allocator.js';
import { randomIds, type IdGenerator, type ServiceDeps } from './services/context.js';
import { seedDemoData, type DemoToken } from './services/demo/seed-demo-data.js';
import { createNodeSandbox, loadOrCreateNodeKey } from './adapters/pagopa/node-sandbox.js';
import { paForNodeSoapCodec, reportingFlowXmlReader } from './adapters/pagopa/codecs.js';
import type { NodeAuthPolicy } from './http/pagopa-node-auth.js';
import { fileStatusSnapshot } from './adapters/fs/status-snapshot.js';
import { StatusMonitor } from './services/status/status-monitor.js';
import { pdfPaymentDocuments } from './adapters/pdf/pdf-payment-documents.js';
import { renderDailyRegister, renderTransmissionLetter } from './adapters/pdf/notice-letter.js';
import { pecReceiptReader } from './adapters/mail/pec-receipt-reader.js';
import { loadTrustAnchors, smimeVerifier } from './adapters/mail/smime.js';
import { loadOrCreateSigningKey } from './adapters/protocol/signing-key.js';
import { DEFAULT_SEAL_SUBJECT, Seal, adoptDatabaseSeal } from './adapters/protocol/seal.js';
import { databaseSeal } from './adapters/db/default-seal.js';
import { fileMailer, smtpMailer } from './adapters/mail/mailer.js';
import { httpWebhooks, publicAddressesOnly } from './adapters/mail/webhooks.js';
import { imapMailbox } from './adapters/mail/imap-mailbox.js';
import { emlFiles } from './adapters/mail/eml-files.js';
import { ReceiptIntake } from './services/payments/receive-receipts.js';
import { VerificationCache } from './services/payments/verify-contribution.js';
import { ProtocolRegistrar } from './services/notices/register-outgoing.js';
import { createOpenIdProvider } from './adapters/oidc/openid-connect.js';
import { OutboxWorker } from './jobs/outbox-worker.js';
import { RateLimiter } from './services/notices/dispatch.js';
import type { LetterRenderer, Mailer } from './services/notices/ports.js';
import type { PecMailbox } from './services/notices/ports.js';
import { simogUnitOfWork } from './adapters/db/repositories/simog-repository.js';
import { simogCodec } from './adapters/simog/simog-codec.js';
import { SimogSessions } from './services/simog/simog-session.js';
import type { OpendataServices } from './services/opendata/ports.js';
import { opendataRepository } from './adapters/db/repositories/opendata-repository.js';
import { directoryFileStore } from './adapters/opendata/file-store.js';
import { tabularEncoder } from './adapters/opendata/tabular-encoders.js';
import { workerProducer } from './adapters/opendata/export-worker.js';
import { EXPORT_LEASE_MS } from './services/opendata/export-opendata-period-once.js';

/** The letters are filed under this entry of the titolario (the segnatura requires a classification). */
const LETTER_CLASSIFICATION = { code: '1.6', name: 'Comunicazioni agli enti e ai RUP' };

export const pdfLetters: LetterRenderer = {
  transmissionLetter: renderTransmissionLetter,
  dailyRegister: renderDailyRegister,
};

/** The one place that names concrete adapters and wires them. */
export interface Container {
  monitor: StatusMonitor;
  config: Config;
  logger: Logger;
  database: DatabaseHandle;
  /** DATABASE_READ_URL (the replicas), when configured: the public reads go there. */
  readDatabase: DatabaseHandle | null;
  /** Cache invalidation between the processes sharing the database (LISTEN/NOTIFY on PostgreSQL). */
  cacheBus: CacheBus;
  /** Rate-limit counters shared by the processes (PostgreSQL); undefined = this process's memory. */
  rateLimitStore: unknown;
  deps: ServiceDeps;
  authenticator: TokenAuthenticator;
  metrics: Metrics;
  /** Sends relays and notifications: SMTP when configured, else .eml files under DATA_DIR/mail/outbox. */
  mailer: Mailer;
  /** Where the file mailer writes; null with SMTP. */
  mailDir: string | null;
  outbox: OutboxWorker;
  /** Who may call /pagopa/paForNode. */
  pagopaNode: NodeAuthPolicy;
  /** Contribution answers kept briefly for the node's repeated verifications. */
  verificationCache: VerificationCache;
  /** Receipts from the node, grouped into one transaction when they arrive together. */
  receiptIntake: ReceiptIntake;
  /** Standalone protocol registrations, grouped likewise. */
  protocolRegistrar: ProtocolRegistrar;
  /** The PEC mailbox polled for receipts (PEC_IMAP_URL); undefined when not configured. */
  pecMailbox: PecMailbox | undefined;
  /** Where this process is reached: PUBLIC_URL, or the address it listens on once started. */
  serviceUrl: ServiceUrl;
  /** Open data files (DATA_DIR/opendata) and the reads that produce them. */
  opendata: OpendataServices;
  /** The pair that signs the segnatura and the certificates (see adapters/protocol/seal.ts). */
  seal: Seal;
  close(): Promise<void>;
}

/**
 * The URL of this service, owned by its container: PUBLIC_URL when set (links in pages, feeds and
 * e-mails), and the address it listens on, known once `startService` has bound the port (the pagoPA
 * sandbox calls it there).
 */
export class ServiceUrl {
  #listening: string | undefined;
  constructor(readonly configured: string | undefined) {}
  /** Called once the service listens. */
  listeningOn(url: string): void {
    this.#listening = url;
  }
  /** Where this process itself is called (the sandbox): the listening address, PUBLIC_URL before that. */
  get local(): string {
    return this.#listening ?? this.configured ?? 'http://127.0.0.1:3000';
  }
  /** The base of public links: PUBLIC_URL, else the listening address ('' before listening). */
  get public(): string {
    return this.configured ?? this.#listening ?? '';
  }
}

export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export interface ContainerOverrides {
  clock?: Clock;
  ids?: IdGenerator;
  logger?: Logger;
}

export async function createContainer(
  config: Config,
  overrides: ContainerOverrides = {},
): Promise<Container> {
  const logger = overrides.logger ?? pino({ level: config.logLevel });
  const database = await openDatabase({
    url: config.databaseUrl,
    dataDir: join(config.dataDir, 'pglite'),
    poolSize: config.dbPoolSize,
    connectTimeoutMs: config.dbConnectTimeoutMs,
    statementTimeoutMs: config.dbStatementTimeoutMs,
    onPoolError: (error) => logger.warn({ err: error }, 'idle database connection lost'),
  });
  const readDatabase = config.databaseReadUrl
    ? await openDatabase({
        url: config.databaseReadUrl,
        poolSize: config.dbPoolSize,
        connectTimeoutMs: config.dbConnectTimeoutMs,
        statementTimeoutMs: config.dbStatementTimeoutMs,
        onPoolError: (error) => logger.warn({ err: error }, 'idle read-replica connection lost'),
      })
    : null;
  const pecTrust = loadTrustAnchors(config.pecTrustDir);
  if (pecTrust.length === 0) {
    logger.warn(
      { dir: config.pecTrustDir },
      'no PEC provider certificate in PEC_TRUST_DIR: every PEC receipt is kept for review',
    );
  }
  const shared = createStoreShared(database.db, { maxConcurrentBatches: config.maxConcurrentBatches });
  // One key pair signs the segnatura and the downtime certificates: the AOO's seal (docs/decisions.md 29);
  // without SEGNATURA_KEY_DIR, prepareDatabase switches it to the database's (one seal per database).
  const seal = new Seal(
    loadOrCreateSigningKey(config.segnaturaKeyDir, DEFAULT_SEAL_SUBJECT),
    LETTER_CLASSIFICATION,
  );
  const deps: ServiceDeps = {
    store: createStore(database.db, shared),
    simogInterface: {
      uow: simogUnitOfWork(database.db, shared, { maxConcurrentBatches: config.maxConcurrentBatches }),
      sessions: new SimogSessions({ ticketTtlMs: config.simogTicketTtlMinutes * 60_000 }),
      codec: simogCodec(),
    },
    clock: overrides.clock ?? systemClock,
    ids: overrides.ids ?? randomIds,
    cigOrdinals: new OrdinalAllocator('pcp', 128),
    smartCigOrdinals: new OrdinalAllocator('smart_cig'),
    documents: pdfPaymentDocuments,
    paymentNode: null,
    letters: pdfLetters,
    segnatura: seal.segnatura,
    pecReceipts: pecReceiptReader(smimeVerifier(pecTrust)),
    paForNode: paForNodeSoapCodec,
    reportingFlows: reportingFlowXmlReader,
    certificates: seal.certificates,
    creditor: {
      fiscalCode: config.pagopa.creditorFiscalCode,
      name: config.pagopa.creditorName,
      officeName: config.pagopa.officeName,
      brokerId: config.pagopa.brokerId,
      stationId: config.pagopa.stationId,
      segregationCode: config.pagopa.segregationCode,
      iban: config.pagopa.iban,
      activationMinutes: config.pagopa.activationMinutes,
    },
  };
  const sandbox = config.pagopa.sandbox;
  const serviceUrl = new ServiceUrl(config.publicUrl);
  const node = config.pagopa.node;
  // The sandbox authenticates as the node does: with a configured key, or one kept in DATA_DIR.
  const sandboxKey = sandbox
    ? (node.subscriptionKeys[0] ?? loadOrCreateNodeKey(join(config.dataDir, 'pagopa-node-key')))
    : undefined;
  const pagopaNode: NodeAuthPolicy = {
    subscriptionKeys:
      sandboxKey !== undefined && node.subscriptionKeys.length === 0 ? [sandboxKey] : node.subscriptionKeys,
    allowedAddresses: node.allowedAddresses,
    clientVerifyHeader: node.clientVerifyHeader,
  };
  if (pagopaNode.subscriptionKeys.length === 0 && pagopaNode.clientVerifyHeader === undefined) {
    logger.warn(
      'pagoPA: no node credential configured (PAGOPA_NODE_SUBSCRIPTION_KEY or PAGOPA_NODE_CLIENT_VERIFY_HEADER): every /pagopa/paForNode call is refused',
    );
  }
  if (sandbox) {
    deps.paymentNode = createNodeSandbox({
      baseUrl: () => serviceUrl.local,
      creditor: deps.creditor,
      clock: deps.clock,
      subscriptionKey: sandboxKey,
    });
  }
  const monitor = new StatusMonitor(deps, {
    ping: database.ping,
    snapshot: fileStatusSnapshot(join(config.dataDir, 'status-snapshot.json')),
    failuresToOpen: config.probeFailuresToOpen,
    successesToClose: config.probeSuccessesToClose,
    sharedIncidents: sharedProbeIncidents(database.db),
    logger,
  });
  const mailDir = config.mail.smtpUrl ? null : join(config.dataDir, 'mail', 'outbox');
  const mailer = config.mail.smtpUrl
    ? smtpMailer({
        url: config.mail.smtpUrl,
        from: config.mail.from,
        maxConnections: config.mail.concurrency,
      })
    : fileMailer({ dir: mailDir as string, from: config.mail.from });
  const outbox = new OutboxWorker(deps, {
    mailer,
    webhooks: httpWebhooks({
      allowLocalReceivers: config.webhookLocalReceivers,
    }),
    concurrency: config.mail.concurrency,
    leaseMs: config.mail.leaseMs,
    // A claimed batch must be sent well within its lease at the configured rate.
    batchSize: Math.max(
      1,
      Math.min(200, Math.floor((config.mail.ratePerSecond * config.mail.leaseMs) / 2000)),
    ),
    limiter: new RateLimiter(config.mail.ratePerSecond),
    logger,
  });
  const cacheBus =
    database.engine === 'postgres' && config.databaseUrl
      ? postgresCacheBus({
          url: config.databaseUrl,
          db: database.db,
          connectTimeoutMs: config.dbConnectTimeoutMs,
          onError: (error, what) => logger.warn({ err: error }, what),
        })
      : localCacheBus();
  let rateLimitWarned = 0;
  const rateLimitStore =
    database.engine === 'postgres' && config.rateLimitStore === 'database'
      ? postgresRateLimitStore(database.db, (error) => {
          if (Date.now() - rateLimitWarned < 10_000) return;
          rateLimitWarned = Date.now();
          logger.warn({ err: error }, 'shared rate-limit counters unavailable: counting in this process');
        })
      : undefined;
  const opendata: OpendataServices = {
    repository: opendataRepository(database.db, { streaming: database.engine === 'postgres' }),
    files: directoryFileStore(config.opendata.dir),
    encoder: tabularEncoder,
    ocidPrefix: config.opendata.ocidPrefix,
    publicUrl: () => serviceUrl.public,
    pageSize: 5000,
    // PostgreSQL: exports run in a low-priority worker thread with its own pool (docs/opendata.md);
    // PGlite has one in-process connection, shared with the API: exports stay in this thread.
    producer:
      database.engine === 'postgres' && config.databaseUrl && config.opendata.exportWorker
        ? workerProducer({
            database: {
              url: config.databaseUrl,
              connectTimeoutMs: config.dbConnectTimeoutMs,
              statementTimeoutMs: config.dbStatementTimeoutMs,
            },
            dir: config.opendata.dir,
            ocidPrefix: config.opendata.ocidPrefix,
            pageSize: 5000,
            onRun: (run) => logger.info(run, 'open data export done in its worker thread'),
            // Not past its run's lease: by then another process may produce the period.
            timeoutMs: EXPORT_LEASE_MS,
          })
        : undefined,
  };
  return {
    opendata,
    monitor,
    config,
    logger,
    database,
    readDatabase,
    cacheBus,
    rateLimitStore,
    deps,
    authenticator: new TokenAuthenticator(deps),
    metrics: new Metrics(),
    mailer,
    mailDir,
    outbox,
    pagopaNode,
    verificationCache: new VerificationCache(config.lookupCacheTtlMs),
    receiptIntake: new ReceiptIntake(deps, { maxConcurrent: config.maxConcurrentBatches }),
    protocolRegistrar: new ProtocolRegistrar(deps),
    pecMailbox: config.pecImap ? imapMailbox(config.pecImap.url) : undefined,
    serviceUrl,
    seal,
    close: async () => {
      await outbox.stop();
      await mailer.close();
      await cacheBus.close();
      await database.close();
      await readDatabase?.close();
    },
  };
}

/** Schema migrations, then the shipped code lists. */
export async function prepareDatabase(container: Container): Promise<void> {
  const { applied } = await migrateToLatest(container.database.db);
  if (applied.length > 0) container.logger.info({ applied }, 'migrations applied');
  const { loaded } = await syncReferenceData(container.database.db);
  if (loaded.length > 0) container.logger.info({ loaded }, 'reference data loaded');
  await adoptSeal(container);
}

/**
 * Switches the container's seal to the database's (see adapters/protocol/seal.ts); part of
 * prepareDatabase. `gara serve` on PGlite, whose database was prepared by a child process, calls it
 * itself: the child's copy into DATA_DIR/keys may have been refused (a read-only directory).
 */
export async function adoptSeal(container: Container): Promise<void> {
  const source = await adoptDatabaseSeal(container.seal, {
    configured: container.config.segnaturaKeyConfigured,
    dir: container.config.segnaturaKeyDir,
    database: databaseSeal(container.database.db),
    warn: (message, error) => container.logger.warn({ err: error }, message),
  });
  container.logger.debug({ source }, 'seal');
}

const tokensFile = (config: Config) => join(config.dataDir, 'demo-tokens.json');

/** Seeds demo data into an empty database and keeps the demo tokens in DATA_DIR (readable by the owner only). */
export async function seedDemo(container: Container): Promise<{ seeded: boolean; tokens: DemoToken[] }> {
  const result = await seedDemoData(container.deps);
  if (result.seeded) {
    mkdirSync(container.config.dataDir, { recursive: true });
    writeFileSync(tokensFile(container.config), `${JSON.stringify(result.tokens, null, 2)}\n`, {
      mode: 0o600,
    });
    chmodSync(tokensFile(container.config), 0o600);
    return result;
  }
  return { seeded: false, tokens: readDemoTokens(container.config) };
}

export function readDemoTokens(config: Config): DemoToken[] {
  try {
    return JSON.parse(readFileSync(tokensFile(config), 'utf8')) as DemoToken[];
  } catch {
    return [];
  }
}

export interface RunningService {
  app: FastifyInstance;
  url: string;
  stop(): Promise<void>;
}

/** Starts the HTTP service and the background jobs. */
export async function startService(container: Container): Promise<RunningService> {
  const { config, logger, deps } = container;
  const app = await buildApp({
    deps,
    authenticator: container.authenticator,
    ping: container.database.ping,
    engine: container.database.engine,
    cacheBus: container.cacheBus,
    rateLimitStore: container.rateLimitStore,
    readStore: container.readDatabase
      ? createStore(container.readDatabase.db, createStoreShared(container.readDatabase.db))
      : undefined,
    version: VERSION,
    rateLimit: { max: config.rateLimitMax, windowMs: config.rateLimitWindowMs },
    lookupCacheTtlMs: config.lookupCacheTtlMs,
    monitor: container.monitor,
    publicUrl: () => container.serviceUrl.public,
    maxConcurrentBatches: config.maxConcurrentBatches,
    verificationCache: container.verificationCache,
    receiptIntake: container.receiptIntake,
    protocolRegistrar: container.protocolRegistrar,
    webhookHostIsPublic: (host) => publicAddressesOnly(host),
    logger,
    metrics: container.metrics,
    sentMail: container.mailDir ? emlFiles(container.mailDir) : null,
    demoSignIn: config.portalDemoSignIn,
    oidc: config.oidc && createOpenIdProvider(config.oidc),
    pagopaNode: container.pagopaNode,
    opendata: container.opendata,
    opendataReads: container.readDatabase
      ? {
          ...container.opendata,
          repository: opendataRepository(container.readDatabase.db),
        }
      : undefined,
    webhookLocalReceivers: config.webhookLocalReceivers,
  });
  const scheduler = new Scheduler(logger);
  if (config.jobsEnabled)
    scheduler.start(
      backgroundJobs(deps, config, {
        links: () => container.serviceUrl.public || undefined,
        pecMailbox: container.pecMailbox,
        opendata: container.opendata,
      }),
      { runAtStart: true },
    );
  container.monitor.start(config.probeIntervalMs);
  if (config.jobsEnabled) container.outbox.start();
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url =
    config.publicUrl ?? `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  // The sandbox calls this process directly, on loopback when listening on every interface.
  const local = ['0.0.0.0', '::'].includes(config.host)
    ? '127.0.0.1'
    : config.host.includes(':')
      ? `[${config.host}]`
      : config.host;
  container.serviceUrl.listeningOn(`http://${local}:${port}`);
  return {
    app,
    url,
    stop: async () => {
      await app.close();
      await scheduler.stop();
      await container.outbox.stop();
      await container.monitor.stop();
    },
  };
}

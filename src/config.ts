/**
 * Configuration: one schema, read once from the environment at start-up and passed in. Nothing else
 * reads process.env. A bad value stops the start with a message naming the variable.
 */
import { resolve } from 'node:path';
import { checkNumericFiscalCode } from './domain/registry/fiscal-code.js';
import { parseAddressRange } from './http/pagopa-node-auth.js';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** postgres://...; absent = embedded PGlite under dataDir. */
  databaseUrl: string | undefined;
  /** The engine DATABASE_URL names: every `auto` setting below is resolved against it, here, once. */
  engine: 'pglite' | 'postgres';
  /** postgres://... of the replicas (HAProxy's read port); absent = public reads go to databaseUrl. */
  databaseReadUrl: string | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  dbPoolSize: number;
  dbConnectTimeoutMs: number;
  dbStatementTimeoutMs: number;
  rateLimitMax: number;
  rateLimitWindowMs: number;
  /** Where the rate-limit counters live: this process's memory, or PostgreSQL (shared by the processes). */
  rateLimitStore: 'memory' | 'database';
  /** Seed demo data into an empty database (SEED_DEMO; auto = on the embedded engine only). */
  seedDemo: boolean;
  /** The portal's demo sign-in, picking a seeded user (PORTAL_DEMO_SIGNIN; auto = embedded engine only). */
  portalDemoSignIn: boolean;
  /** Webhook receivers on http:// or local addresses (WEBHOOK_LOCAL_RECEIVERS; auto = embedded engine only). */
  webhookLocalReceivers: boolean;
  /** Write batches (lot issuance, receipts) in flight at once: 1 on PGlite, a quarter of the pool on PostgreSQL. */
  maxConcurrentBatches: number;
  jobsEnabled: boolean;
  expireLotsIntervalMs: number;
  idempotencyRetentionHours: number;
  lookupCacheTtlMs: number;
  probeIntervalMs: number;
  /** How long a SIMOG ticket (login) lives. */
  simogTicketTtlMinutes: number;
  probeFailuresToOpen: number;
  probeSuccessesToClose: number;
  pagopa: {
    creditorFiscalCode: string;
    creditorName: string;
    officeName: string;
    brokerId: string;
    stationId: string;
    segregationCode: string;
    iban: string;
    activationMinutes: number;
    /** The built-in node/PSP sandbox (PAGOPA_SANDBOX; auto = on with the embedded engine only). */
    sandbox: boolean;
    /** Who may call /pagopa/paForNode: the node's credentials (see http/pagopa-node-auth.ts). */
    node: {
      /** Accepted Ocp-Apim-Subscription-Key values (two during a rotation). */
      subscriptionKeys: string[];
      /** CIDR ranges or addresses the calls may come from; empty = any. */
      allowedAddresses: string[];
      /** Header set by the TLS-terminating proxy that verified the node's client certificate. */
      clientVerifyHeader: string | undefined;
    };
  };
  publicUrl: string | undefined;
  mail: {
    /** smtp:// or smtps:// (a PEC provider's relay); absent = .eml files under DATA_DIR/mail/outbox. */
    smtpUrl: string | undefined;
    from: string;
    ratePerSecond: number;
    concurrency: number;
    leaseMs: number;
  };
  /** Where the AOO's segnatura signing key and certificate are kept (created on first use). */
  segnaturaKeyDir: string;
  /**
   * SEGNATURA_KEY_DIR was set: its files are the seal (created there when absent). Unset, the seal is
   * an operator's pair found in DATA_DIR/keys, else the database's self-signed one (decisions "One seal").
   */
  segnaturaKeyConfigured: boolean;
  /** Open data: where the files are published, and the registered OCDS ocid prefix. */
  opendata: { dir: string; ocidPrefix: string; exportWorker: boolean };
  /** PEM files of the PEC providers' certificates (or CAs) whose signed receipts are believed. */
  pecTrustDir: string;
  /** OpenID Connect sign-in to the portal (the SPID/CIE gateway); undefined when not configured. */
  oidc: OidcConfig | undefined;
  /** The PEC mailbox polled for receipts (IMAP); undefined: receipts arrive only over HTTP. */
  pecImap: { url: URL; intervalMs: number } | undefined;
}

export interface OidcConfig {
  /** The provider's issuer identifier; its metadata is at `<issuer>/.well-known/openid-configuration`. */
  issuerUrl: string;
  clientId: string;
  /** Undefined: a public client (PKCE, no client authentication). */
  clientSecret: string | undefined;
  /** Space-separated scopes, `openid` among them. */
  scopes: string;
  /** Where the provider sends the browser back: this service's `/accedi/oidc/ritorno`. */
  redirectUrl: string;
}

export interface ConfigVariable {
  name: string;
  default: string;
  description: string;
}

/** Listed in the README (keep in step: a test checks it). */
export const configVariables: ConfigVariable[] = [
  { name: 'PORT', default: '3000', description: 'HTTP port' },
  { name: 'HOST', default: '127.0.0.1', description: 'Interface to listen on (0.0.0.0 in a container)' },
  { name: 'DATA_DIR', default: './data', description: 'Folder for the embedded database and local files' },
  {
    name: 'DATABASE_URL',
    default: '(none)',
    description: 'PostgreSQL 15+ URL; when unset the embedded PGlite database under DATA_DIR is used',
  },
  {
    name: 'DATABASE_READ_URL',
    default: '(none)',
    description:
      'PostgreSQL URL of the replicas (e.g. HAProxy read port): public reads (CIG lookups, comunicati feed) go there and keep answering while the primary is replaced; needs DATABASE_URL',
  },
  { name: 'LOG_LEVEL', default: 'info', description: 'fatal, error, warn, info, debug, trace or silent' },
  { name: 'DB_POOL_SIZE', default: '10', description: 'PostgreSQL connections in the pool' },
  {
    name: 'DB_CONNECT_TIMEOUT_MS',
    default: '2000',
    description: 'Give up connecting to PostgreSQL after this long',
  },
  {
    name: 'DB_STATEMENT_TIMEOUT_MS',
    default: '15000',
    description:
      'PostgreSQL statement_timeout; on PGlite a call waiting this long fails (503) and readiness reports it',
  },
  {
    name: 'RATE_LIMIT_MAX',
    default: '600',
    description: 'Requests per token (or per IP without a token) per window',
  },
  { name: 'RATE_LIMIT_WINDOW_MS', default: '60000', description: 'Rate-limit window' },
  {
    name: 'RATE_LIMIT_STORE',
    default: 'memory',
    description:
      'memory (each process counts its own) or database (counters shared by several processes in PostgreSQL: one write per API call)',
  },
  {
    name: 'SEED_DEMO',
    default: 'auto',
    description: 'Seed demo data into an empty database: auto (embedded engine only), always, never',
  },
  {
    name: 'PORTAL_DEMO_SIGNIN',
    default: 'auto',
    description: 'Portal sign-in by picking a seeded user: auto (embedded engine only), on, off',
  },
  {
    name: 'WEBHOOK_LOCAL_RECEIVERS',
    default: 'auto',
    description:
      'Webhook receivers on http:// or on local or private addresses: auto (embedded engine only), on, off (https and public addresses only)',
  },
  {
    name: 'JOBS_ENABLED',
    default: 'true',
    description: 'Run scheduled jobs (lot expiry, clean-up) in this process',
  },
  {
    name: 'EXPIRE_LOTS_INTERVAL_MS',
    default: '3600000',
    description: 'How often unperfected lots past their deadline are cancelled',
  },
  {
    name: 'IDEMPOTENCY_RETENTION_HOURS',
    default: '72',
    description: 'How long Idempotency-Key results are kept',
  },
  {
    name: 'LOOKUP_CACHE_TTL_MS',
    default: '2000',
    description: 'Public CIG lookups may be served from memory for this long (0 = off)',
  },
  {
    name: 'PAGOPA_CREDITOR_FISCAL_CODE',
    default: '97584460584',
    description: "The creditor's (the Authority's) fiscal code, idPA",
  },
  {
    name: 'PAGOPA_CREDITOR_NAME',
    default: 'Autorità Nazionale Anticorruzione',
    description: 'Creditor name on notices and in the payment data',
  },
  {
    name: 'PAGOPA_OFFICE_NAME',
    default: 'Ufficio contribuzioni',
    description: 'Office name in the payment data',
  },
  {
    name: 'PAGOPA_BROKER_ID',
    default: '(creditor fiscal code)',
    description: 'idBrokerPA the node must send',
  },
  { name: 'PAGOPA_STATION_ID', default: '(fiscal code)_01', description: 'idStation the node must send' },
  {
    name: 'PAGOPA_SEGREGATION_CODE',
    default: '01',
    description: 'Segregation code (2 digits) in notice numbers (aux digit 3)',
  },
  {
    name: 'PAGOPA_IBAN',
    default: 'IT60X0542811101000000123456',
    description: 'IBAN credited in the transfers',
  },
  {
    name: 'PAGOPA_ACTIVATION_MINUTES',
    default: '30',
    description: 'After paGetPayment a notice is "in progress" for this long',
  },
  {
    name: 'PAGOPA_NODE_SUBSCRIPTION_KEY',
    default: '(none; sandbox: DATA_DIR/pagopa-node-key)',
    description:
      'subscription key(s) the pagoPA node sends in Ocp-Apim-Subscription-Key, comma-separated (two during a rotation)',
  },
  {
    name: 'PAGOPA_NODE_ALLOWED_IPS',
    default: '(any)',
    description: 'addresses or CIDR ranges /pagopa/paForNode accepts connections from, comma-separated',
  },
  {
    name: 'PAGOPA_NODE_CLIENT_VERIFY_HEADER',
    default: '(none)',
    description:
      'header the TLS proxy sets to SUCCESS after checking the node certificate (mutual TLS); believed from PAGOPA_NODE_ALLOWED_IPS only',
  },
  {
    name: 'PAGOPA_SANDBOX',
    default: 'auto',
    description: 'Built-in pagoPA node + PSP sandbox: auto (embedded engine only), on, off',
  },
  { name: 'PUBLIC_URL', default: '(http://HOST:PORT)', description: 'Base URL printed and used in links' },
  {
    name: 'SIMOG_TICKET_TTL_MINUTES',
    default: '60',
    description: 'How long a ticket of the SIMOG web service (login) lives; chiudiSessione ends it earlier',
  },
  {
    name: 'PROBE_INTERVAL_MS',
    default: '1000',
    description: 'How often the probes check the services and the database',
  },
  {
    name: 'PROBE_FAILURES_TO_OPEN',
    default: '3',
    description: 'Consecutive probe failures that open an incident by themselves',
  },
  {
    name: 'PROBE_SUCCESSES_TO_CLOSE',
    default: '3',
    description: 'Consecutive probe successes that resolve it',
  },
  {
    name: 'SMTP_URL',
    default: '(none)',
    description:
      'smtp:// or smtps:// URL of the outgoing (PEC) server; when unset messages are written as .eml files under DATA_DIR/mail/outbox',
  },
  {
    name: 'MAIL_FROM',
    default: 'Osservatorio contratti pubblici <noreply@gara.localhost>',
    description: 'Sender of relays and notifications',
  },
  { name: 'MAIL_RATE_PER_SECOND', default: '100', description: 'At most this many messages sent per second' },
  {
    name: 'OUTBOX_CONCURRENCY',
    default: '8',
    description: 'Messages (and SMTP connections) in flight at once',
  },
  {
    name: 'OUTBOX_LEASE_MS',
    default: '60000',
    description: 'A message claimed by a process that died is sent again after this long',
  },
  {
    name: 'PEC_IMAP_URL',
    default: '(none)',
    description:
      "Mailbox of the sections' PEC where receipts arrive, polled over IMAP: imaps://user:password@host[:port]/MAILBOX (imap:// only on loopback)",
  },
  {
    name: 'PEC_IMAP_INTERVAL_MS',
    default: '60000',
    description: 'How often the PEC mailbox is read for new receipts',
  },
  {
    name: 'SEGNATURA_KEY_DIR',
    default: '(DATA_DIR/keys)',
    description:
      'Signing key and certificate of the segnatura XML and of the downtime certificates (the seal). Unset: a self-signed pair shared by every process through the database, copied into DATA_DIR/keys',
  },
  {
    name: 'OPENDATA_DIR',
    default: '(DATA_DIR/opendata)',
    description: 'Where the open data files (CSV, JSON, OCDS) are written and served from',
  },
  {
    name: 'OPENDATA_EXPORT_WORKER',
    default: 'true',
    description:
      'PostgreSQL: open data exports run in a worker thread at the lowest priority (nice 19) with its own connections; false: in the API thread',
  },
  {
    name: 'OCDS_OCID_PREFIX',
    default: 'ocds-hu01ve',
    description: "Registered OCDS ocid prefix; an ocid is this prefix, '-', the tender number",
  },
  {
    name: 'PEC_TRUST_DIR',
    default: '(DATA_DIR/pec-trust)',
    description:
      "PEM files of the PEC providers' certificates (AgID's public list) or their CAs: a receipt changes a delivery state only when its S/MIME signature chains to one",
  },
  {
    name: 'OIDC_ISSUER_URL',
    default: '(none)',
    description:
      'OpenID Connect provider (the SPID/CIE gateway) for portal sign-in: https URL of its issuer (http only on a loopback host); set together with OIDC_CLIENT_ID',
  },
  { name: 'OIDC_CLIENT_ID', default: '(none)', description: 'Client id registered at that provider' },
  {
    name: 'OIDC_CLIENT_SECRET',
    default: '(none)',
    description: 'Client secret (client_secret_basic); when unset the portal is a public client (PKCE only)',
  },
  {
    name: 'OIDC_SCOPES',
    default: 'openid profile email',
    description: 'Scopes asked of the provider (openid among them)',
  },
  {
    name: 'OIDC_REDIRECT_URL',
    default: '(PUBLIC_URL/accedi/oidc/ritorno)',
    description: 'Where the provider sends the browser back; register it at the provider',
  },
];

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^[0-9]+$/.test(raw.trim())) throw new ConfigError(name, `"${raw}" is not a whole number`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `${value} is outside ${min}..${max}`);
  return value;
}

function oneOf<T extends string>(env: Env, name: string, fallback: T, allowed: readonly T[]): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = raw.trim().toLowerCase() as T;
  if (!allowed.includes(value)) throw new ConfigError(name, `"${raw}" is not one of ${allowed.join(', ')}`);
  return value;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const value = oneOf(env, name, fallback ? 'true' : 'false', ['true', 'false', '1', '0', 'yes', 'no']);
  return ['true', '1', 'yes'].includes(value);
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, 'is not a URL');
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
  }
  return raw;
}

function readUrl(env: Env): string | undefined {
  const read = url(env, 'DATABASE_READ_URL', ['postgres:', 'postgresql:']);
  if (read !== undefined && !env.DATABASE_URL)
    throw new ConfigError('DATABASE_READ_URL', 'needs DATABASE_URL (the primary) as well');
  return read;
}

export function loadConfig(env: Env = process.env): Config {
  const host = (env.HOST ?? '127.0.0.1').trim();
  if (!/^[A-Za-z0-9.:_-]+$/.test(host))
    throw new ConfigError('HOST', `"${host}" is not a host name or address`);
  const port = integer(env, 'PORT', 3000, 0, 65535);
  const dataDir = env.DATA_DIR?.trim() || './data';
  const publicUrl = url(env, 'PUBLIC_URL', ['http:', 'https:']);
  const databaseUrl = url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  const engine = databaseUrl ? 'postgres' : 'pglite';
  /** on / off as given; auto = on with the embedded engine only (demo, tests, intranets). */
  const onOrAuto = (name: string, values: readonly string[], on: string) => {
    const value = oneOf(env, name, 'auto', values);
    return value === 'auto' ? engine === 'pglite' : value === on;
  };
  const dbPoolSize = integer(env, 'DB_POOL_SIZE', 10, 1, 500);
  return {
    port,
    host,
    dataDir: resolve(dataDir),
    databaseUrl,
    engine,
    databaseReadUrl: readUrl(env),
    logLevel: oneOf(env, 'LOG_LEVEL', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    dbPoolSize,
    // PGlite is one session; on PostgreSQL a quarter of the pool may carry write batches.
    maxConcurrentBatches: engine === 'pglite' ? 1 : Math.max(1, Math.floor(dbPoolSize / 4)),
    dbConnectTimeoutMs: integer(env, 'DB_CONNECT_TIMEOUT_MS', 2000, 100, 600_000),
    dbStatementTimeoutMs: integer(env, 'DB_STATEMENT_TIMEOUT_MS', 15_000, 100, 3_600_000),
    rateLimitMax: integer(env, 'RATE_LIMIT_MAX', 600, 1, 100_000_000),
    rateLimitWindowMs: integer(env, 'RATE_LIMIT_WINDOW_MS', 60_000, 1000, 86_400_000),
    rateLimitStore: oneOf(env, 'RATE_LIMIT_STORE', 'memory', ['memory', 'database']),
    seedDemo: onOrAuto('SEED_DEMO', ['auto', 'always', 'never'], 'always'),
    portalDemoSignIn: onOrAuto('PORTAL_DEMO_SIGNIN', ['auto', 'on', 'off'], 'on'),
    webhookLocalReceivers: onOrAuto('WEBHOOK_LOCAL_RECEIVERS', ['auto', 'on', 'off'], 'on'),
    jobsEnabled: bool(env, 'JOBS_ENABLED', true),
    expireLotsIntervalMs: integer(env, 'EXPIRE_LOTS_INTERVAL_MS', 3_600_000, 1000, 86_400_000),
    idempotencyRetentionHours: integer(env, 'IDEMPOTENCY_RETENTION_HOURS', 72, 1, 24 * 365),
    lookupCacheTtlMs: integer(env, 'LOOKUP_CACHE_TTL_MS', 2000, 0, 3_600_000),
    probeIntervalMs: integer(env, 'PROBE_INTERVAL_MS', 1000, 100, 3_600_000),
    simogTicketTtlMinutes: integer(env, 'SIMOG_TICKET_TTL_MINUTES', 60, 1, 24 * 60),
    probeFailuresToOpen: integer(env, 'PROBE_FAILURES_TO_OPEN', 3, 1, 1000),
    probeSuccessesToClose: integer(env, 'PROBE_SUCCESSES_TO_CLOSE', 3, 1, 1000),
    pagopa: pagopaConfig(env, onOrAuto('PAGOPA_SANDBOX', ['auto', 'on', 'off'], 'on')),
    publicUrl,
    mail: {
      smtpUrl: url(env, 'SMTP_URL', ['smtp:', 'smtps:']),
      from: pattern(
        env,
        'MAIL_FROM',
        'Osservatorio contratti pubblici <noreply@gara.localhost>',
        /^([^<>\r\n]*<[^<>@\s]+@[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+)$/,
        'an address ("Name <user@host>" or user@host)',
      ),
      ratePerSecond: integer(env, 'MAIL_RATE_PER_SECOND', 100, 1, 100_000),
      concurrency: integer(env, 'OUTBOX_CONCURRENCY', 8, 1, 256),
      leaseMs: integer(env, 'OUTBOX_LEASE_MS', 60_000, 1000, 3_600_000),
    },
    segnaturaKeyDir: resolve(env.SEGNATURA_KEY_DIR?.trim() || resolve(dataDir, 'keys')),
    segnaturaKeyConfigured: Boolean(env.SEGNATURA_KEY_DIR?.trim()),
    pecTrustDir: resolve(env.PEC_TRUST_DIR?.trim() || resolve(dataDir, 'pec-trust')),
    opendata: {
      dir: resolve(env.OPENDATA_DIR?.trim() || resolve(dataDir, 'opendata')),
      ocidPrefix: ocidPrefix(env.OCDS_OCID_PREFIX),
      exportWorker: bool(env, 'OPENDATA_EXPORT_WORKER', true),
    },
    oidc: oidcConfig(env, publicUrl ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`),
    pecImap: pecImapConfig(env),
  };
}

const OIDC_VARIABLES = [
  'OIDC_ISSUER_URL',
  'OIDC_CLIENT_ID',
  'OIDC_CLIENT_SECRET',
  'OIDC_SCOPES',
  'OIDC_REDIRECT_URL',
] as const;
const OIDC_RETURN_PATH = '/accedi/oidc/ritorno';

/** The PEC mailbox: imaps://, or imap:// on a loopback host only (credentials in clear otherwise). */
function pecImapConfig(env: Env): Config['pecImap'] {
  const raw = env.PEC_IMAP_URL?.trim();
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('PEC_IMAP_URL', 'is not a URL');
  }
  const loopback =
    ['localhost', '[::1]'].includes(url.hostname) || /^127\.[0-9]+\.[0-9]+\.[0-9]+$/.test(url.hostname);
  if (url.protocol !== 'imaps:' && !(url.protocol === 'imap:' && loopback))
    throw new ConfigError('PEC_IMAP_URL', 'must start with imaps:// (imap:// only on a loopback host)');
  if (!url.username || !url.password)
    throw new ConfigError(
      'PEC_IMAP_URL',
      'must carry the mailbox user and password: imaps://user:password@host/',
    );
  return { url, intervalMs: integer(env, 'PEC_IMAP_INTERVAL_MS', 60_000, 1000, 86_400_000) };
}

/** https, or http on a loopback host only (a provider or portal on this machine, in development and tests). */
function secureUrl(name: string, value: string, what = 'URL'): URL {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(name, `"${value}" is not a URL`);
  }
  const loopback =
    ['localhost', '[::1]'].includes(parsed.hostname) || /^127\.[0-9]+\.[0-9]+\.[0-9]+$/.test(parsed.hostname);
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && loopback)) {
    throw new ConfigError(name, `${what} "${value}" must be https:// (http:// only on a loopback host)`);
  }
  if (parsed.hash || parsed.username || parsed.password) {
    throw new ConfigError(name, `${what} "${value}" must have no fragment and no credentials`);
  }
  return parsed;
}

function oidcConfig(env: Env, publicUrl: string): OidcConfig | undefined {
  const value = (name: (typeof OIDC_VARIABLES)[number]) => env[name]?.trim() || undefined;
  const issuer = value('OIDC_ISSUER_URL');
  const clientId = value('OIDC_CLIENT_ID');
  if (!issuer || !clientId) {
    const given = OIDC_VARIABLES.find((name) => value(name) !== undefined);
    if (given === undefined) return undefined;
    const missing = issuer ? 'OIDC_CLIENT_ID' : 'OIDC_ISSUER_URL';
    throw new ConfigError(missing, `must be set when ${given} is (OpenID Connect sign-in needs both)`);
  }
  const issuerUrl = secureUrl('OIDC_ISSUER_URL', issuer, 'issuer');
  if (issuerUrl.search) throw new ConfigError('OIDC_ISSUER_URL', 'an issuer has no query string');
  if (!/^[\x21-\x7e]{1,255}$/.test(clientId))
    throw new ConfigError('OIDC_CLIENT_ID', 'must be 1-255 printable characters without spaces');
  const clientSecret = value('OIDC_CLIENT_SECRET');
  if (clientSecret !== undefined && !/^[\x21-\x7e]{1,1000}$/.test(clientSecret))
    throw new ConfigError('OIDC_CLIENT_SECRET', 'must be printable characters without spaces');
  const scopes = (value('OIDC_SCOPES') ?? 'openid profile email').split(/\s+/);
  const badScope = scopes.find((scope) => !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(scope));
  if (badScope !== undefined) throw new ConfigError('OIDC_SCOPES', `"${badScope}" is not a scope`);
  if (!scopes.includes('openid')) throw new ConfigError('OIDC_SCOPES', 'must include openid');
  const explicitRedirect = value('OIDC_REDIRECT_URL');
  const redirect = explicitRedirect ?? `${publicUrl.replace(/\/+$/, '')}${OIDC_RETURN_PATH}`;
  const redirectUrl = secureUrl(
    'OIDC_REDIRECT_URL',
    redirect,
    explicitRedirect ? 'redirect URL' : 'redirect URL (from PUBLIC_URL; set PUBLIC_URL or OIDC_REDIRECT_URL)',
  );
  if (!redirectUrl.pathname.endsWith(OIDC_RETURN_PATH) || redirectUrl.search) {
    throw new ConfigError('OIDC_REDIRECT_URL', `"${redirect}" must end with ${OIDC_RETURN_PATH}`);
  }
  return {
    issuerUrl: issuer,
    clientId,
    clientSecret,
    scopes: [...new Set(scopes)].join(' '),
    redirectUrl: redirectUrl.href,
  };
}

function pattern(env: Env, name: string, fallback: string, re: RegExp, what: string): string {
  const value = (env[name] ?? '').trim() || fallback;
  if (!re.test(value)) throw new ConfigError(name, `"${value}" is not ${what}`);
  return value;
}

function pagopaConfig(env: Env, sandbox: boolean): Config['pagopa'] {
  const fiscalCode = pattern(
    env,
    'PAGOPA_CREDITOR_FISCAL_CODE',
    '97584460584',
    /^[0-9]{11}$/,
    'an 11-digit fiscal code',
  );
  if (!checkNumericFiscalCode(fiscalCode).valid) {
    throw new ConfigError('PAGOPA_CREDITOR_FISCAL_CODE', `${fiscalCode}: the check digit does not match`);
  }
  return {
    creditorFiscalCode: fiscalCode,
    creditorName: pattern(
      env,
      'PAGOPA_CREDITOR_NAME',
      'Autorità Nazionale Anticorruzione',
      /^.{1,140}$/,
      'a name of 1-140 characters',
    ),
    officeName: pattern(
      env,
      'PAGOPA_OFFICE_NAME',
      'Ufficio contribuzioni',
      /^.{1,140}$/,
      'a name of 1-140 characters',
    ),
    brokerId: pattern(env, 'PAGOPA_BROKER_ID', fiscalCode, /^[0-9]{11}$/, 'an 11-digit broker id'),
    stationId: pattern(env, 'PAGOPA_STATION_ID', `${fiscalCode}_01`, /^[0-9A-Za-z_-]{1,35}$/, 'a station id'),
    segregationCode: pattern(
      env,
      'PAGOPA_SEGREGATION_CODE',
      '01',
      /^[0-9]{2}$/,
      'a 2-digit segregation code',
    ),
    iban: pattern(
      env,
      'PAGOPA_IBAN',
      'IT60X0542811101000000123456',
      /^IT[0-9]{2}[A-Z][0-9]{10}[0-9A-Z]{12}$/,
      'an Italian IBAN',
    ),
    activationMinutes: integer(env, 'PAGOPA_ACTIVATION_MINUTES', 30, 1, 1440),
    sandbox,
    node: pagopaNodeConfig(env),
  };
}

const list = (env: Env, name: string): string[] =>
  (env[name] ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

function pagopaNodeConfig(env: Env): Config['pagopa']['node'] {
  const subscriptionKeys = list(env, 'PAGOPA_NODE_SUBSCRIPTION_KEY');
  for (const key of subscriptionKeys) {
    if (!/^[\x21-\x7E]{16,256}$/.test(key) || key.includes(','))
      throw new ConfigError(
        'PAGOPA_NODE_SUBSCRIPTION_KEY',
        'each key must be 16 to 256 printable characters without blanks or commas (value not shown)',
      );
  }
  const allowedAddresses = list(env, 'PAGOPA_NODE_ALLOWED_IPS');
  for (const range of allowedAddresses) {
    try {
      parseAddressRange(range);
    } catch {
      throw new ConfigError('PAGOPA_NODE_ALLOWED_IPS', `"${range}" is not an address or a CIDR range`);
    }
  }
  const header = env.PAGOPA_NODE_CLIENT_VERIFY_HEADER?.trim().toLowerCase() || undefined;
  if (header !== undefined) {
    if (!/^[a-z0-9-]{1,64}$/.test(header))
      throw new ConfigError('PAGOPA_NODE_CLIENT_VERIFY_HEADER', `"${header}" is not a header name`);
    if (allowedAddresses.length === 0)
      throw new ConfigError(
        'PAGOPA_NODE_CLIENT_VERIFY_HEADER',
        "set PAGOPA_NODE_ALLOWED_IPS to the TLS proxy's address: the header is believed only from there",
      );
  }
  return { subscriptionKeys, allowedAddresses, clientVerifyHeader: header };
}

/** An OCDS ocid prefix: "ocds-" and six lower-case letters or digits (the registry's form). */
function ocidPrefix(value: string | undefined): string {
  const prefix = value?.trim() || 'ocds-hu01ve';
  if (!/^ocds-[a-z0-9]{6}$/.test(prefix)) {
    throw new ConfigError(
      'OCDS_OCID_PREFIX',
      `"${prefix}" is not ocds- and six lower-case letters or digits`,
    );
  }
  return prefix;
}

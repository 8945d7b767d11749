#!/usr/bin/env node
import { spawn } from 'node:child_process';
import { Command } from 'commander';
import { loadConfig, ConfigError, type Config } from '../config.js';
import {
  createContainer,
  prepareDatabase,
  adoptSeal,
  readDemoTokens,
  seedDemo,
  startService,
  VERSION,
} from '../container.js';
import { GaraApiError, GaraClient, GaraUnreachableError } from '../client/client.js';
import { formatValidations, readCodesFromStdin } from './cig-validate.js';
import { payableDemoCig, type DemoToken } from '../services/demo/seed-demo-data.js';
import { registerQueueCommands } from './queue-commands.js';
import { registerRelayCommands } from './relay-commands.js';
import { DataDirLockedError } from '../adapters/fs/data-dir-lock.js';
import { registerOpendataCommands } from './opendata-commands.js';
import { registerCertificateCommands } from './certificate-commands.js';

/** The gara command: runs the service and its chores, and talks to a running service as a client. */

function config(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`gara: configuration error: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
}

const program = new Command()
  .name('gara')
  .description('CIG registry and service continuity for Italian public tenders')
  .version(VERSION);

/**
 * On the embedded engine the preparation (creating the data directory, migrations, code lists, demo
 * data) runs in a short-lived child process: PGlite's WebAssembly memory only grows, and creating a
 * database and seeding it takes it to ~800 MB that the service would otherwise keep for good. The
 * service then opens the prepared directory. Resolves when the child has finished without error.
 */
async function prepareInChild(): Promise<void> {
  const script = process.argv[1];
  if (!script) throw new Error('cannot tell the path of the gara command to prepare the database');
  const child = spawn(process.execPath, [...process.execArgv, script, 'prepare'], {
    stdio: 'inherit',
    env: process.env,
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (exitCode, signal) => resolve(signal ? 128 : exitCode));
  });
  // The child has said why (a locked DATA_DIR: one line); exit with its code, no second stack trace.
  if (code !== 0) process.exit(code ?? 1);
}

/** A second process on the same embedded DATA_DIR: one clear line, exit 1. */
function refuseLockedDataDir(error: unknown): never {
  if (!(error instanceof DataDirLockedError)) throw error;
  console.error(`gara: ${error.message}`);
  process.exit(1);
}

program
  .command('serve')
  .description('migrate, seed demo data when configured, and run the HTTP service')
  .action(async () => {
    const cfg = config();
    const embedded = !cfg.databaseUrl;
    if (embedded) await prepareInChild();
    const container = await createContainer(cfg).catch(refuseLockedDataDir);
    let demo: { seeded: boolean; tokens: DemoToken[] };
    if (embedded) {
      await adoptSeal(container);
      demo = { seeded: false, tokens: readDemoTokens(cfg) };
    } else {
      await prepareDatabase(container);
      demo = cfg.seedDemo ? await seedDemo(container) : { seeded: false, tokens: readDemoTokens(cfg) };
    }
    const service = await startService(container);
    const payable =
      container.deps.paymentNode && demo.tokens.length > 0 ? await payableDemoCig(container.deps) : undefined;
    printBanner(service.url, container.database.engine, cfg, demo.tokens, payable);
    const shutdown = async (signal: string) => {
      container.logger.info({ signal }, 'shutting down');
      await service.stop();
      await container.close();
      process.exit(0);
    };
    process.once('SIGINT', () => void shutdown('SIGINT'));
    process.once('SIGTERM', () => void shutdown('SIGTERM'));
  });

program
  .command('prepare', { hidden: true })
  .description('what serve does before it starts: migrate, and seed demo data when configured')
  .action(async () => {
    const cfg = config();
    const container = await createContainer(cfg).catch(refuseLockedDataDir);
    try {
      await prepareDatabase(container);
      if (cfg.seedDemo) await seedDemo(container);
    } finally {
      await container.close();
    }
  });

function printBanner(
  url: string,
  engine: string,
  cfg: Config,
  tokens: { role: string; name: string; email: string; token: string }[],
  demoCig?: string,
) {
  const lines = [
    '',
    `  gara ${VERSION} is running at ${url}`,
    `  Portal:    ${url}/          status: ${url}/stato`,
    `  API docs:  ${url}/docs     OpenAPI: ${url}/openapi.json`,
    `  Database:  ${engine === 'pglite' ? `embedded PGlite in ${cfg.dataDir}` : 'PostgreSQL (DATABASE_URL)'}`,
  ];
  if (tokens.length > 0) {
    // The Puglia users have demo tenders (the seed letter came from the Puglia section).
    const preferred = (t: { email: string }) => (t.email.includes('.pug@') ? 0 : 1);
    const shown = ['admin', 'authority_staff', 'regional_staff', 'rup', 'economic_operator'].flatMap((role) =>
      tokens
        .filter((t) => t.role === role)
        .sort((a, b) => preferred(a) - preferred(b))
        .slice(0, role === 'rup' ? 2 : 1),
    );
    lines.push('', `  Demo users (all ${tokens.length} tokens in ${cfg.dataDir}/demo-tokens.json):`);
    for (const t of shown) lines.push(`    ${t.role.padEnd(18)} ${t.email.padEnd(36)} ${t.token}`);
    lines.push(
      '',
      `  Try:  curl -H "Authorization: Bearer ${shown.find((t) => t.role === 'rup')?.token ?? '<token>'}" ${url}/api/v1/tenders`,
    );
    const bidder = shown.find((t) => t.role === 'economic_operator');
    if (bidder && demoCig) {
      lines.push(
        `        npx gara pay ${demoCig} --token ${bidder.token}   (pagoPA sandbox: a bidder pays the contribution)`,
      );
    }
  }
  console.log(`${lines.join('\n')}\n`);
}

program
  .command('migrate')
  .description('apply database migrations and load the shipped code lists')
  .action(async () => {
    const container = await createContainer(config());
    try {
      await prepareDatabase(container);
      console.log('database is up to date');
    } finally {
      await container.close();
    }
  });

program
  .command('seed')
  .description('load demo data into an empty database and print the demo tokens')
  .action(async () => {
    const container = await createContainer(config());
    try {
      await prepareDatabase(container);
      const result = await seedDemo(container);
      console.log(
        result.seeded
          ? `demo data loaded: ${result.tokens.length} users`
          : 'the database already has data: nothing seeded',
      );
      for (const t of result.tokens) console.log(`${t.role}\t${t.email}\t${t.token}`);
    } finally {
      await container.close();
    }
  });

const cig = program.command('cig').description('CIG tools');

cig
  .command('validate')
  .description('validate CIG codes given as arguments, or one per line on standard input')
  .argument('[codes...]', 'codes to check; none or "-" reads standard input')
  .option('--json', 'one JSON object per line')
  .action(async (codes: string[], options: { json?: boolean }) => {
    const list =
      codes.length === 0 || (codes.length === 1 && codes[0] === '-')
        ? await readCodesFromStdin(process.stdin)
        : codes;
    if (list.length === 0) {
      console.error('gara: no codes given (as arguments or on standard input)');
      process.exitCode = 2;
      return;
    }
    const { lines, invalid } = formatValidations(list, options.json === true);
    for (const line of lines) console.log(line);
    process.exitCode = invalid > 0 ? 1 : 0;
  });

cig
  .command('show')
  .description('look a CIG up on a running gara service')
  .argument('<code>')
  .option('--url <url>', 'service URL (default: $GARA_URL or http://127.0.0.1:3000)')
  .option('--json', 'print the raw JSON')
  .action(async (code: string, options: { url?: string; json?: boolean }) => {
    const client = new GaraClient({
      baseUrl: options.url ?? process.env.GARA_URL ?? 'http://127.0.0.1:3000',
    });
    try {
      const found = await client.lookupCig(code);
      if (options.json) {
        console.log(JSON.stringify(found, null, 2));
        return;
      }
      for (const [key, value] of Object.entries(found)) {
        if (value === null || value === undefined) continue;
        console.log(`${key.padEnd(22)} ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`);
      }
    } catch (error) {
      if (error instanceof GaraApiError || error instanceof GaraUnreachableError) {
        console.error(`gara: ${error.message}`);
        process.exitCode = error instanceof GaraApiError && error.status === 404 ? 3 : 1;
        return;
      }
      throw error;
    }
  });

program
  .command('pay')
  .description(
    'SANDBOX: a bidder pays the contribution for a CIG (or a notice number) through the built-in pagoPA node',
  )
  .argument('<code>', 'a CIG (opens the payment position first) or an 18-digit notice number')
  .requiredOption('--token <token>', "the bidder's bearer token (see data/demo-tokens.json)")
  .option('--url <url>', 'service URL (default: $GARA_URL or http://127.0.0.1:3000)')
  .action(async (code: string, options: { token: string; url?: string }) => {
    const client = new GaraClient({
      baseUrl: options.url ?? process.env.GARA_URL ?? 'http://127.0.0.1:3000',
      token: options.token,
    });
    try {
      const notice = /^[0-9]{18}$/.test(code)
        ? code
        : (await client.openPaymentPosition(code.toUpperCase())).noticeNumber;
      const paid = await client.payInSandbox(notice);
      const p = paid.position;
      console.log(`codice avviso   ${p.noticeNumberPrinted}`);
      console.log(`oggetto         ${p.subject}`);
      console.log(`importo         ${p.amount} EUR (scadenza ${p.dueDate})`);
      if (paid.outcome === 'OK') {
        console.log(`esito           pagato, ricevuta ${paid.receiptId}`);
        console.log(
          `ricevuta PDF    ${options.url ?? process.env.GARA_URL ?? 'http://127.0.0.1:3000'}/api/v1/payment-positions/${notice}/receipt.pdf`,
        );
      } else {
        console.log(`esito           KO at ${paid.step}: ${paid.fault?.code} ${paid.fault?.message}`);
        process.exitCode = 1;
      }
    } catch (error) {
      if (error instanceof GaraApiError || error instanceof GaraUnreachableError) {
        console.error(`gara: ${error.message}`);
        process.exitCode = 1;
        return;
      }
      throw error;
    }
  });

registerQueueCommands(program);
registerRelayCommands(program);
registerOpendataCommands(program, config);
registerCertificateCommands(program, config);

await program.parseAsync(process.argv);

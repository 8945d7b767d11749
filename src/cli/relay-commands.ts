import type { Command } from 'commander';
import { GaraApiError, GaraClient, GaraUnreachableError } from '../client/client.js';

/** GET /api/v1/relays/:id */
export interface RelayView {
  id: string;
  protocol: string;
  recipients: number;
  progress: { queued: number; sending: number; accepted: number; delivered: number; failed: number };
  done: boolean;
}

interface RecipientView {
  name: string;
  address: string;
  state: string;
  lastError: string | null;
}

/**
 * One line of progress: `[██████░░░░] 60% 6000/10000  consegnati 120  accettati 5880  falliti 3  in coda 3997`.
 * A message counts as done once accepted by the mail server, delivered (PEC receipt) or failed for good.
 */
export function progressLine(view: RelayView, width = 30): string {
  const p = view.progress;
  const done = p.accepted + p.delivered + p.failed;
  const total = Math.max(view.recipients, 1);
  const filled = Math.round((done / total) * width);
  const percent = Math.floor((done / total) * 100);
  return (
    `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${String(percent).padStart(3)}% ${done}/${view.recipients}` +
    `  consegnati ${p.delivered}  accettati ${p.accepted}  falliti ${p.failed}  in coda ${p.queued + p.sending}`
  );
}

export interface WatchOptions {
  out: NodeJS.WritableStream & { isTTY?: boolean };
  intervalMs?: number;
  /** Give up after this long (the dispatch goes on in the service). */
  timeoutMs?: number;
}

/**
 * Follows a relay until every message is accepted, delivered or failed. On a terminal the bar is
 * redrawn in place; otherwise a line is printed each time the figures change.
 */
export async function watchRelay(
  client: GaraClient,
  relayId: string,
  options: WatchOptions,
): Promise<RelayView> {
  const started = Date.now();
  let last = '';
  for (;;) {
    const view = await client.request<RelayView>('GET', `/api/v1/relays/${encodeURIComponent(relayId)}`);
    const line = progressLine(view);
    if (options.out.isTTY) options.out.write(`\r${line}`);
    else if (line !== last) options.out.write(`${line}\n`);
    last = line;
    if (view.done) {
      if (options.out.isTTY) options.out.write('\n');
      return view;
    }
    if (options.timeoutMs !== undefined && Date.now() - started > options.timeoutMs) {
      if (options.out.isTTY) options.out.write('\n');
      return view;
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 500));
  }
}

interface Flags {
  token?: string;
  url?: string;
}

const clientFor = (flags: Flags) =>
  new GaraClient({
    baseUrl: flags.url ?? process.env.GARA_URL ?? 'http://127.0.0.1:3000',
    token: flags.token ?? process.env.GARA_TOKEN ?? '',
  });

async function run(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (error instanceof GaraApiError || error instanceof GaraUnreachableError) {
      console.error(`gara: ${error.message}`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
}

async function printOutcome(client: GaraClient, view: RelayView): Promise<void> {
  const p = view.progress;
  console.log(`protocollo      ${view.protocol}`);
  console.log(
    `destinatari     ${view.recipients}: consegnati ${p.delivered}, accettati ${p.accepted}, falliti ${p.failed}, in coda ${p.queued + p.sending}`,
  );
  if (p.failed > 0) {
    const report = await client.request<{ recipients: RecipientView[] }>(
      'GET',
      `/api/v1/relays/${view.id}/report`,
    );
    console.log('non recapitati:');
    for (const r of report.recipients.filter((x) => x.state === 'failed'))
      console.log(`  ${r.address}  ${r.lastError ?? ''}`);
    console.log(`per ritentare solo questi: gara relay retry ${view.id}`);
    process.exitCode = 3;
  }
}

/** Registers `gara relay send|watch|retry|report`. */
export function registerRelayCommands(program: Command): void {
  const relay = program
    .command('relay')
    .description('relay a comunicato to the RUPs of a region and follow the dispatch (regional staff)');
  const common = (c: Command) =>
    c
      .option('--token <token>', 'bearer token (default: $GARA_TOKEN)')
      .option('--url <url>', 'service URL (default: $GARA_URL or http://127.0.0.1:3000)');

  common(
    relay
      .command('send')
      .description(
        'relay a published comunicato to the RUPs of your section (all, or --authority ...), then follow it',
      )
      .argument('<notice>', 'the comunicato id')
      .option('--authority <id...>', 'only the RUPs of these contracting authorities')
      .option('--no-watch', 'return at once'),
  ).action(async (notice: string, flags: Flags & { authority?: string[]; watch: boolean }) =>
    run(async () => {
      const client = clientFor(flags);
      const created = await client.create<RelayView>(
        `/api/v1/notices/${encodeURIComponent(notice)}/relays`,
        flags.authority ? { contractingAuthorityIds: flags.authority } : {},
      );
      if (created.status !== 'done')
        throw new GaraUnreachableError(client.baseUrl, new Error(created.reason));
      console.log(
        `inoltro ${created.result.id}: ${created.result.protocol}, ${created.result.recipients} destinatari`,
      );
      if (flags.watch)
        await printOutcome(client, await watchRelay(client, created.result.id, { out: process.stderr }));
    }),
  );

  common(
    relay
      .command('watch')
      .description('follow the dispatch of a relay with a progress bar until every recipient is done')
      .argument('<relay>', 'the relay id')
      .option('--interval <ms>', 'polling interval', '500'),
  ).action(async (id: string, flags: Flags & { interval: string }) =>
    run(async () => {
      const client = clientFor(flags);
      await printOutcome(
        client,
        await watchRelay(client, id, { out: process.stderr, intervalMs: Number(flags.interval) }),
      );
    }),
  );

  common(
    relay
      .command('retry')
      .description('send again to the recipients that failed, and only to them')
      .argument('<relay>', 'the relay id'),
  ).action(async (id: string, flags: Flags) =>
    run(async () => {
      const { retried } = await clientFor(flags).request<{ retried: number }>(
        'POST',
        `/api/v1/relays/${encodeURIComponent(id)}/retry`,
      );
      console.log(`${retried} destinatari rimessi in coda`);
    }),
  );

  common(
    relay
      .command('report')
      .description('the per-recipient delivery report as CSV on standard output')
      .argument('<relay>', 'the relay id'),
  ).action(async (id: string, flags: Flags) =>
    run(async () => {
      const client = clientFor(flags);
      const report = await client.request<{
        recipients: (RecipientView & {
          attempts: number;
          acceptedAt: string | null;
          deliveredAt: string | null;
        })[];
      }>('GET', `/api/v1/relays/${encodeURIComponent(id)}/report`);
      const cell = (v: unknown) => `"${String(v ?? '').replace(/"/g, '""')}"`;
      console.log(
        ['destinatario', 'indirizzo', 'stato', 'tentativi', 'accettato', 'consegnato', 'errore'].join(','),
      );
      for (const r of report.recipients)
        console.log(
          [r.name, r.address, r.state, r.attempts, r.acceptedAt, r.deliveredAt, r.lastError]
            .map(cell)
            .join(','),
        );
    }),
  );
}

import type { Actor, ServiceDeps } from '../context.js';
import { bodyIsServed } from './outbox-access.js';
import { listOutbox } from './list-outbox.js';
import type { OutboxMessage, OutboxState, SentMessageFiles } from './ports.js';

/**
 * The outbox as the caller may read it (see `listOutbox`), each message saying whether its .eml file
 * can be downloaded: written by the embedded mailer, and not a confirmation (its body holds a token).
 */
export async function listOutboxMessages(
  deps: Pick<ServiceDeps, 'store'> & { sentMail: SentMessageFiles | null },
  filter: {
    state?: OutboxState | undefined;
    kind?: OutboxMessage['kind'] | undefined;
    limit: number;
    offset: number;
  },
  actor: Actor,
): Promise<(OutboxMessage & { emlWritten: boolean })[]> {
  const { sentMail } = deps;
  return (await listOutbox(deps, filter, actor)).map((m) => ({
    ...m,
    emlWritten: sentMail !== null && m.channel === 'email' && bodyIsServed(m) && sentMail.exists(m.messageId),
  }));
}

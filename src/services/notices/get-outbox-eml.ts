import { DomainError } from '../../domain/shared/errors.js';
import type { Actor, ServiceDeps } from '../context.js';
import { getOutboxMessage } from './get-outbox-message.js';
import type { SentMessageFiles } from './ports.js';

/**
 * A message as the embedded mailer wrote it: not found outside the caller's section, for a subscription
 * confirmation (its body holds the token), and when no file was written (sent by SMTP, or not yet).
 */
export async function getOutboxEml(
  deps: Pick<ServiceDeps, 'store'> & { sentMail: SentMessageFiles | null },
  id: string,
  actor: Actor,
): Promise<Buffer> {
  const message = await getOutboxMessage(deps, id, actor);
  const eml = deps.sentMail?.read(message.messageId);
  if (!eml)
    throw new DomainError('not_found', 'no .eml file for this message (sent by SMTP, or not sent yet)');
  return eml;
}

import { Type } from 'typebox';
import type { OutboxMessage } from '../../../services/notices/ports.js';
import { DateTime, Nullable, Offset } from '../../common.schemas.js';

export const OutboxQuery = Type.Object(
  {
    state: Type.Optional(
      Type.Union(['queued', 'sending', 'accepted', 'delivered', 'failed'].map((k) => Type.Literal(k))),
    ),
    kind: Type.Optional(Type.Union(['relay', 'notification', 'confirmation'].map((k) => Type.Literal(k)))),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
    offset: Offset,
  },
  { additionalProperties: false },
);

export const OutboxView = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  channel: Type.String(),
  relayId: Nullable(Type.String()),
  recipient: Type.String(),
  address: Type.String(),
  subject: Type.String(),
  messageId: Type.String(),
  state: Type.String(),
  attempts: Type.Integer(),
  lastError: Nullable(Type.String()),
  createdAt: DateTime,
  eml: Nullable(Type.String({ description: 'Embedded mailer: where to download the message as written' })),
});

/** A message of the outbox; `emlUrl` links to its .eml file when the embedded mailer wrote one. */
export const presentOutboxMessage = (m: OutboxMessage, emlUrl: string | null) => ({
  id: m.id,
  kind: m.kind,
  channel: m.channel,
  relayId: m.relayId,
  recipient: m.recipientName,
  address: m.address,
  subject: m.subject,
  messageId: m.messageId,
  state: m.state,
  attempts: m.attempts,
  lastError: m.lastError,
  createdAt: m.createdAt.toISOString(),
  eml: emlUrl,
});

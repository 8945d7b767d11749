import { Type } from 'typebox';
import type { RelayStatus } from '../../../services/notices/get-relay.js';
import type { RelayReport } from '../../../services/notices/get-relay-report.js';
import { DateTime, Nullable, Uuid } from '../../common.schemas.js';

export const RelayView = Type.Object({
  id: Type.String(),
  noticeId: Type.String(),
  regionalSection: Type.String(),
  protocol: Type.String(),
  restorationOf: Nullable(Type.String()),
  letterSha256: Type.String(),
  recipients: Type.Integer(),
  progress: Type.Object({
    queued: Type.Integer(),
    sending: Type.Integer(),
    accepted: Type.Integer(),
    delivered: Type.Integer(),
    failed: Type.Integer(),
  }),
  done: Type.Boolean(),
  createdAt: DateTime,
});

/** The API's view of a relay and its dispatch progress. */
export const presentRelay = ({ relay, protocol, progress, done }: RelayStatus) => ({
  id: relay.id,
  noticeId: relay.noticeId,
  regionalSection: relay.regionalSectionCode,
  protocol,
  restorationOf: relay.restorationOf,
  letterSha256: relay.letterSha256,
  recipients: relay.recipientCount,
  progress,
  done,
  createdAt: relay.createdAt.toISOString(),
});

export const RecipientView = Type.Object({
  name: Type.String(),
  address: Type.String(),
  state: Type.String(),
  attempts: Type.Integer(),
  lastError: Nullable(Type.String()),
  failure: Nullable(Type.String()),
  acceptedAt: Nullable(DateTime),
  deliveredAt: Nullable(DateTime),
  failedAt: Nullable(DateTime),
  messageId: Type.String(),
  events: Type.Array(Type.Object({ at: DateTime, event: Type.String(), detail: Nullable(Type.String()) })),
});

export const presentRecipient = (m: RelayReport['recipients'][number]) => ({
  name: m.recipientName,
  address: m.address,
  state: m.state,
  attempts: m.attempts,
  lastError: m.lastError,
  failure: m.failure,
  acceptedAt: m.acceptedAt?.toISOString() ?? null,
  deliveredAt: m.deliveredAt?.toISOString() ?? null,
  failedAt: m.failedAt?.toISOString() ?? null,
  messageId: m.messageId,
  events: m.events.map((e) => ({ at: e.at.toISOString(), event: e.event, detail: e.detail })),
});

export const RelayBody = Type.Object(
  { contractingAuthorityIds: Type.Optional(Type.Array(Uuid, { minItems: 1, maxItems: 10000 })) },
  { additionalProperties: false },
);

export const ReportQuery = Type.Object(
  { format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])) },
  { additionalProperties: false },
);

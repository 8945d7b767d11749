export type OutboxState = 'queued' | 'sending' | 'accepted' | 'delivered' | 'failed';

export interface OutboxMessage {
  id: string;
  kind: 'relay' | 'notification' | 'confirmation' | 'reminder';
  channel: 'email' | 'webhook';
  relayId: string | null;
  subscriptionId: string | null;
  eventId: string | null;
  recipientName: string;
  address: string;
  contractingAuthorityId: string | null;
  idempotencyKey: string;
  messageId: string;
  subject: string;
  body: string;
  state: OutboxState;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  failure: 'transient' | 'permanent' | null;
  acceptedAt: Date | null;
  deliveredAt: Date | null;
  failedAt: Date | null;
  createdAt: Date;
}

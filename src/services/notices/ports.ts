/** What the notice services need from storage and from the outside (mail, webhooks, documents). */
import type { DailyRegister, TransmissionLetter } from '../../domain/notices/documents.js';
import type { Notice } from '../../domain/notices/notice.js';
import type { ProtocolRegistration } from '../../domain/notices/protocol-registration.js';
import type { Relay } from '../../domain/notices/relay.js';
import type { OutboxState, OutboxMessage } from '../../domain/notices/outbox-message.js';
import type { PecReceiptRecord } from '../../domain/notices/pec-receipt.js';
import type { Subscription, NotificationEvent } from '../../domain/notices/subscription.js';

// The domain's nouns live in src/domain; re-exported here for the code that imports them from here.
export type { NoticeKind, Notice } from '../../domain/notices/notice.js';
export type { ProtocolRegistration } from '../../domain/notices/protocol-registration.js';
export type { Relay } from '../../domain/notices/relay.js';
export type { OutboxState, OutboxMessage } from '../../domain/notices/outbox-message.js';
export type { PecReceiptRecord } from '../../domain/notices/pec-receipt.js';
export type { Subscription, NotificationEvent } from '../../domain/notices/subscription.js';

export type NewOutboxMessage = Omit<
  OutboxMessage,
  'state' | 'attempts' | 'lastError' | 'failure' | 'acceptedAt' | 'deliveredAt' | 'failedAt'
>;

/** A regional officer sees the receipts of their section's messages and those they posted. */
export interface PecReceiptScope {
  sectionCode: string;
  userId: string;
}

/**
 * Every notice slice together (the type of `store.notices`, kept for tests). The Store offers each
 * aggregate on its own (`notices`, `protocol`, `relays`, `outbox`, `pecReceipts`, `subscriptions`; the
 * database adapter implements them all in one object); a use case names the slices it uses.
 */
export type NoticeRepository = NoticesRepository &
  ProtocolRepository &
  RelayRepository &
  OutboxRepository &
  PecReceiptRepository &
  SubscriptionRepository;

/** The comunicati: drafts and published notices. */
export interface NoticesRepository {
  insertNotice(notice: Omit<Notice, 'publishedAt'> & { createdBy: string | null }): Promise<void>;
  findNotice(id: string): Promise<Notice | undefined>;
  /** Publishes a draft, with its own source link when one is given. */
  publishNotice(id: string, at: Date, by: string, sourceUrl?: string): Promise<boolean>;
  listPublished(page: { limit: number; offset: number }): Promise<Notice[]>;
  listForIncident(incidentId: string): Promise<Notice[]>;
  listDrafts(): Promise<Notice[]>;
}

/** The sections' protocol registers: numbers, registrations (with their signed segnatura), annulments. */
export interface ProtocolRepository {
  /** Takes the next `count` numbers of the register, returning the first (locks its counter until the transaction ends). */
  takeProtocolNumbers(aooCode: string, registerCode: string, year: number, count: number): Promise<number>;
  insertRegistrations(
    registrations: (Omit<ProtocolRegistration, 'annulment'> & { registeredBy: string | null })[],
  ): Promise<void>;
  findRegistration(id: string): Promise<ProtocolRegistration | undefined>;
  listRegistrations(filter: { aooCode: string; from: Date; to: Date }): Promise<ProtocolRegistration[]>;
  insertAnnulment(a: {
    registrationId: string;
    annulledAt: Date;
    operatorId: string;
    operatorName: string;
    measure: string;
    reason: string;
  }): Promise<boolean>;
  listAnnulments(filter: {
    aooCode: string;
    from: Date;
    to: Date;
  }): Promise<(ProtocolRegistration['annulment'] & { number: number; registrationId: string })[]>;
}

/** Relays of a comunicato to a section's RUPs: the letter, and the progress of its messages. */
export interface RelayRepository {
  /** The active RUPs of the active contracting authorities of a section (or of the given ones). */
  rupsOfSection(
    sectionCode: string,
    authorityIds?: string[],
  ): Promise<{ name: string; address: string; contractingAuthorityId: string }[]>;
  insertRelay(relay: Relay & { letterPdf: Buffer; createdBy: string }): Promise<void>;
  findRelay(id: string): Promise<Relay | undefined>;
  relayLetter(id: string): Promise<Buffer | undefined>;
  listRelays(filter: {
    noticeId?: string | undefined;
    regionalSectionCode?: string | undefined;
  }): Promise<Relay[]>;
  relayProgress(relayId: string): Promise<Record<OutboxState, number>>;
  relayRecipients(
    relayId: string,
  ): Promise<(OutboxMessage & { events: { at: Date; event: string; detail: string | null }[] })[]>;
  /** Failed messages of a relay go back to the queue; returns how many. */
  retryFailed(relayId: string, at: Date): Promise<number>;
}

/** Outgoing messages (e-mails and webhooks), claimed and sent by the outbox worker. */
export interface OutboxRepository {
  insertOutbox(messages: NewOutboxMessage[], at: Date): Promise<void>;
  /** Claims up to `limit` due messages (queued, or whose lease ran out): state sending, lease until `leaseUntil`. */
  claimDue(now: Date, limit: number, leaseUntil: Date): Promise<OutboxMessage[]>;
  markAccepted(id: string, at: Date, detail: string): Promise<void>;
  markDelivered(id: string, at: Date, detail: string): Promise<void>;
  markFailed(
    id: string,
    at: Date,
    failure: 'transient' | 'permanent',
    error: string,
    retryAt: Date | null,
  ): Promise<void>;
  /** Claimed messages not attempted (the worker is stopping) go back to the queue. */
  releaseClaims(ids: string[], at: Date): Promise<void>;
  addOutboxEvent(id: string, at: Date, event: string, detail: string | null): Promise<void>;
  listOutbox(filter: {
    state?: OutboxState | undefined;
    kind?: OutboxMessage['kind'] | undefined;
    /** Only the messages of this regional section (relays it sent, reminders to its RUPs). */
    sectionCode?: string | undefined;
    limit: number;
    offset: number;
  }): Promise<OutboxMessage[]>;
  findOutbox(id: string): Promise<OutboxMessage | undefined>;
  /** The message with that Message-ID, with the regional section of its relay (null: not a relay). */
  findOutboxByMessageId(
    messageId: string,
  ): Promise<(OutboxMessage & { sectionCode: string | null }) | undefined>;
}

/** Certified e-mail receipts, kept whole (append-only). */
export interface PecReceiptRepository {
  /** Keeps a receipt; false when the same message (by SHA-256) was kept before. */
  insertPecReceipt(r: {
    id: string;
    outboxId: string | null;
    kind: string;
    referenceMessageId: string | null;
    recipient: string | null;
    conformant: boolean;
    problems: string[];
    raw: Buffer;
    receivedAt: Date;
    status: 'applied' | 'review';
    signer: string | null;
    receivedBy: string | null;
  }): Promise<boolean>;
  findPecReceipt(raw: Buffer): Promise<
    | {
        id: string;
        outboxId: string | null;
        state: OutboxState | null;
        status: 'applied' | 'review';
        problems: string[];
      }
    | undefined
  >;
  listPecReceipts(filter: {
    unmatched: boolean;
    status?: 'applied' | 'review' | undefined;
    limit: number;
    offset: number;
    scope?: PecReceiptScope | undefined;
  }): Promise<PecReceiptRecord[]>;
  pecReceiptRaw(id: string, scope?: PecReceiptScope): Promise<Buffer | undefined>;
}

/** Subscriptions to service notifications and the events sent to them. */
export interface SubscriptionRepository {
  insertSubscription(s: Subscription & { confirmTokenSha256: string }): Promise<void>;
  findSubscriptionByToken(tokenSha256: string): Promise<Subscription | undefined>;
  /**
   * Locks an e-mail address until the transaction ends (concurrent subscriptions of it wait) and returns
   * its newest pending subscription created after `since`.
   */
  lockPendingSubscription(address: string, since: Date): Promise<Subscription | undefined>;
  setSubscriptionState(id: string, state: 'active' | 'unsubscribed', at: Date): Promise<void>;
  webhookSecret(subscriptionId: string): Promise<string | undefined>;
  activeSubscriptions(services: string[]): Promise<Subscription[]>;
  /** Records an event once per key; undefined when it was recorded before. */
  insertEvent(event: NotificationEvent): Promise<NotificationEvent | undefined>;
}

export interface MailMessage {
  messageId: string;
  /** The sender when it is not the configured MAIL_FROM: a relay is sent as its section (its PEC). */
  from?: { name: string; address: string } | undefined;
  to: { name: string; address: string };
  subject: string;
  text: string;
  attachments: { filename: string; content: Buffer; contentType: string }[];
}

/** Sends one message; throws a MailError saying whether a retry can help. */
export interface Mailer {
  send(message: MailMessage): Promise<{ response: string }>;
  close(): Promise<void>;
}

/** The messages as the embedded mailer wrote them (.eml files); there are none when mail goes out by SMTP. */
export interface SentMessageFiles {
  /** Whether the file of a message was written. */
  exists(messageId: string): boolean;
  /** The message as written, or undefined when there is no file for it. */
  read(messageId: string): Buffer | undefined;
}

/**
 * The largest receipt accepted (HTTP body, IMAP message): receipts are a few kilobytes; a "ricevuta
 * completa" carries the original message too, and the relays' letters are far below this.
 */
export const MAX_PEC_RECEIPT_BYTES = 4 * 1024 * 1024;

export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/** POSTs a signed JSON body to a subscriber's URL. */
export interface WebhookSender {
  post(url: string, body: string, secret: string, messageId: string): Promise<{ status: number }>;
}

export interface LetterRenderer {
  transmissionLetter(letter: TransmissionLetter): Promise<Buffer>;
  dailyRegister(register: DailyRegister): Promise<Buffer>;
}

export type {
  DailyRegister as DailyRegisterData,
  TransmissionLetter as TransmissionLetterData,
} from '../../domain/notices/documents.js';

/** Builds and signs the AgID segnatura XML of a registration. */
export interface SegnaturaSigner {
  sign(input: {
    administration: { code: string; name: string };
    aoo: { code: string; name: string; pec: string };
    register: { code: string };
    number: number;
    date: string;
    direction: 'U' | 'E';
    subject: string;
    recipients: { name: string; pec: string; fiscalCode?: string }[];
    document: { fileName: string; mimeType: string; sha256Base64: string };
    /** The XAdES SigningTime: the registration's instant. */
    signingTime: Date;
  }): string;
}

/** What the PEC parser found (adapters/mail/pec-receipt.ts). */
export interface ParsedPecReceipt {
  kind: string;
  referenceMessageId: string | null;
  recipient: string | null;
  problems: string[];
  conformant: boolean;
  datiCert: { erroreEsteso: string | null; errore: string } | null;
  /** set when a part exceeds a size limit and was not read */
  refused: string | null;
  /** where daticert.xml does not back the headers (see the parser) */
  disagreements: string[];
  /** the delivery addresses daticert.xml certifies, lower case */
  recipients: string[];
}

/** A receipt as read for the intake: parsed, and its S/MIME signature checked against the trusted providers. */
export interface ReadPecReceipt extends ParsedPecReceipt {
  signature: { verified: boolean; signer: string | null; problem: string | null };
}

/** Reads a raw receipt (adapters/mail/pec-receipt-reader.ts). */
export interface PecReceiptReader {
  read(raw: Buffer, at: Date): Promise<ReadPecReceipt>;
}

/** A mailbox of certified e-mail (adapters/mail/imap-mailbox.ts): unseen messages, each marked once handled. */
export interface PecMailbox {
  drainUnseen(
    handler: (raw: Buffer, oversize: number | null) => Promise<void>,
    options?: { limit?: number; maxBytes?: number },
  ): Promise<number>;
}

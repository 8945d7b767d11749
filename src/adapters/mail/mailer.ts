import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { DeliveryError, type MailMessage, type Mailer } from '../../services/notices/ports.js';

const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'ESOCKET',
  'ECONNECTION',
  'ETIMEOUT',
  'EDNS',
]);

/** SMTP reply codes 5xx are permanent (bad address, refused); 4xx and network trouble are transient. */
export function classifySmtpError(error: unknown): DeliveryError {
  const e = error as { responseCode?: number; code?: string; message?: string; response?: string };
  const text = e.response ?? e.message ?? String(error);
  if (typeof e.responseCode === 'number')
    return new DeliveryError(`SMTP ${e.responseCode}: ${text}`, e.responseCode >= 500);
  if (e.code && NETWORK.has(e.code)) return new DeliveryError(`${e.code}: ${text}`, false);
  if (e.code === 'EENVELOPE') return new DeliveryError(`envelope refused: ${text}`, true);
  return new DeliveryError(text, false);
}

const toNodemailer = (from: string, m: MailMessage) => ({
  from: m.from ?? from,
  to: { name: m.to.name, address: m.to.address },
  subject: m.subject,
  text: m.text,
  messageId: `<${m.messageId}>`,
  attachments: m.attachments.map((a) => ({
    filename: a.filename,
    content: a.content,
    contentType: a.contentType,
  })),
});

/** Sends through an SMTP server (a PEC provider's, in production): pooled connections. */
export function smtpMailer(options: { url: string; from: string; maxConnections?: number }): Mailer {
  const transport = nodemailer.createTransport({
    url: options.url,
    pool: true,
    maxConnections: options.maxConnections ?? 4,
    maxMessages: Infinity,
  } as SMTPTransport.Options & { url: string });
  return {
    async send(message) {
      try {
        const info = await transport.sendMail(toNodemailer(options.from, message));
        return { response: String(info.response ?? 'accepted') };
      } catch (error) {
        throw classifySmtpError(error);
      }
    },
    async close() {
      transport.close();
    },
  };
}

/** The file the embedded mailer writes a message to, inside its folder. */
export const emlFileName = (messageId: string) => `${messageId.replace(/[^A-Za-z0-9._-]/g, '_')}.eml`;

/**
 * The embedded default without SMTP: every message is written as an .eml file under
 * DATA_DIR/mail/outbox (atomic rename), where it can be opened with any mail client.
 */
export function fileMailer(options: { dir: string; from: string }): Mailer {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  mkdirSync(options.dir, { recursive: true });
  return {
    async send(message) {
      const info = (await transport.sendMail(toNodemailer(options.from, message))) as unknown as {
        message: Buffer;
      };
      const file = join(options.dir, emlFileName(message.messageId));
      writeFileSync(`${file}.tmp`, info.message);
      renameSync(`${file}.tmp`, file);
      return { response: `written to ${file}` };
    },
    async close() {},
  };
}

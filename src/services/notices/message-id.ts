import { randomBytes } from 'node:crypto';

/**
 * The Message-ID of an outgoing message: a readable prefix and 128 random bits (hex). PEC receipts are
 * matched by it (X-Riferimento-Message-ID), so it must not be derivable from ids shown in the API.
 */
export function newMessageId(prefix: string): string {
  return `${prefix}.${randomBytes(16).toString('hex')}@gara`;
}

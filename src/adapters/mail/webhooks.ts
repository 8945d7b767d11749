import { createHmac } from 'node:crypto';
import type { WebhookSender } from '../../services/notices/ports.js';

/**
 * Signed webhooks: `X-Gara-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, with the
 * subscription's secret; `X-Gara-Delivery` carries the message id (the same on every retry).
 */
export function signWebhook(body: string, secret: string, timestamp: number): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function httpWebhooks(options: { timeoutMs?: number; fetch?: typeof fetch } = {}): WebhookSender {
  const doFetch = options.fetch ?? fetch;
  return {
    async post(url, body, secret, messageId) {
      const t = Math.floor(Date.now() / 1000);
      const response = await doFetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-gara-signature': signWebhook(body, secret, t),
          'x-gara-delivery': messageId,
        },
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      await response.arrayBuffer().catch(() => undefined);
      return { status: response.status };
    },
  };
}

import { createHmac } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';
import { DeliveryError, type WebhookSender } from '../../services/notices/ports.js';

/**
 * Signed webhooks: `X-Gara-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, with the
 * subscription's secret; `X-Gara-Delivery` carries the message id (the same on every retry).
 */
export function signWebhook(body: string, secret: string, timestamp: number): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Whether a host name resolves only to public unicast addresses. A webhook must not make this service
 * call its own machine or network (loopback, private, link-local, unique-local...): a receiver there is
 * refused for good, unless local receivers are allowed (the embedded default, tests).
 */
export async function publicAddressesOnly(
  hostname: string,
  resolve: (host: string) => Promise<string[]> = async (host) =>
    (await lookup(host, { all: true, verbatim: true })).map((a) => a.address),
): Promise<boolean> {
  const host = hostname.replace(/^\[(.*)\]$/, '$1');
  const addresses = ipaddr.isValid(host) ? [host] : await resolve(host);
  return addresses.length > 0 && addresses.every((a) => ipaddr.process(a).range() === 'unicast');
}

export function httpWebhooks(
  options: {
    timeoutMs?: number;
    fetch?: typeof fetch;
    /** Receivers on this machine or on private networks (the embedded default and tests); off in production. */
    allowLocalReceivers?: boolean;
  } = {},
): WebhookSender {
  const doFetch = options.fetch ?? fetch;
  return {
    async post(url, body, secret, messageId) {
      if (!options.allowLocalReceivers && !(await publicAddressesOnly(new URL(url).hostname))) {
        throw new DeliveryError(`${new URL(url).hostname} is not a public address: not called`, true);
      }
      const t = Math.floor(Date.now() / 1000);
      const response = await doFetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-gara-signature': signWebhook(body, secret, t),
          'x-gara-delivery': messageId,
        },
        body,
        // A redirect is the receiver's answer, not an address to call (it could point anywhere).
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      await response.arrayBuffer().catch(() => undefined);
      return { status: response.status };
    },
  };
}

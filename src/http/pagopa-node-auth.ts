import { createHash, timingSafeEqual } from 'node:crypto';
import ipaddr from 'ipaddr.js';

/**
 * Who may call the creditor's SOAP service (/pagopa/paForNode): the pagoPA node only. pagoPA protects
 * a station the way its API gateway does: the node sends the station's subscription key in the
 * `Ocp-Apim-Subscription-Key` header, and the connection may be mutual TLS with a certificate issued
 * for the node. Every mechanism configured must pass:
 * - subscription key: one of `subscriptionKeys` (two at once during a rotation), compared in constant time;
 * - client certificate: TLS is terminated by a proxy that verifies the node's certificate against the
 *   configured CA and sets `clientVerifyHeader` (nginx: `$ssl_client_verify` = SUCCESS); the header is
 *   believed only on connections from `allowedAddresses` (the proxy), never from anyone else;
 * - source address: the connecting address is in one of the `allowedAddresses` ranges.
 * With neither a key nor a certificate header configured, every call is refused (fail closed).
 */
export interface NodeAuthPolicy {
  subscriptionKeys: readonly string[];
  /** CIDR ranges or single addresses; empty = any address. */
  allowedAddresses: readonly string[];
  /** Lower-case header name set by the TLS-terminating proxy after verifying the client certificate. */
  clientVerifyHeader?: string | undefined;
}

export const SUBSCRIPTION_KEY_HEADER = 'ocp-apim-subscription-key';

export type NodeAuthResult = { ok: true } | { ok: false; reason: string };

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Parses "10.0.0.0/8", "2001:db8::/32" or a single address; throws on anything else. */
export function parseAddressRange(text: string): Range {
  const value = text.trim();
  if (value.includes('/')) return ipaddr.parseCIDR(value);
  const address = ipaddr.parse(value);
  return [address, address.kind() === 'ipv4' ? 32 : 128];
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Builds the check once (ranges parsed, keys hashed so that comparisons take the same time). */
export function nodeAuthenticator(policy: NodeAuthPolicy) {
  const ranges = policy.allowedAddresses.map(parseAddressRange);
  const keys = policy.subscriptionKeys.map(digest);
  const verifyHeader = policy.clientVerifyHeader?.toLowerCase();
  const anyCredential = keys.length > 0 || verifyHeader !== undefined;

  const addressAllowed = (address: string): boolean => {
    let parsed: ipaddr.IPv4 | ipaddr.IPv6;
    try {
      parsed = ipaddr.process(address);
    } catch {
      return false;
    }
    return ranges.some(([range, bits]) => {
      const candidate =
        range.kind() === parsed.kind()
          ? parsed
          : parsed.kind() === 'ipv4' && range.kind() === 'ipv6'
            ? (parsed as ipaddr.IPv4).toIPv4MappedAddress()
            : undefined;
      return candidate !== undefined && candidate.match([range, bits] as never);
    });
  };

  return (request: {
    address: string;
    headers: Record<string, string | string[] | undefined>;
  }): NodeAuthResult => {
    if (!anyCredential)
      return { ok: false, reason: 'no node credential is configured: every call is refused' };
    if (ranges.length > 0 && !addressAllowed(request.address))
      return { ok: false, reason: 'source address not allowed' };
    if (keys.length > 0) {
      const given = request.headers[SUBSCRIPTION_KEY_HEADER];
      if (typeof given !== 'string' || given === '')
        return { ok: false, reason: `missing ${SUBSCRIPTION_KEY_HEADER} header` };
      const hash = digest(given);
      // every key is compared, so the time taken does not tell which one matched
      let match = false;
      for (const key of keys) match = timingSafeEqual(key, hash) || match;
      if (!match) return { ok: false, reason: 'wrong subscription key' };
    }
    if (verifyHeader !== undefined && request.headers[verifyHeader] !== 'SUCCESS')
      return { ok: false, reason: 'no verified client certificate' };
    return { ok: true };
  };
}

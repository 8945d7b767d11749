import type { ServiceDeps } from '../context.js';
import type { User } from '../ports.js';
import type { Claims } from './ports.js';

/** What the provider asserted about the person, as far as this service uses it. */
export interface Identity {
  subject: string;
  /** Personal fiscal code, upper case, without the `TINIT-` prefix (compared as is with the registry's). */
  fiscalCode: string | undefined;
  /** Only when the provider says it is verified (`email_verified: true`). */
  verifiedEmail: string | undefined;
}

/** Claims that carry the fiscal code: SPID/CIE gateways' names first, then the AgID attribute URIs. */
const FISCAL_CODE_CLAIMS = [
  'fiscal_number',
  'fiscalNumber',
  'https://attributes.eid.gov.it/fiscal_number',
  'https://attributes.spid.gov.it/fiscalNumber',
] as const;

/**
 * The identity in the (ID token and userinfo) claims: the fiscal code from the first of
 * `FISCAL_CODE_CLAIMS` present ("TINIT-RSSMRA80A01H501U" → "RSSMRA80A01H501U"), and `email` when
 * `email_verified` is true (a gateway that does not say so gives no e-mail to match on).
 */
export function identityOf(claims: Claims): Identity {
  let fiscalCode: string | undefined;
  for (const name of FISCAL_CODE_CLAIMS) {
    const value = claims[name];
    if (typeof value !== 'string' || value.trim() === '') continue;
    fiscalCode = value
      .trim()
      .toUpperCase()
      .replace(/^TINIT-/, '');
    break;
  }
  const verified = claims.email_verified === true || claims.email_verified === 'true';
  const email =
    verified && typeof claims.email === 'string' && claims.email.includes('@')
      ? claims.email.trim()
      : undefined;
  return { subject: String(claims.sub), fiscalCode, verifiedEmail: email };
}

export type Match =
  { user: User; by: 'fiscal_code' | 'email' } | { refused: 'unknown' | 'ambiguous' | 'inactive' };

/**
 * The registered user of an identity: by fiscal code (exactly one active user with it), otherwise by
 * verified e-mail, but never a user registered with a different fiscal code from the one asserted. Two
 * active users with the same fiscal code (one person, two profiles) are refused: there is no chooser yet.
 */
export async function matchUser(deps: Pick<ServiceDeps, 'store'>, identity: Identity): Promise<Match> {
  const byFiscalCode: User[] = [];
  const byEmail: User[] = [];
  const email = identity.verifiedEmail?.toLowerCase();
  if (identity.fiscalCode === undefined && email === undefined) return { refused: 'unknown' };
  for (const user of await deps.store.users.findUsersByIdentity({
    fiscalCode: identity.fiscalCode,
    email,
  })) {
    if (identity.fiscalCode !== undefined && user.fiscalCode === identity.fiscalCode) byFiscalCode.push(user);
    if (email !== undefined && user.email.toLowerCase() === email) byEmail.push(user);
  }
  const chosen = (users: User[], by: 'fiscal_code' | 'email'): Match => {
    const active = users.filter((user) => user.active);
    if (active.length > 1) return { refused: 'ambiguous' };
    if (active[0]) return { user: active[0], by };
    return { refused: users.length > 0 ? 'inactive' : 'unknown' };
  };
  if (byFiscalCode.length > 0) return chosen(byFiscalCode, 'fiscal_code');
  return chosen(
    byEmail.filter(
      (user) =>
        user.fiscalCode === null ||
        identity.fiscalCode === undefined ||
        user.fiscalCode === identity.fiscalCode,
    ),
    'email',
  );
}

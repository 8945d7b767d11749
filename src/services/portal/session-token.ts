import { createHash, timingSafeEqual } from 'node:crypto';

/** What the database keeps of a session token: its SHA-256 (the token itself is only in the cookie). */
export const sessionTokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');

/**
 * The CSRF token of a session: derived from the session token, which only the browser holds (in an
 * http-only cookie), so another site can neither read nor compute it.
 */
export function csrfTokenOf(sessionToken: string): string {
  return createHash('sha256').update(`gara-csrf:${sessionToken}`).digest('base64url');
}

export function csrfMatches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

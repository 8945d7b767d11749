import type { FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_HOURS } from '../../services/portal/start-session.js';

/** The portal's session cookie (an http-only random token; the database keeps its SHA-256). */
export const SESSION_COOKIE = 'gara_sessione';
/** The CSRF token of the sign-in page (there is no session yet to derive it from). */
export const LOGIN_CSRF_COOKIE = 'gara_csrf_accesso';

/** Setting the portal's cookies: whether they can be Secure, and the session cookie itself. */
export interface PortalCookies {
  /** Whether cookies set for this request can be Secure (as the session cookie). */
  secure: (request: FastifyRequest) => boolean;
  /** Sets the portal's session cookie (the demo and the OpenID Connect sign-in both set it). */
  setSession: (request: FastifyRequest, reply: FastifyReply, token: string) => void;
}

/**
 * Cookies are Secure unless the service is reached over plain HTTP on a non-loopback host (`publicUrl`,
 * or the request's own address when no public URL is configured).
 */
export function portalCookies(publicUrl: () => string): PortalCookies {
  const secure = (request: FastifyRequest): boolean => {
    const base = publicUrl() || `${request.protocol}://${request.host}`;
    try {
      const url = new URL(base);
      return url.protocol === 'https:' || ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
    } catch {
      return true;
    }
  };
  const setSession = (request: FastifyRequest, reply: FastifyReply, token: string) => {
    void reply.setCookie(SESSION_COOKIE, token, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: secure(request),
      maxAge: SESSION_HOURS * 3600,
    });
  };
  return { secure, setSession };
}

/** Only a path on this site (no scheme, no host, no //) may be a return address. */
export function safeReturnPath(value: string | undefined): string {
  return value && /^\/(?![/\\])[\x21-\x7e]*$/.test(value) ? value : '/area-personale';
}

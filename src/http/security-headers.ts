import type { FastifyInstance } from 'fastify';

/**
 * The policy of every HTML page: the portal and the status page load no script, only their own styles,
 * fonts and images (Bootstrap Italia's icons are data: SVGs); inline style attributes are allowed (a
 * progress bar's width), inline <style> and every script are not; no page may be framed.
 */
export const HTML_CSP = [
  "default-src 'self'",
  "script-src 'none'",
  "style-src 'self'",
  "style-src-attr 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Security headers: `nosniff` on every response; on HTML, the policy above (unless the route set its
 * own: the API explorer at /docs, which needs its scripts), no framing and no referrer outside the site.
 */
export function securityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    void reply.header('x-content-type-options', 'nosniff');
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.startsWith('text/html')) {
      if (!reply.hasHeader('content-security-policy')) void reply.header('content-security-policy', HTML_CSP);
      void reply.header('x-frame-options', 'DENY');
      void reply.header('referrer-policy', 'same-origin');
    }
    return payload;
  });
}

/** The API explorer's own policy (@fastify/swagger-ui's, with hashes of its inline scripts), never framed. */
export const docsCsp = (policy: string) => policy.replace("frame-ancestors 'self'", "frame-ancestors 'none'");

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { startSession } from '../../src/services/portal/start-session.js';
import { createHarness, type Harness } from '../support/harness.js';
import { engineName } from '../support/test-db.js';

/**
 * Every HTML page the portal serves carries the security headers: the pages reachable by following
 * links from the home page and the personal area, for a user of each role, the status page, a page that
 * does not exist and an error page.
 */
describe(`security headers on HTML pages (${engineName()})`, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ demoSignIn: true });
  });
  afterAll(() => h.close());

  const expectHtmlHeaders = (res: LightMyRequestResponse, url: string) => {
    expect(res.headers['content-type'], url).toMatch(/^text\/html/);
    const csp = String(res.headers['content-security-policy']);
    expect(csp, url).toContain("script-src 'none'");
    expect(csp, url).toContain("frame-ancestors 'none'");
    expect(csp, url).toContain("object-src 'none'");
    expect(res.headers['x-content-type-options'], url).toBe('nosniff');
    expect(res.headers['x-frame-options'], url).toBe('DENY');
    expect(res.headers['referrer-policy'], url).toBe('same-origin');
  };

  /** Follows same-site links (GET) from the start pages; returns the HTML pages seen. */
  async function crawl(start: string[], cookie?: string): Promise<string[]> {
    const seen = new Set<string>();
    const html: string[] = [];
    const queue = [...start];
    while (queue.length > 0 && seen.size < 60) {
      const url = queue.shift()!;
      if (seen.has(url)) continue;
      seen.add(url);
      const res = await h.app.inject({ url, headers: cookie ? { cookie } : {} });
      if (!String(res.headers['content-type']).startsWith('text/html')) {
        expect(res.headers['x-content-type-options'], url).toBe('nosniff');
        continue;
      }
      expectHtmlHeaders(res, url);
      html.push(url);
      for (const [, href] of res.body.matchAll(/href="(\/[^"#]*)"/g))
        if (!/^\/(assets|esci|docs)|\.(pdf|csv|atom|xml|json)(\?|$)/.test(href!))
          queue.push(href!.replace(/&amp;/g, '&'));
    }
    return html;
  }

  it('on public pages, the status page, a missing page and an error page', async () => {
    const pages = await crawl(['/', '/stato', '/comunicati', '/iscrizioni', '/accedi']);
    expect(pages.length).toBeGreaterThan(5);
    const missing = await h.app.inject({ url: '/comunicati/x' });
    expect(missing.statusCode).toBe(404);
    expectHtmlHeaders(missing, 'missing');
    const badForm = await h.app.inject({ method: 'POST', url: '/iscrizioni', payload: { email: 'x' } });
    expect(badForm.statusCode).toBeGreaterThanOrEqual(400);
    expectHtmlHeaders(badForm, 'bad form');
  });

  it('on the personal area of every role', async () => {
    const rup = await h.factories.rup({ place: '016072006', section: 'PUG' });
    const people = [
      rup,
      await h.factories.user('regional_staff', { regionalSectionCode: 'PUG' }),
      await h.factories.user('authority_staff'),
      await h.factories.user('admin'),
    ];
    for (const person of people) {
      const { token } = await startSession(h.deps, { userId: person.user.id, signIn: 'demo' });
      const pages = await crawl(['/area-personale'], `gara_sessione=${token}`);
      expect(pages.length, person.user.role).toBeGreaterThan(2);
    }
  });

  it('the API explorer keeps its own policy (its scripts), never framed; JSON is nosniff too', async () => {
    const docs = await h.app.inject({ url: '/docs' });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-type']).toMatch(/^text\/html/);
    const csp = String(docs.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(docs.headers['x-content-type-options']).toBe('nosniff');
    const api = await h.app.inject({ url: '/api/v1/regional-sections' });
    expect(api.headers['x-content-type-options']).toBe('nosniff');
  });
});

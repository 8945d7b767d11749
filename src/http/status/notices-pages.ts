import type { Notice } from '../../services/notices/ports.js';
import { escapeXml } from './status-feed.js';
import { formatLongDateIt } from '../../domain/shared/dates.js';
import { escapeHtml } from '../html.js';

/**
 * The Authority's comunicati as text blocks for the portal's archive (/comunicati) and as an Atom 1.0 feed
 * (/comunicati/feed.atom): newest first. Each notice keeps its id and link for ever (a published
 * notice cannot change: the database refuses it), so the feed's entries never change either.
 */

export const noticeKindLabels: Record<Notice['kind'], string> = {
  outage: 'Interruzione dei servizi',
  maintenance: 'Manutenzione',
  restoration: 'Ripristino dei servizi',
  information: 'Informazione',
};

const trim = (base: string) => base.replace(/\/+$/, '');

/** Paragraphs separated by blank lines; lines starting with "- " as list items (escaped HTML). */
export function noticeBodyHtml(body: string): string {
  return body
    .split(/\n\s*\n/)
    .map((block) => {
      const lines = block.split('\n');
      if (lines.every((l) => l.startsWith('- '))) {
        return `<ul>${lines.map((l) => `<li>${escapeHtml(l.slice(2))}</li>`).join('')}</ul>`;
      }
      return `<p class="msg">${escapeHtml(block)}</p>`;
    })
    .join('\n');
}

export function renderNoticeFeed(notices: Notice[], options: { baseUrl: string; now: Date }): string {
  const base = trim(options.baseUrl);
  const stamp = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const updated = notices[0]?.publishedAt ?? options.now;
  const entries = notices.map(
    (n) => `<entry>
<id>${escapeXml(`${base}/comunicati/${n.id}`)}</id>
<title>${escapeXml(n.title)}</title>
<updated>${stamp(n.publishedAt ?? n.createdAt)}</updated>
<published>${stamp(n.publishedAt ?? n.createdAt)}</published>
<link rel="alternate" type="text/html" href="${escapeXml(`${base}/comunicati/${n.id}`)}"/>
<category term="${n.kind}" label="${escapeXml(noticeKindLabels[n.kind])}"/>
<content type="text">${escapeXml(`Comunicato del ${formatLongDateIt(n.noticeDate)}\n\n${n.body}${n.sourceUrl ? `\n\nFonte: ${n.sourceUrl}` : ''}`)}</content>
</entry>`,
  );
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="it">
<id>${escapeXml(`${base}/comunicati`)}</id>
<title>gara — comunicati</title>
<updated>${stamp(updated)}</updated>
<author><name>gara</name></author>
<link rel="self" type="application/atom+xml" href="${escapeXml(`${base}/comunicati/feed.atom`)}"/>
<link rel="alternate" type="text/html" href="${escapeXml(`${base}/comunicati`)}"/>
${entries.join('\n')}
</feed>
`;
}

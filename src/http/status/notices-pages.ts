import type { Notice } from '../../services/notices/ports.js';
import { escapeXml } from './status-feed.js';
import { escapeHtml, formatLongDateIt, PAGE_CSS } from './status-page.js';

/**
 * The public archive of the Authority's comunicati (Italian HTML, /comunicati) and its Atom 1.0 feed
 * (/comunicati/feed.atom): newest first. Each notice keeps its id and link for ever (a published
 * notice cannot change: the database refuses it), so the feed's entries never change either.
 */

const kindLabels: Record<Notice['kind'], string> = {
  outage: 'Interruzione dei servizi',
  maintenance: 'Manutenzione',
  restoration: 'Ripristino dei servizi',
  information: 'Informazione',
};

const trim = (base: string) => base.replace(/\/+$/, '');

/** Paragraphs separated by blank lines; lines starting with "- " as list items. */
function bodyHtml(body: string): string {
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

function article(n: Notice, base: string, heading: 'h1' | 'h2'): string {
  return `<article class="card" id="n-${n.id}">
<${heading}><a href="${escapeHtml(`${base}/comunicati/${n.id}`)}">${escapeHtml(n.title)}</a></${heading}>
<p><strong>Comunicato del ${escapeHtml(formatLongDateIt(n.noticeDate))}</strong> — ${kindLabels[n.kind]}</p>
${bodyHtml(n.body)}
${n.sourceUrl ? `<p>Fonte: <a href="${escapeHtml(n.sourceUrl)}">${escapeHtml(n.sourceUrl)}</a></p>` : ''}
</article>`;
}

function page(title: string, base: string, content: string): string {
  return `<!DOCTYPE html>
<html lang="it">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title>${escapeHtml(title)} — gara</title>
<link rel="alternate" type="application/atom+xml" title="gara — comunicati" href="${escapeHtml(`${base}/comunicati/feed.atom`)}"/>
<style>${PAGE_CSS}</style>
</head>
<body>
<a class="skip" href="#contenuto">Vai al contenuto</a>
<header>
<p>gara — servizi per le gare pubbliche</p>
</header>
<main id="contenuto">
${content}
</main>
<footer>
<ul>
<li><a href="${escapeHtml(`${base}/comunicati`)}">Archivio dei comunicati</a> (<a href="${escapeHtml(`${base}/comunicati/feed.atom`)}">feed Atom</a>)</li>
<li><a href="${escapeHtml(`${base}/stato`)}">Stato dei servizi</a></li>
</ul>
</footer>
</body>
</html>
`;
}

export function renderNoticeArchive(
  notices: Notice[],
  options: { baseUrl: string; page: number; hasMore: boolean },
): string {
  const base = trim(options.baseUrl);
  const nav = [
    options.page > 1
      ? `<a href="${escapeHtml(`${base}/comunicati?pagina=${options.page - 1}`)}">Comunicati più recenti</a>`
      : '',
    options.hasMore
      ? `<a href="${escapeHtml(`${base}/comunicati?pagina=${options.page + 1}`)}">Comunicati precedenti</a>`
      : '',
  ].filter(Boolean);
  return page(
    'Comunicati',
    base,
    `<h1>Comunicati dell'Autorità</h1>
${notices.length === 0 ? '<p>Nessun comunicato pubblicato.</p>' : notices.map((n) => article(n, base, 'h2')).join('\n')}
${nav.length > 0 ? `<nav aria-label="Pagine"><p>${nav.join(' · ')}</p></nav>` : ''}`,
  );
}

export function renderNoticePage(notice: Notice, options: { baseUrl: string }): string {
  return page(notice.title, trim(options.baseUrl), article(notice, trim(options.baseUrl), 'h1'));
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
<category term="${n.kind}" label="${escapeXml(kindLabels[n.kind])}"/>
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

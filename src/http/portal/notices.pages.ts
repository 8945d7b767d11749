import type { FastifyPluginAsync } from 'fastify';
import { formatLongDateIt } from '../../domain/shared/dates.js';
import { noticeBodyHtml, noticeKindLabels } from '../status/notices-pages.js';
import type { ServiceDeps } from '../../services/context.js';
import { getNotice } from '../../services/notices/get-notice.js';
import { listNotices } from '../../services/notices/list-notices.js';
import type { Notice } from '../../services/notices/ports.js';
import { idParam, send } from './forms.js';
import { html, page, raw, type Html } from './layout.js';

const PAGE_SIZE = 20;

/** One comunicato: title (a link in the archive), date and kind, the text as published. */
function noticeArticle(n: Notice, heading: 'h1' | 'h2'): Html {
  const title =
    heading === 'h1'
      ? html`<h1>${n.title}</h1>`
      : html`<h2 class="h4"><a href="/comunicati/${n.id}">${n.title}</a></h2>`;
  return html`<article class="mb-5" id="n-${n.id}">
    ${title}
    <p><strong>Comunicato del ${formatLongDateIt(n.noticeDate)}</strong> — ${noticeKindLabels[n.kind]}</p>
    ${raw(noticeBodyHtml(n.body))}
    ${n.sourceUrl ? html`<p>Fonte: <a href="${n.sourceUrl}">${n.sourceUrl}</a></p>` : ''}
  </article>`;
}

/**
 * The public archive of the Authority's comunicati in the portal (newest first, 20 a page) and each
 * comunicato at its permanent address; the Atom feed stays at /comunicati/feed.atom.
 */
export const noticePages: FastifyPluginAsync<{ deps: ServiceDeps }> = async (app, { deps }) => {
  // Public reads: from the replicas when there are some (deps is then the read deps).
  const replicaRead = { config: { replicaRead: true } };
  app.get<{ Querystring: { pagina?: string } }>('/comunicati', replicaRead, async (request, reply) => {
    const n = Math.min(10_000, Math.max(1, Number.parseInt(request.query.pagina ?? '1', 10) || 1));
    const notices = await listNotices(deps, { limit: PAGE_SIZE + 1, offset: (n - 1) * PAGE_SIZE });
    const more = notices.length > PAGE_SIZE;
    return send(
      reply,
      page({
        ...request.portal,
        title: n > 1 ? `Comunicati, pagina ${n}` : 'Comunicati',
        current: '/comunicati',
        breadcrumbs: [{ label: 'Home', href: '/' }, { label: 'Comunicati' }],
        body: html`<h1>Comunicati dell'Autorità</h1>
          <p>
            Segui i comunicati con il <a href="/comunicati/feed.atom">feed Atom</a> o
            <a href="/iscrizioni">ricevi gli avvisi</a> sullo stato dei servizi per posta elettronica.
          </p>
          ${notices.length === 0 ? html`<p>Nessun comunicato pubblicato.</p>` : notices.slice(0, PAGE_SIZE).map((x) => noticeArticle(x, 'h2'))}
          ${
            n > 1 || more
              ? html`<nav class="pagination-wrapper" aria-label="Pagine">
                  <ul class="pagination">
                    ${n > 1 ? html`<li class="page-item"><a class="page-link" href="/comunicati?pagina=${n - 1}">Comunicati più recenti</a></li>` : ''}
                    ${more ? html`<li class="page-item"><a class="page-link" href="/comunicati?pagina=${n + 1}">Comunicati precedenti</a></li>` : ''}
                  </ul>
                </nav>`
              : ''
          }`.value,
      }),
    );
  });

  app.get<{ Params: { id: string } }>('/comunicati/:id', replicaRead, async (request, reply) => {
    const notice = await getNotice(deps, idParam(request.params.id), undefined);
    return send(
      reply,
      page({
        ...request.portal,
        title: notice.title,
        current: '/comunicati',
        updatedAt: notice.noticeDate,
        breadcrumbs: [
          { label: 'Home', href: '/' },
          { label: 'Comunicati', href: '/comunicati' },
          { label: notice.title },
        ],
        body: noticeArticle(notice, 'h1').value,
      }),
    );
  });
};

import type { FastifyPluginAsync } from 'fastify';
import { formatDateIt, formatDateTimeIt } from '../../domain/shared/dates.js';
import type { ServiceDeps } from '../../services/context.js';
import { listNotices } from '../../services/notices/list-notices.js';
import type { OutboxState } from '../../services/notices/ports.js';
import { outboxStateLabels, relayReportCsv } from '../relay-report.js';
import { relayNotice } from '../../services/notices/relay-notice.js';
import { getRelayDetails } from '../../services/notices/get-relay-details.js';
import { getRelayLetter } from '../../services/notices/get-relay-letter.js';
import { listRelays } from '../../services/notices/list-relays.js';
import { retryFailedRecipients } from '../../services/notices/retry-failed-recipients.js';
import { idParam, send, signedIn } from './forms.js';
import { html, page } from './layout.js';

/**
 * The regional office relays comunicati to the RUPs of its region and follows the dispatch: the page
 * of a relay refreshes itself (no script: a meta refresh) until nothing is queued or being sent.
 */
export const relayPages: FastifyPluginAsync<{ deps: ServiceDeps }> = async (app, { deps }) => {
  const base = '/area-personale/comunicati';

  app.get(base, async (request, reply) => {
    const actor = signedIn(request, reply);
    if (!actor) return reply;
    const relays = await listRelays(deps, actor);
    const notices = await listNotices(deps, { limit: 20, offset: 0 });
    const relaysOf = (noticeId: string) => relays.filter((r) => r.noticeId === noticeId);
    return send(
      reply,
      page({
        ...request.portal,
        title: 'Inoltro dei comunicati',
        current: '/area-personale',
        breadcrumbs: [
          { label: 'Home', href: '/' },
          { label: 'Area personale', href: '/area-personale' },
          { label: 'Inoltro dei comunicati' },
        ],
        body: html`<h1>Inoltro dei comunicati ai RUP</h1>
          <p>
            L'inoltro protocolla la lettera di trasmissione nel registro della sezione e la invia per posta
            elettronica a ogni RUP delle stazioni appaltanti della regione.
          </p>
          ${
            notices.length === 0
              ? html`<p>Nessun comunicato pubblicato.</p>`
              : html`<ul class="list-unstyled">
                  ${notices.map(
                    (n) =>
                      html`<li class="border-bottom py-3">
                        <h2 class="h5 mb-1"><a href="/comunicati/${n.id}">${n.title}</a></h2>
                        <p class="small mb-2">Comunicato del ${formatDateIt(n.noticeDate)}</p>
                        ${relaysOf(n.id).map(
                          (r) =>
                            html`<p class="mb-2">
                              <a href="/area-personale/inoltri/${r.id}"
                                >Inoltrato il ${formatDateIt(r.createdAt)} a ${r.recipientCount} RUP</a
                              >
                            </p>`,
                        )}
                        ${
                          !actor.regionalSectionCode || relaysOf(n.id).length > 0
                            ? ''
                            : html`<form method="post" action="${base}/${n.id}/inoltri">
                                <input type="hidden" name="csrf" value="${request.portal.csrf ?? ''}" />
                                <button type="submit" class="btn btn-primary btn-sm">
                                  Inoltra ai RUP della regione
                                </button>
                              </form>`
                        }
                      </li>`,
                  )}
                </ul>`
          }`.value,
      }),
    );
  });

  app.post<{ Params: { id: string } }>(`${base}/:id/inoltri`, async (request, reply) => {
    const actor = signedIn(request, reply);
    if (!actor) return reply;
    const outcome = await relayNotice(deps, { noticeId: idParam(request.params.id) }, actor);
    return reply.redirect(`/area-personale/inoltri/${outcome.relay.id}`, 303);
  });

  app.get<{ Params: { id: string }; Querystring: { aggiornamento?: string } }>(
    '/area-personale/inoltri/:id',
    async (request, reply) => {
      const actor = signedIn(request, reply);
      if (!actor) return reply;
      const { relay, protocol, progress, done, notice, recipients } = await getRelayDetails(
        deps,
        idParam(request.params.id),
        actor,
      );
      const finished = progress.accepted + progress.delivered + progress.failed;
      const percent = relay.recipientCount === 0 ? 100 : Math.round((finished / relay.recipientCount) * 100);
      // The page follows the dispatch by itself (every 5 s) unless the user stops it (WCAG 2.2.1).
      const auto = !done && request.query.aggiornamento !== 'no';
      if (auto) void reply.header('refresh', '5');
      const here = `/area-personale/inoltri/${relay.id}`;
      return send(
        reply,
        page({
          ...request.portal,
          title: `Inoltro ${protocol}`,
          current: '/area-personale',
          breadcrumbs: [
            { label: 'Home', href: '/' },
            { label: 'Inoltro dei comunicati', href: base },
            { label: protocol },
          ],
          body: html`<h1>Inoltro ${protocol}</h1>
            <p>
              ${notice ? html`Comunicato: <a href="/comunicati/${notice.id}">${notice.title}</a>. ` : ''}Destinatari:
              ${relay.recipientCount}.
            </p>
            <div class="progress-bar-wrapper mb-3">
              <div class="progress-bar-label">
                <span class="visually-hidden">Avanzamento dell'invio: </span>${percent}%
                ${done ? '— invio concluso' : auto ? '— invio in corso, la pagina si aggiorna ogni 5 secondi' : '— invio in corso'}
              </div>
              <div class="progress">
                <div
                  class="progress-bar"
                  role="progressbar"
                  style="width: ${percent}%"
                  aria-valuenow="${percent}"
                  aria-valuemin="0"
                  aria-valuemax="100"
                  aria-label="Avanzamento dell'invio"
                ></div>
              </div>
            </div>
            ${
              done
                ? ''
                : html`<p class="d-flex flex-wrap gap-3">
                    ${
                      auto
                        ? html`<a href="${here}?aggiornamento=no">Interrompi l'aggiornamento automatico</a>`
                        : html`<a href="${here}?aggiornamento=no">Aggiorna ora</a>
                            <a href="${here}">Riprendi l'aggiornamento automatico</a>`
                    }
                  </p>`
            }
            <dl class="row" aria-live="polite">
              ${(Object.keys(outboxStateLabels) as OutboxState[]).map(
                (s) =>
                  html`<dt class="col-sm-5">${outboxStateLabels[s]}</dt>
                    <dd class="col-sm-7" data-state="${s}">${progress[s]}</dd>`,
              )}
            </dl>
            <ul class="list-unstyled d-flex flex-wrap gap-3">
              <li>
                <a class="btn btn-outline-primary" href="/area-personale/inoltri/${relay.id}/lettera.pdf"
                  >Lettera di trasmissione (PDF)</a
                >
              </li>
              <li>
                <a class="btn btn-outline-primary" href="/area-personale/inoltri/${relay.id}/esito.csv"
                  >Esito per destinatario (CSV)</a
                >
              </li>
            </ul>
            ${
              progress.failed > 0
                ? html`<form method="post" action="/area-personale/inoltri/${relay.id}/nuovo-invio">
                    <input type="hidden" name="csrf" value="${request.portal.csrf ?? ''}" />
                    <button type="submit" class="btn btn-primary">
                      Invia di nuovo ai ${progress.failed} destinatari non raggiunti
                    </button>
                  </form>`
                : ''
            }
            <h2 class="h4 mt-4">Esito per destinatario</h2>
            <div class="table-responsive">
              <table class="table table-sm">
                <caption class="visually-hidden">
                  Esito dell'invio per destinatario (ora italiana)
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Destinatario</th>
                    <th scope="col">Indirizzo</th>
                    <th scope="col">Stato</th>
                    <th scope="col">Tentativi</th>
                    <th scope="col">Ultimo esito (ora italiana)</th>
                  </tr>
                </thead>
                <tbody>
                  ${recipients.map((r) => {
                    const at = r.deliveredAt ?? r.failedAt ?? r.acceptedAt;
                    return html`<tr>
                      <td>${r.recipientName}</td>
                      <td>${r.address}</td>
                      <td data-state="${r.state}">${outboxStateLabels[r.state]}</td>
                      <td>${r.attempts}</td>
                      <td>${at ? formatDateTimeIt(at) : '—'}</td>
                    </tr>`;
                  })}
                </tbody>
              </table>
            </div>`.value,
        }),
      );
    },
  );

  app.post<{ Params: { id: string } }>('/area-personale/inoltri/:id/nuovo-invio', async (request, reply) => {
    const actor = signedIn(request, reply);
    if (!actor) return reply;
    await retryFailedRecipients(deps, idParam(request.params.id), actor);
    return reply.redirect(`/area-personale/inoltri/${request.params.id}`, 303);
  });

  app.get<{ Params: { id: string } }>('/area-personale/inoltri/:id/lettera.pdf', async (request, reply) => {
    const actor = signedIn(request, reply);
    if (!actor) return reply;
    const { relay, pdf } = await getRelayLetter(deps, idParam(request.params.id), actor);
    return reply
      .type('application/pdf')
      .header('content-disposition', `inline; filename="lettera-${relay.id}.pdf"`)
      .send(pdf);
  });

  app.get<{ Params: { id: string } }>('/area-personale/inoltri/:id/esito.csv', async (request, reply) => {
    const actor = signedIn(request, reply);
    if (!actor) return reply;
    const { relay, recipients } = await getRelayDetails(deps, idParam(request.params.id), actor);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="esito-inoltro-${relay.id}.csv"`)
      .send(relayReportCsv(recipients));
  });
};

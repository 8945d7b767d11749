import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { formatDateIt } from '../../domain/shared/dates.js';
import { DomainError } from '../../domain/shared/errors.js';
import { formatAmountIt } from '../../domain/shared/money.js';
import type { ServiceDeps } from '../../services/context.js';
import { listProcedureTypes } from '../../services/reference/list-procedure-types.js';
import { createTender } from '../../services/tenders/create-tender.js';
import { getTender } from '../../services/tenders/get-tender.js';
import { listTenders } from '../../services/tenders/list-tenders.js';
import {
  errorSummary,
  formFieldOf,
  send,
  signedIn,
  tenderFieldsets,
  tenderInput,
  type FieldErrors,
  type Form,
} from './forms.js';
import { fieldErrorIt, lotStateLabels, tenderStateLabels } from './labels.js';
import { dataTable, html, page } from './layout.js';

/** The tenders a user may see (a RUP's own, a region's, all), a new tender with its lots, one tender. */
export const tenderPages: FastifyPluginAsync<{ deps: ServiceDeps }> = async (app, { deps }) => {
  app.get<{ Querystring: { pagina?: string } }>('/area-personale/gare', async (request, reply) => {
    const actor = signedIn(request, reply);
    if (!actor) return reply;
    const pageNumber = Math.min(10_000, Math.max(1, Number.parseInt(request.query.pagina ?? '1', 10) || 1));
    const size = 20;
    const tenders = await listTenders(deps, { limit: size, offset: (pageNumber - 1) * size }, actor);
    const pages = Math.max(1, Math.ceil(tenders.total / size));
    return send(
      reply,
      page({
        ...request.portal,
        title: 'Gare',
        current: '/area-personale',
        breadcrumbs: [
          { label: 'Home', href: '/' },
          { label: 'Area personale', href: '/area-personale' },
          { label: 'Gare' },
        ],
        body: html`<div class="d-flex flex-wrap justify-content-between align-items-center gap-2">
            <h1>Gare</h1>
            ${actor.role === 'rup' ? html`<a class="btn btn-primary" href="/area-personale/gare/nuova">Nuova gara</a>` : ''}
          </div>
          <p>${tenders.total} ${tenders.total === 1 ? 'gara' : 'gare'}.</p>
          ${dataTable(
            `Gare, dalla più recente`,
            ['Numero', 'Oggetto', 'Stazione appaltante', 'Lotti', 'Stato', 'Creata il'],
            tenders.items.map(
              (t) =>
                html`<tr>
                  <td><a href="/area-personale/gare/${t.tenderNumber}">${t.tenderNumber}</a></td>
                  <td>${t.object}</td>
                  <td>${t.contractingAuthorityName}</td>
                  <td>${t.lotCount}</td>
                  <td>${tenderStateLabels[t.state]}</td>
                  <td>${formatDateIt(t.createdAt)}</td>
                </tr>`,
            ),
          )}
          ${
            pages > 1
              ? html`<nav class="pagination-wrapper" aria-label="Pagine">
                  <ul class="pagination">
                    ${pageNumber > 1 ? html`<li class="page-item"><a class="page-link" href="?pagina=${pageNumber - 1}">Pagina precedente</a></li>` : ''}
                    <li class="page-item">
                      <span class="page-link" aria-current="page">Pagina ${pageNumber} di ${pages}</span>
                    </li>
                    ${pageNumber < pages ? html`<li class="page-item"><a class="page-link" href="?pagina=${pageNumber + 1}">Pagina successiva</a></li>` : ''}
                  </ul>
                </nav>`
              : ''
          }`.value,
      }),
    );
  });

  const tenderForm = async (request: FastifyRequest, values: Form, errors: FieldErrors): Promise<string> => {
    const procedures = (await listProcedureTypes(deps)).filter((p) => p.validTo === null);
    const summary = errorSummary(errors);
    return page({
      ...request.portal,
      title: errors.size ? 'Errori nel modulo: nuova gara' : 'Nuova gara',
      current: '/area-personale',
      breadcrumbs: [
        { label: 'Home', href: '/' },
        { label: 'Gare', href: '/area-personale/gare' },
        { label: 'Nuova gara' },
      ],
      body: html`<h1>Nuova gara</h1>
        <p>Ogni lotto riceve il suo CIG appena la gara è creata. I campi sono tutti obbligatori.</p>
        ${summary}
        <form method="post" action="/area-personale/gare/nuova" novalidate>
          <input type="hidden" name="csrf" value="${request.portal.csrf ?? ''}" />
          ${tenderFieldsets(values, errors, procedures)}
          <button type="submit" class="btn btn-primary">Crea la gara e acquisisci il CIG</button>
        </form>`.value,
    });
  };

  app.get('/area-personale/gare/nuova', async (request, reply) => {
    const actor = signedIn(request, reply);
    if (!actor) return reply;
    if (actor.role !== 'rup') throw new DomainError('forbidden', 'only a RUP creates tenders');
    return send(reply, await tenderForm(request, {}, new Map()));
  });

  app.post('/area-personale/gare/nuova', async (request, reply) => {
    const actor = signedIn(request, reply);
    if (!actor) return reply;
    const form = request.body as Form;
    try {
      const { tender } = await createTender(deps, tenderInput(form), actor);
      return reply.redirect(`/area-personale/gare/${tender.tenderNumber}?creata=1`, 303);
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'validation_failed') throw error;
      const name = formFieldOf(error.field);
      return send(reply, await tenderForm(request, form, new Map([[name, fieldErrorIt(name)]])), 422);
    }
  });

  app.get<{ Params: { n: string }; Querystring: { creata?: string } }>(
    '/area-personale/gare/:n',
    async (request, reply) => {
      const actor = signedIn(request, reply);
      if (!actor) return reply;
      const n = Number(request.params.n);
      if (!/^\d{7}$/.test(request.params.n)) throw new DomainError('not_found', 'no such tender');
      const { tender, lots } = await getTender(deps, n, actor);
      return send(
        reply,
        page({
          ...request.portal,
          title: `Gara ${tender.tenderNumber}`,
          current: '/area-personale',
          updatedAt: tender.updatedAt,
          breadcrumbs: [
            { label: 'Home', href: '/' },
            { label: 'Gare', href: '/area-personale/gare' },
            { label: `Gara ${tender.tenderNumber}` },
          ],
          body: html`${
              request.query.creata
                ? html`<div class="alert alert-success" role="status">
                    Gara creata:
                    ${lots.length === 1 ? 'il CIG è stato acquisito' : 'i CIG sono stati acquisiti'}.
                  </div>`
                : ''
            }
            <h1>Gara ${tender.tenderNumber}</h1>
            <dl class="row">
              <dt class="col-sm-3">Oggetto</dt>
              <dd class="col-sm-9">${tender.object}</dd>
              <dt class="col-sm-3">Stazione appaltante</dt>
              <dd class="col-sm-9">${tender.contractingAuthorityName}</dd>
              <dt class="col-sm-3">Stato</dt>
              <dd class="col-sm-9">${tenderStateLabels[tender.state]}</dd>
              <dt class="col-sm-3">Creata il</dt>
              <dd class="col-sm-9">${formatDateIt(tender.createdAt)}</dd>
            </dl>
            <h2 class="h4">Lotti</h2>
            ${dataTable(
              `Lotti della gara ${tender.tenderNumber}`,
              ['Lotto', 'CIG', 'Oggetto', 'Importo', 'Stato', 'Perfezionare entro'],
              lots.map(
                (l) =>
                  html`<tr>
                    <td>${l.lotNumber}</td>
                    <td><a class="cig-code" href="/area-personale/lotti/${l.cig}">${l.cig}</a></td>
                    <td>${l.object}</td>
                    <td>€ ${formatAmountIt(l.amountCents)}</td>
                    <td>${lotStateLabels[l.state]}</td>
                    <td>${l.state === 'issued' ? formatDateIt(l.perfectionDeadline) : '—'}</td>
                  </tr>`,
              ),
            )}`.value,
        }),
      );
    },
  );

  /** Only a path on this site (no scheme, no host, no //) may be a return address. */
};

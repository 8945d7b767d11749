import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { formatDateIt, formatDateTimeIt, romeDateOf } from '../../domain/shared/dates.js';
import { DomainError } from '../../domain/shared/errors.js';
import { requireRole, type ServiceDeps } from '../../services/context.js';
import { listNoticeDrafts } from '../../services/notices/list-notice-drafts.js';
import { publishNotice } from '../../services/notices/publish-notice.js';
import { listRecentMaintenances } from '../../services/continuity/list-recent-maintenances.js';
import { approveRestoration } from '../../services/notices/approve-restoration.js';
import {
  errorSummary,
  idParam,
  selectField,
  send,
  signedIn,
  textField,
  type FieldErrors,
  type Form,
} from './forms.js';
import { html, page, raw } from './layout.js';
import { noticeKindLabels } from '../status/notices-pages.js';

const base = '/area-personale/redazione';

const kinds = Object.entries(noticeKindLabels).map(([value, label]) => ({ value, label }));

const noticeFieldsIt: Record<string, [string, string]> = {
  title: ['titolo', 'Indica il titolo del comunicato.'],
  noticeDate: ['data', 'Indica la data del comunicato (giorno, mese e anno).'],
  body: ['testo', 'Scrivi il testo del comunicato.'],
  kind: ['tipo', 'Scegli il tipo di comunicato.'],
  incident: ['disservizio', 'Il disservizio indicato non esiste: usa il codice, per esempio INC-2021-0001.'],
  maintenance: [
    'manutenzione',
    'Scegli una manutenzione in elenco; un comunicato riguarda un disservizio o una manutenzione, non entrambi.',
  ],
  sourceUrl: ['fonte', "L'indirizzo della fonte deve iniziare con https://."],
};

/**
 * The Authority's staff publish comunicati (public at /comunicati; the regional offices relay them) and
 * approve the restoration notices drafted when an incident is resolved: approval relays each one to
 * exactly the recipients of the original relay.
 */
export const editorialPages: FastifyPluginAsync<{ deps: ServiceDeps }> = async (app, { deps }) => {
  const render = async (request: FastifyRequest, values: Form, errors: FieldErrors, notice?: string) => {
    const drafts = await listNoticeDrafts(deps, request.portal.actor!);
    // The maintenances a comunicato may announce: those of the last 30 days and those to come.
    const maintenances = (await listRecentMaintenances(deps, { days: 30 }, request.portal.actor!))
      .filter((m) => !m.cancelledAt)
      .map((m) => ({ value: m.id, label: `${m.title} (${formatDateTimeIt(m.startsAt)})` }));
    return page({
      ...request.portal,
      title: `${errors.size ? 'Errori nel modulo: ' : ''}Comunicati`,
      current: '/area-personale',
      breadcrumbs: [
        { label: 'Home', href: '/' },
        { label: 'Area personale', href: '/area-personale' },
        { label: 'Comunicati' },
      ],
      body: html`${notice ? html`<div class="alert alert-success" role="status">${notice}</div>` : ''}
        <h1>Comunicati dell'Autorità</h1>
        <section aria-labelledby="bozze" class="mb-5">
          <h2 class="h4" id="bozze">Avvisi di ripristino da approvare</h2>
          ${
            drafts.length === 0
              ? html`<p>Nessuna bozza.</p>`
              : html`<ul class="list-unstyled">
                  ${drafts.map(
                    (d) =>
                      html`<li class="border-bottom py-3">
                        <h3 class="h5">${d.title}</h3>
                        <p class="small">Bozza del ${formatDateIt(d.noticeDate)}</p>
                        <details class="mb-2">
                          <summary>Testo</summary>
                          <div class="mt-2" style="white-space: pre-line">${d.body}</div>
                        </details>
                        <form method="post" action="${base}/${d.id}/approvazione">
                          <input type="hidden" name="csrf" value="${request.portal.csrf ?? ''}" />
                          <button type="submit" class="btn btn-primary btn-sm">
                            Approva, pubblica e inoltra ai destinatari dell'avviso originale
                          </button>
                        </form>
                      </li>`,
                  )}
                </ul>`
          }
        </section>
        <section aria-labelledby="nuovo">
          <h2 class="h4" id="nuovo">Pubblica un comunicato</h2>
          ${errorSummary(errors)}
          <form method="post" action="${base}" novalidate>
            <input type="hidden" name="csrf" value="${request.portal.csrf ?? ''}" />
            ${textField('titolo', 'Titolo', values, errors, { maxlength: 300 })}
            ${textField('data', 'Data', { data: romeDateOf(deps.clock.now()), ...values }, errors, { type: 'date' })}
            ${selectField('tipo', 'Tipo', kinds, values, errors)}
            ${textField('disservizio', 'Disservizio collegato (codice, facoltativo)', values, errors, {
              maxlength: 64,
              hint: 'Per esempio INC-2021-0001: i servizi interessati sono quelli del disservizio',
            })}
            ${selectField(
              'manutenzione',
              'Manutenzione annunciata (facoltativo)',
              maintenances,
              values,
              errors,
              {
                emptyLabel: 'Nessuna',
                hint: "L'attestazione della manutenzione elencherà il comunicato e i suoi protocolli",
              },
            )}
            <div class="form-group mb-4">
              <label for="testo" class="form-label-static">Testo</label>
              <textarea
                id="testo"
                name="testo"
                rows="8"
                class="form-control${errors.has('testo') ? ' is-invalid' : ''}"
                ${errors.has('testo') ? raw(' aria-invalid="true" aria-describedby="testo-errore"') : ''}
              >
${values.testo ?? ''}</textarea>
              ${errors.has('testo') ? html`<div id="testo-errore" class="invalid-feedback d-block">${errors.get('testo')}</div>` : ''}
            </div>
            ${textField('fonte', 'Indirizzo della fonte (facoltativo)', values, errors, { maxlength: 500 })}
            <button type="submit" class="btn btn-primary">Pubblica</button>
          </form>
        </section>`.value,
    });
  };

  app.get(base, async (request, reply) => {
    const actor = signedIn(request, reply);
    if (!actor) return reply;
    requireRole(actor, 'authority_staff', 'admin');
    return send(reply, await render(request, {}, new Map()));
  });

  app.post(base, async (request, reply) => {
    const actor = signedIn(request, reply);
    if (!actor) return reply;
    const form = request.body as Form;
    const incident = (form.disservizio ?? '').trim();
    try {
      const published = await publishNotice(
        deps,
        {
          title: form.titolo ?? '',
          noticeDate: (form.data ?? '').trim(),
          kind: (form.tipo ?? '') as 'outage',
          body: form.testo ?? '',
          incident: incident || undefined,
          maintenance: (form.manutenzione ?? '').trim() || undefined,
          sourceUrl: (form.fonte ?? '').trim() || undefined,
        },
        actor,
      );
      return send(
        reply,
        await render(request, {}, new Map(), `Comunicato pubblicato: «${published.title}».`),
        201,
      );
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      if (error.code === 'not_found' && incident) {
        return send(reply, await render(request, form, new Map([noticeFieldsIt.incident!])), 422);
      }
      if (error.code !== 'validation_failed') throw error;
      const entry = noticeFieldsIt[error.field ?? ''] ?? ['titolo', 'Valore non valido.'];
      return send(reply, await render(request, form, new Map([entry])), 422);
    }
  });

  app.post<{ Params: { id: string } }>(`${base}/:id/approvazione`, async (request, reply) => {
    const actor = signedIn(request, reply);
    if (!actor) return reply;
    const { notice, relays } = await approveRestoration(deps, idParam(request.params.id), actor);
    const recipients = relays.reduce((n, r) => n + r.relay.recipientCount, 0);
    return send(
      reply,
      await render(
        request,
        {},
        new Map(),
        `Avviso «${notice.title}» pubblicato e inoltrato a ${recipients} destinatari (${relays.length} ${relays.length === 1 ? 'inoltro' : 'inoltri'}).`,
      ),
    );
  });
};

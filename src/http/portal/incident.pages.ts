import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import {
  incidentStateLabels,
  serviceStateLabels,
  type IncidentState,
} from '../../domain/continuity/status-view.js';
import { instantFromRomeLocal } from '../../domain/shared/dates.js';
import { requireRole, type ServiceDeps } from '../../services/context.js';
import { getIncident, openIncident, updateIncident } from '../../services/continuity/incidents.js';
import { listRecentIncidents } from '../../services/continuity/list-recent-incidents.js';
import { listServices } from '../../services/continuity/list-services.js';
import type { IncidentRecord } from '../../services/continuity/ports.js';
import {
  errorSummary,
  selectField,
  send,
  signedIn,
  textField,
  type FieldErrors,
  type Form,
  servicesField,
  refusedField,
} from './forms.js';
import { html, page } from './layout.js';
import { dateTimeIt } from './labels.js';

const base = '/area-personale/disservizi';
const impacts = ['degraded', 'partial_outage', 'major_outage'] as const;
const states: IncidentState[] = ['investigating', 'identified', 'monitoring', 'resolved'];

const incidentFieldsIt: Record<string, [string, string]> = {
  title: ['titolo', 'Indica un titolo (al massimo 200 caratteri).'],
  impact: ['impatto', "Scegli l'impatto del disservizio."],
  services: ['servizi', 'Scegli almeno un servizio interessato.'],
  message: ['messaggio', 'Scrivi il messaggio per gli utenti (al massimo 4.000 caratteri).'],
  startedAt: ['inizio_data', "L'inizio non può essere nel futuro."],
  state: ['stato', 'Scegli il nuovo stato.'],
  resolvedAt: ['messaggio', 'La fine non può precedere l’inizio né essere nel futuro.'],
};

/**
 * Staff record incidents (the outage window is a fact: the start may be in the past) and follow them
 * to resolution; resolving drafts the restoration notice of the comunicati about it.
 */
export const incidentPages: FastifyPluginAsync<{
  deps: ServiceDeps;
  refreshStatus: () => Promise<void>;
}> = async (app, { deps, refreshStatus }) => {
  const staffOnly = (request: FastifyRequest) =>
    requireRole(request.portal.actor!, 'authority_staff', 'regional_staff', 'admin');

  const newPage = async (request: FastifyRequest, values: Form, errors: FieldErrors) => {
    const services = await listServices(deps);
    return page({
      ...request.portal,
      title: `${errors.size ? 'Errori nel modulo: ' : ''}Nuovo disservizio`,
      current: '/area-personale',
      breadcrumbs: [{ label: 'Home', href: '/' }, { label: 'Disservizi', href: base }, { label: 'Nuovo' }],
      body: html`<h1>Registra un disservizio</h1>
        <p>
          L'inizio può essere nel passato: la finestra del disservizio è un fatto registrato e rende valide le
          regolarizzazioni con le date originali.
        </p>
        ${errorSummary(errors)}
        <form method="post" action="${base}/nuovo" novalidate>
          <input type="hidden" name="csrf" value="${request.portal.csrf ?? ''}" />
          ${textField('titolo', 'Titolo', values, errors, { maxlength: 200 })}
          ${selectField(
            'impatto',
            'Impatto',
            impacts.map((i) => ({ value: i, label: serviceStateLabels[i] })),
            values,
            errors,
          )}
          ${servicesField('Servizi interessati', services, values, errors)}
          ${textField('messaggio', 'Messaggio per gli utenti', values, errors, { maxlength: 4000 })}
          ${textField('inizio_data', 'Inizio: giorno (vuoto: adesso)', values, errors, { type: 'date' })}
          ${textField('inizio_ora', 'Inizio: ora', values, errors, { type: 'time' })}
          <button type="submit" class="btn btn-primary">Registra il disservizio</button>
        </form>`.value,
    });
  };

  app.get(base, async (request, reply) => {
    const actor = signedIn(request, reply);
    if (!actor) return reply;
    staffOnly(request);
    const incidents = await listRecentIncidents(deps, { days: 90 }, actor);
    return send(
      reply,
      page({
        ...request.portal,
        title: 'Disservizi',
        current: '/area-personale',
        breadcrumbs: [
          { label: 'Home', href: '/' },
          { label: 'Area personale', href: '/area-personale' },
          { label: 'Disservizi' },
        ],
        body: html`<div class="d-flex flex-wrap justify-content-between align-items-center gap-2">
            <h1>Disservizi degli ultimi 90 giorni</h1>
            <a class="btn btn-primary" href="${base}/nuovo">Registra un disservizio</a>
          </div>
          ${
            incidents.length === 0
              ? html`<p>Nessun disservizio.</p>`
              : html`<ul class="list-unstyled">
                  ${incidents.map(
                    (i) =>
                      html`<li class="border-bottom py-2">
                        <a href="${base}/${i.code}">${i.code} — ${i.title}</a>
                        <span class="d-block small"
                          >${incidentStateLabels[i.state]}, dal
                          ${dateTimeIt(i.startedAt)}${
                            i.resolvedAt ? html` al ${dateTimeIt(i.resolvedAt)}` : ''
                          }</span
                        >
                      </li>`,
                  )}
                </ul>`
          }`.value,
      }),
    );
  });

  app.get(`${base}/nuovo`, async (request, reply) => {
    if (!signedIn(request, reply)) return reply;
    staffOnly(request);
    return send(reply, await newPage(request, {}, new Map()));
  });

  app.post(`${base}/nuovo`, async (request, reply) => {
    const actor = signedIn(request, reply);
    if (!actor) return reply;
    const form = request.body as Form & { servizi?: string | string[] };
    const day = (form.inizio_data ?? '').trim();
    const time = (form.inizio_ora ?? '').trim() || '00:00';
    try {
      const incident = await openIncident(
        deps,
        {
          title: form.titolo ?? '',
          impact: (form.impatto ?? '') as 'major_outage',
          services: [form.servizi ?? []].flat(),
          message: form.messaggio ?? '',
          startedAt: day ? instantFromRomeLocal(`${day}T${time}:00`) : undefined,
        },
        actor,
      );
      await refreshStatus();
      return reply.redirect(`${base}/${incident.code}`, 303);
    } catch (error) {
      const errors = refusedField(error, incidentFieldsIt, ['titolo', 'Valore non valido.']);
      return send(reply, await newPage(request, form, errors), 422);
    }
  });

  const detailPage = (request: FastifyRequest, incident: IncidentRecord, values: Form, errors: FieldErrors) =>
    page({
      ...request.portal,
      title: `${errors.size ? 'Errori nel modulo: ' : ''}${incident.code}`,
      current: '/area-personale',
      breadcrumbs: [
        { label: 'Home', href: '/' },
        { label: 'Disservizi', href: base },
        { label: incident.code },
      ],
      body: html`<h1>${incident.code} — ${incident.title}</h1>
        <dl class="row">
          <dt class="col-sm-3">Stato</dt>
          <dd class="col-sm-9">${incidentStateLabels[incident.state]}</dd>
          <dt class="col-sm-3">Impatto</dt>
          <dd class="col-sm-9">${serviceStateLabels[incident.impact]}</dd>
          <dt class="col-sm-3">Inizio</dt>
          <dd class="col-sm-9">${dateTimeIt(incident.startedAt)}</dd>
          ${
            incident.resolvedAt
              ? html`<dt class="col-sm-3">Fine</dt>
                  <dd class="col-sm-9">${dateTimeIt(incident.resolvedAt)}</dd>
                  <dt class="col-sm-3">Attestazione</dt>
                  <dd class="col-sm-9">
                    <a href="/stato/attestazioni/ATT-${incident.code}"
                      >Attestazione di disservizio ATT-${incident.code}</a
                    >
                  </dd>`
              : ''
          }
        </dl>
        <h2 class="h4">Aggiornamenti</h2>
        <ol class="list-unstyled">
          ${[...incident.updates].reverse().map(
            (u) =>
              html`<li class="border-start border-3 ps-3 mb-3">
                <strong>${incidentStateLabels[u.state]}</strong>
                <span class="small"> — ${dateTimeIt(u.at)}</span>
                <p class="mb-0">${u.message}</p>
              </li>`,
          )}
        </ol>
        ${
          incident.state === 'resolved'
            ? ''
            : html`<section aria-labelledby="aggiorna">
                <h2 class="h4" id="aggiorna">Aggiorna</h2>
                ${errorSummary(errors)}
                <form method="post" action="${base}/${incident.code}/aggiornamenti" novalidate>
                  <input type="hidden" name="csrf" value="${request.portal.csrf ?? ''}" />
                  ${selectField(
                    'stato',
                    'Nuovo stato',
                    states.map((s) => ({ value: s, label: incidentStateLabels[s] })),
                    values,
                    errors,
                  )}
                  ${textField('messaggio', 'Messaggio per gli utenti', values, errors, { maxlength: 4000 })}
                  <button type="submit" class="btn btn-primary">Pubblica l'aggiornamento</button>
                </form>
              </section>`
        }`.value,
    });

  app.get<{ Params: { code: string } }>(`${base}/:code`, async (request, reply) => {
    if (!signedIn(request, reply)) return reply;
    staffOnly(request);
    return send(reply, detailPage(request, await getIncident(deps, request.params.code), {}, new Map()));
  });

  app.post<{ Params: { code: string } }>(`${base}/:code/aggiornamenti`, async (request, reply) => {
    const actor = signedIn(request, reply);
    if (!actor) return reply;
    const form = request.body as Form;
    try {
      await updateIncident(
        deps,
        {
          incident: request.params.code,
          state: (form.stato ?? '') as IncidentState,
          message: form.messaggio ?? '',
        },
        actor,
      );
    } catch (error) {
      const errors = refusedField(error, incidentFieldsIt, ['messaggio', 'Valore non valido.']);
      const incident = await getIncident(deps, request.params.code);
      return send(reply, detailPage(request, incident, form, errors), 422);
    }
    await refreshStatus();
    return reply.redirect(`${base}/${request.params.code}`, 303);
  });
};

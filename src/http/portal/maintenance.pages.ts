import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { maintenanceState } from '../../domain/continuity/continuity-rules.js';
import { maintenanceStateLabels } from '../../domain/continuity/status-view.js';
import { instantFromRomeLocal } from '../../domain/shared/dates.js';
import { requireRole, type ServiceDeps } from '../../services/context.js';
import { cancelMaintenance, scheduleMaintenance } from '../../services/continuity/maintenance.js';
import { listRecentMaintenances } from '../../services/continuity/list-recent-maintenances.js';
import { listServices } from '../../services/continuity/list-services.js';
import {
  idParam,
  errorSummary,
  send,
  signedIn,
  textField,
  type FieldErrors,
  type Form,
  servicesField,
  refusedField,
} from './forms.js';
import { dataTable, html, page } from './layout.js';
import { dateTimeIt } from './labels.js';

const base = '/area-personale/manutenzioni';

const fieldsIt: Record<string, [string, string]> = {
  title: ['titolo', 'Indica un titolo (al massimo 200 caratteri).'],
  description: ['descrizione', 'La descrizione può avere al massimo 4.000 caratteri.'],
  services: ['servizi', 'Scegli almeno un servizio interessato.'],
  startsAt: ['inizio_data', "L'inizio deve essere un giorno e un'ora futuri."],
  endsAt: ['fine_data', "La fine deve seguire l'inizio."],
};

/** "2026-12-01" + "22:00" → the instant in Rome; an empty or malformed pair is an invalid date. */
const instantOf = (day: string | undefined, time: string | undefined): Date => {
  const d = (day ?? '').trim();
  const t = (time ?? '').trim();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(d) || !/^\d{2}:\d{2}$/.test(t)) return new Date(Number.NaN);
  return instantFromRomeLocal(`${d}T${t}:00`);
};

/**
 * Scheduled maintenance: staff announce it with its window and services; it appears on the status page
 * and starts and ends by itself. A maintenance that has not started can be cancelled.
 */
export const maintenancePages: FastifyPluginAsync<{
  deps: ServiceDeps;
  refreshStatus: () => Promise<void>;
}> = async (app, { deps, refreshStatus }) => {
  const staffOnly = (request: FastifyRequest) =>
    requireRole(request.portal.actor!, 'authority_staff', 'regional_staff', 'admin');

  const listPage = async (request: FastifyRequest, values: Form, errors: FieldErrors, notice?: string) => {
    const now = deps.clock.now();
    const services = await listServices(deps);
    const serviceName = new Map(services.map((s) => [s.code, s.name]));
    const maintenances = await listRecentMaintenances(deps, { days: 90 }, request.portal.actor!);
    return page({
      ...request.portal,
      title: `${errors.size ? 'Errori nel modulo: ' : ''}Manutenzioni programmate`,
      current: '/area-personale',
      breadcrumbs: [
        { label: 'Home', href: '/' },
        { label: 'Area personale', href: '/area-personale' },
        { label: 'Manutenzioni' },
      ],
      body: html`<h1>Manutenzioni programmate</h1>
        ${notice ? html`<div class="alert alert-success" role="status">${notice}</div>` : ''}
        <p>
          Le manutenzioni compaiono nella pagina dello <a href="/stato">stato dei servizi</a> e nel feed;
          iniziano e finiscono da sole all'ora indicata.
        </p>
        ${
          maintenances.length === 0
            ? html`<p>Nessuna manutenzione negli ultimi 90 giorni.</p>`
            : dataTable(
                'Manutenzioni, dalla più recente',
                ['Titolo', 'Servizi', 'Inizio', 'Fine', 'Stato', 'Azioni'],
                maintenances.map((m) => {
                  const state = maintenanceState(m, now);
                  return html`<tr>
                    <td>${m.title}</td>
                    <td>${m.services.map((s) => serviceName.get(s) ?? s).join(', ')}</td>
                    <td>${dateTimeIt(m.startsAt)}</td>
                    <td>${dateTimeIt(m.endsAt)}</td>
                    <td>${maintenanceStateLabels[state]}</td>
                    <td>
                      ${
                        state === 'scheduled'
                          ? html`<form method="post" action="${base}/${m.id}/annullamento">
                              <input type="hidden" name="csrf" value="${request.portal.csrf ?? ''}" />
                              <button type="submit" class="btn btn-outline-danger btn-sm">
                                Annulla<span class="visually-hidden"> la manutenzione «${m.title}»</span>
                              </button>
                            </form>`
                          : ''
                      }
                    </td>
                  </tr>`;
                }),
              )
        }
        <section aria-labelledby="nuova" class="mt-5">
          <h2 class="h4" id="nuova">Programma una manutenzione</h2>
          ${errorSummary(errors)}
          <form method="post" action="${base}" novalidate>
            <input type="hidden" name="csrf" value="${request.portal.csrf ?? ''}" />
            ${textField('titolo', 'Titolo', values, errors, { maxlength: 200 })}
            ${textField('descrizione', 'Descrizione per gli utenti', values, errors, { maxlength: 4000 })}
            ${servicesField('Servizi interessati', services, values, errors)}
            ${textField('inizio_data', 'Inizio: giorno', values, errors, { type: 'date' })}
            ${textField('inizio_ora', 'Inizio: ora', values, errors, { type: 'time' })}
            ${textField('fine_data', 'Fine: giorno', values, errors, { type: 'date' })}
            ${textField('fine_ora', 'Fine: ora', values, errors, { type: 'time' })}
            <button type="submit" class="btn btn-primary">Programma la manutenzione</button>
          </form>
        </section>`.value,
    });
  };

  app.get<{ Querystring: { esito?: string } }>(base, async (request, reply) => {
    if (!signedIn(request, reply)) return reply;
    staffOnly(request);
    const notice =
      request.query.esito === 'programmata'
        ? 'Manutenzione programmata.'
        : request.query.esito === 'annullata'
          ? 'Manutenzione annullata.'
          : undefined;
    return send(reply, await listPage(request, {}, new Map(), notice));
  });

  app.post(base, async (request, reply) => {
    const actor = signedIn(request, reply);
    if (!actor) return reply;
    const form = request.body as Form & { servizi?: string | string[] };
    try {
      await scheduleMaintenance(
        deps,
        {
          title: form.titolo ?? '',
          description: form.descrizione ?? '',
          services: [form.servizi ?? []].flat(),
          startsAt: instantOf(form.inizio_data, form.inizio_ora),
          endsAt: instantOf(form.fine_data, form.fine_ora),
        },
        actor,
      );
    } catch (error) {
      const errors = refusedField(error, fieldsIt, ['titolo', 'Valore non valido.']);
      return send(reply, await listPage(request, form, errors), 422);
    }
    await refreshStatus();
    return reply.redirect(`${base}?esito=programmata`, 303);
  });

  app.post<{ Params: { id: string } }>(`${base}/:id/annullamento`, async (request, reply) => {
    const actor = signedIn(request, reply);
    if (!actor) return reply;
    await cancelMaintenance(deps, idParam(request.params.id), actor);
    await refreshStatus();
    return reply.redirect(`${base}?esito=annullata`, 303);
  });
};

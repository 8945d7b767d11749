import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { getProvisional } from '../../services/continuity/get-provisional.js';
import { listProvisional } from '../../services/continuity/list-provisional.js';
import { registerUrgentProcedure } from '../../services/continuity/register-urgent-procedure.js';
import { regulariseProcedure } from '../../services/continuity/regularise-procedure.js';
import type { ProvisionalProcedure } from '../../services/continuity/ports.js';
import type { ServiceDeps } from '../../services/context.js';
import { listProcedureTypes } from '../../services/reference/list-procedure-types.js';
import { listUrgencyReasons } from '../../services/reference/list-urgency-reasons.js';
import { listSections } from '../../services/registry/list-sections.js';
import {
  formatDateIt,
  formatTimeIt,
  instantFromRomeLocal,
  romeDateOf,
  startOfRomeDay,
} from '../../domain/shared/dates.js';
import { DomainError } from '../../domain/shared/errors.js';
import { startDateFieldOf } from '../../domain/tenders/tender-rules.js';
import { formatAmountIt } from '../../domain/shared/money.js';
import {
  errorSummary,
  formFieldOf,
  selectField,
  send,
  signedIn,
  tenderFieldsets,
  tenderInput,
  textField,
  type FieldErrors,
  type Form,
} from './forms.js';
import { fieldErrorIt } from './labels.js';
import { dataTable, html, page } from './layout.js';

const base = '/area-personale/procedure-urgenti';

/**
 * "CIG in fase di acquisizione": during an outage of CIG issuance the RUP registers an urgent procedure
 * and gets a provisional reference; when issuance is back, one click regularises it (real CIGs, the
 * original publication dates).
 */
export const urgentPages: FastifyPluginAsync<{ deps: ServiceDeps }> = async (app, { deps }) => {
  const formPage = async (request: FastifyRequest, values: Form, errors: FieldErrors, problem?: string) => {
    const procedures = (await listProcedureTypes(deps)).filter((p) => p.validTo === null);
    const reasons = (await listUrgencyReasons(deps)).filter((r) => r.validTo === null);
    return page({
      ...request.portal,
      title: `${errors.size || problem ? 'Errori nel modulo: ' : ''}Procedura urgente`,
      current: '/area-personale',
      breadcrumbs: [
        { label: 'Home', href: '/' },
        { label: 'Procedure urgenti', href: base },
        { label: 'Nuova' },
      ],
      body: html`<h1>Procedura urgente senza CIG</h1>
        <p>
          Da usare solo mentre il rilascio dei CIG è interrotto: negli atti di gara indica «CIG in fase di
          acquisizione» e il riferimento provvisorio che ricevi. Appena il servizio torna disponibile,
          regolarizza la procedura: i CIG saranno rilasciati con le date originali.
        </p>
        ${problem ? html`<div class="alert alert-warning" role="alert">${problem}</div>` : ''}
        ${errorSummary(errors)}
        <form method="post" action="${base}/nuova" novalidate>
          <input type="hidden" name="csrf" value="${request.portal.csrf ?? ''}" />
          ${tenderFieldsets(values, errors, procedures)}
          <fieldset class="mb-4">
            <legend class="h4">Pubblicazione e urgenza</legend>
            ${textField(
              'data_pubblicazione',
              'Data di pubblicazione (procedure su invito: data della lettera di invito)',
              values,
              errors,
              { type: 'date' },
            )}
            ${textField('scadenza_data', 'Scadenza delle offerte: giorno', values, errors, { type: 'date' })}
            ${textField('scadenza_ora', 'Scadenza delle offerte: ora', values, errors, { type: 'time' })}
            ${selectField(
              'motivo_urgenza',
              "Motivo dell'urgenza",
              reasons.map((r) => ({ value: r.code, label: r.description })),
              values,
              errors,
            )}
            ${textField('motivazione', 'Perché la procedura non può attendere', values, errors, {
              maxlength: 2000,
            })}
          </fieldset>
          <button type="submit" class="btn btn-primary">Registra e ottieni il riferimento provvisorio</button>
        </form>`.value,
    });
  };

  app.get<{ Querystring: { scadute?: string; sezione?: string } }>(base, async (request, reply) => {
    const actor = signedIn(request, reply);
    if (!actor) return reply;
    const overdue = request.query.scadute === '1';
    const staff = actor.role === 'authority_staff' || actor.role === 'admin';
    const sections = staff ? await listSections(deps) : [];
    const section = sections.find((s) => s.code === request.query.sezione)?.code;
    const procedures = await listProvisional(deps, { overdue, regionalSection: section }, actor);
    const today = romeDateOf(deps.clock.now());
    const late = (p: ProvisionalProcedure) =>
      Math.round(
        (startOfRomeDay(today).getTime() - startOfRomeDay(p.regularisationDeadline).getTime()) / 86_400_000,
      );
    const scope =
      actor.role === 'rup'
        ? 'della tua stazione appaltante'
        : actor.role === 'regional_staff'
          ? 'della tua regione'
          : section
            ? `della sezione ${sections.find((s) => s.code === section)?.name ?? section}`
            : 'di tutte le regioni';
    const title = overdue ? 'Regolarizzazioni scadute' : 'Procedure urgenti';
    return send(
      reply,
      page({
        ...request.portal,
        title,
        current: '/area-personale',
        breadcrumbs: [
          { label: 'Home', href: '/' },
          { label: 'Area personale', href: '/area-personale' },
          ...(overdue ? [{ label: 'Procedure urgenti', href: base }] : []),
          { label: title },
        ],
        body: html`<div class="d-flex flex-wrap justify-content-between align-items-center gap-2">
            <h1>
              ${overdue ? html`Regolarizzazioni scadute ${scope}` : html`Procedure urgenti («CIG in fase di acquisizione»)`}
            </h1>
            ${actor.role === 'rup' ? html`<a class="btn btn-primary" href="${base}/nuova">Registra una procedura urgente</a>` : ''}
          </div>
          ${
            overdue
              ? html`<p>
                  Procedure registrate durante un disservizio e non ancora regolarizzate entro il termine: i
                  RUP ricevono un promemoria ogni giorno.
                  <a href="${base}">Tutte le procedure urgenti</a>
                </p>`
              : html`<p><a href="${base}?scadute=1">Solo le regolarizzazioni scadute</a></p>`
          }
          ${
            staff && overdue
              ? html`<form method="get" action="${base}" class="d-flex flex-wrap align-items-end gap-3 mb-4">
                  <input type="hidden" name="scadute" value="1" />
                  <div class="select-wrapper">
                    <label for="sezione" class="form-label-static">Sezione regionale</label>
                    <select id="sezione" name="sezione">
                      <option value="">Tutte</option>
                      ${sections.map(
                        (s) =>
                          html`<option value="${s.code}" ${s.code === section ? html` selected` : ''}>
                            ${s.name}
                          </option>`,
                      )}
                    </select>
                  </div>
                  <button type="submit" class="btn btn-outline-primary">Mostra</button>
                </form>`
              : ''
          }
          ${
            procedures.length === 0
              ? html`<p>${overdue ? 'Nessuna regolarizzazione scaduta.' : 'Nessuna procedura urgente.'}</p>`
              : dataTable(
                  title,
                  overdue
                    ? [
                        'Riferimento',
                        'Oggetto',
                        'Stazione appaltante',
                        'Regolarizzare entro',
                        'Giorni di ritardo',
                      ]
                    : ['Riferimento', 'Oggetto', 'Stato', 'Regolarizzare entro'],
                  procedures.map((p) =>
                    overdue
                      ? html`<tr>
                          <td><a href="${base}/${p.reference}">${p.reference}</a></td>
                          <td>${p.object}</td>
                          <td>${p.contractingAuthorityName}</td>
                          <td>${formatDateIt(p.regularisationDeadline)}</td>
                          <td>${late(p)}</td>
                        </tr>`
                      : html`<tr>
                          <td><a href="${base}/${p.reference}">${p.reference}</a></td>
                          <td>${p.object}</td>
                          <td>${p.state === 'pending' ? 'Da regolarizzare' : 'Regolarizzata'}</td>
                          <td>${p.state === 'pending' ? formatDateIt(p.regularisationDeadline) : '—'}</td>
                        </tr>`,
                  ),
                )
          }`.value,
      }),
    );
  });

  app.get(`${base}/nuova`, async (request, reply) => {
    const actor = signedIn(request, reply);
    if (!actor) return reply;
    if (actor.role !== 'rup') throw new DomainError('forbidden', 'only a RUP registers procedures');
    return send(reply, await formPage(request, {}, new Map()));
  });

  app.post(`${base}/nuova`, async (request, reply) => {
    const actor = signedIn(request, reply);
    if (!actor) return reply;
    const form = request.body as Form;
    const tender = tenderInput(form);
    const day = (form.scadenza_data ?? '').trim();
    const time = (form.scadenza_ora ?? '').trim();
    try {
      if (!/^\d{2}:\d{2}$/.test(time))
        throw new DomainError('validation_failed', 'time', { field: 'bidDeadlineTime' });
      const procedure = await registerUrgentProcedure(
        deps,
        {
          ...tender,
          urgencyReason: form.motivo_urgenza ?? '',
          motivation: form.motivazione ?? '',
          // One date field: the procedure type decides whether it is the publication or the invitation.
          lots: tender.lots.map((l) => ({
            ...l,
            [startDateFieldOf(tender.procedureType)]: (form.data_pubblicazione ?? '').trim(),
            bidDeadline: instantFromRomeLocal(`${day}T${time}:00`),
          })),
        },
        actor,
      );
      return reply.redirect(`${base}/${procedure.reference}?registrata=1`, 303);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      if (error.code === 'invalid_state') {
        return send(
          reply,
          await formPage(
            request,
            form,
            new Map(),
            'Il rilascio dei CIG funziona: non serve un riferimento provvisorio, crea la gara e acquisisci il CIG.',
          ),
          409,
        );
      }
      if (error.code !== 'validation_failed') throw error;
      const name = error.field === 'bidDeadlineTime' ? 'scadenza_ora' : formFieldOf(error.field);
      return send(reply, await formPage(request, form, new Map([[name, fieldErrorIt(name)]])), 422);
    }
  });

  app.get<{ Params: { ref: string }; Querystring: { registrata?: string; regolarizzata?: string } }>(
    `${base}/:ref`,
    async (request, reply) => {
      const actor = signedIn(request, reply);
      if (!actor) return reply;
      const procedure = await getProvisional(deps, request.params.ref);
      return send(reply, detailPage(request, procedure));
    },
  );

  app.post<{ Params: { ref: string } }>(`${base}/:ref/regolarizzazione`, async (request, reply) => {
    const actor = signedIn(request, reply);
    if (!actor) return reply;
    try {
      await regulariseProcedure(deps, { reference: request.params.ref }, actor);
    } catch (error) {
      if (
        !(error instanceof DomainError) ||
        (error.code !== 'invalid_state' && error.code !== 'validation_failed')
      )
        throw error;
      const procedure = await getProvisional(deps, request.params.ref);
      return send(
        reply,
        detailPage(
          request,
          procedure,
          error.code === 'validation_failed'
            ? 'La procedura non può ancora essere regolarizzata: la data di pubblicazione o della lettera di invito non è ancora trascorsa o non rispetta le regole del perfezionamento.'
            : 'La procedura non può essere regolarizzata in questo stato.',
        ),
        409,
      );
    }
    return reply.redirect(`${base}/${request.params.ref}?regolarizzata=1`, 303);
  });

  function detailPage(request: FastifyRequest, p: ProvisionalProcedure, problem?: string): string {
    const query = request.query as { registrata?: string; regolarizzata?: string };
    return page({
      ...request.portal,
      title: `Procedura ${p.reference}`,
      current: '/area-personale',
      breadcrumbs: [
        { label: 'Home', href: '/' },
        { label: 'Procedure urgenti', href: base },
        { label: p.reference },
      ],
      body: html`${
          query.registrata
            ? html`<div class="alert alert-success" role="status">
                Procedura registrata: indica negli atti «CIG in fase di acquisizione — riferimento
                ${p.reference}».
              </div>`
            : ''
        }
        ${query.regolarizzata ? html`<div class="alert alert-success" role="status">Procedura regolarizzata: i CIG sono stati rilasciati.</div>` : ''}
        ${problem ? html`<div class="alert alert-warning" role="alert">${problem}</div>` : ''}
        <h1>Procedura urgente ${p.reference}</h1>
        <dl class="row">
          <dt class="col-sm-4">Oggetto</dt>
          <dd class="col-sm-8">${p.object}</dd>
          <dt class="col-sm-4">Stazione appaltante</dt>
          <dd class="col-sm-8">${p.contractingAuthorityName}</dd>
          <dt class="col-sm-4">Disservizio</dt>
          <dd class="col-sm-8">${p.incidentCode}</dd>
          <dt class="col-sm-4">Registrata il</dt>
          <dd class="col-sm-8">${formatDateIt(p.registeredAt)}</dd>
          <dt class="col-sm-4">Stato</dt>
          <dd class="col-sm-8">
            ${p.state === 'pending' ? `Da regolarizzare entro il ${formatDateIt(p.regularisationDeadline)}` : 'Regolarizzata'}
          </dd>
          ${
            p.tenderNumber
              ? html`<dt class="col-sm-4">Gara</dt>
                  <dd class="col-sm-8">
                    <a href="/area-personale/gare/${p.tenderNumber}">${p.tenderNumber}</a>
                  </dd>`
              : ''
          }
        </dl>
        <h2 class="h4">Lotti</h2>
        ${dataTable(
          `Lotti della procedura ${p.reference}`,
          ['Lotto', 'CIG', 'Oggetto', 'Importo', 'Pubblicazione o invito', 'Scadenza offerte'],
          p.lots.map(
            (l) =>
              html`<tr>
                <td>${l.lotNumber}</td>
                <td>${l.cig ? html`<span class="cig-code">${l.cig}</span>` : 'in fase di acquisizione'}</td>
                <td>${l.object}</td>
                <td>€ ${formatAmountIt(l.amountCents)}</td>
                <td>
                  ${l.invitationDate ? `invito del ${formatDateIt(l.invitationDate)}` : formatDateIt(l.publicationDate ?? '')}
                </td>
                <td>${formatDateIt(l.bidDeadline)} ore ${formatTimeIt(l.bidDeadline)}</td>
              </tr>`,
          ),
        )}
        ${
          p.state === 'pending' && request.portal.actor?.role === 'rup'
            ? html`<form method="post" action="${base}/${p.reference}/regolarizzazione">
                <input type="hidden" name="csrf" value="${request.portal.csrf ?? ''}" />
                <button type="submit" class="btn btn-primary">Regolarizza: acquisisci i CIG</button>
              </form>`
            : ''
        }`.value,
    });
  }
};

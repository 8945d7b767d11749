import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import {
  addDays,
  formatDateIt,
  formatTimeIt,
  isValidIsoDate,
  romeDateOf,
} from '../../domain/shared/dates.js';
import { DomainError } from '../../domain/shared/errors.js';
import { requireRole, type ServiceDeps, type UserActor } from '../../services/context.js';
import type { ProtocolRegistration } from '../../services/notices/ports.js';
import { listSections } from '../../services/registry/list-sections.js';
import { annulRegistration } from '../../services/notices/annul-registration.js';
import { dailyRegister } from '../../services/notices/daily-register.js';
import { getRegistration } from '../../services/notices/get-registration.js';
import { listRegister } from '../../services/notices/list-register.js';
import { protocolLabel } from '../../services/notices/protocol-register.js';
import { errorSummary, idParam, send, signedIn, textField, type FieldErrors, type Form } from './forms.js';
import { dataTable, html, page } from './layout.js';

const base = '/area-personale/protocollo';

/** A day the register can hold: a calendar date of this century (not year 9999, which has no next day here). */
const registerDay = (d: string) => isValidIsoDate(d) && d >= '2000-01-01' && d <= '2099-12-31';

const directionLabels: Record<ProtocolRegistration['direction'], string> = {
  U: 'In uscita',
  E: 'In entrata',
};

/**
 * The protocol register of a regional section (its AOO): the day's registrations, one registration with
 * its segnatura and the annulment (DPR 445/2000 art. 54: a separate record, the registration stays
 * readable), and the daily register to keep (PDF, and JSON with its SHA-256).
 */
export const protocolPages: FastifyPluginAsync<{ deps: ServiceDeps }> = async (app, { deps }) => {
  /** The AOO a user works on: a regional officer's own; the Authority's staff choose any. */
  const aooOf = async (actor: UserActor, requested: string | undefined) => {
    const staff = requireRole(actor, 'regional_staff', 'authority_staff', 'admin');
    const sections = await listSections(deps);
    const own = sections.find((s) => s.code === staff.regionalSectionCode);
    const chosen =
      staff.role === 'regional_staff' ? own : (sections.find((s) => s.aooCode === requested) ?? sections[0]);
    if (!chosen) throw new DomainError('forbidden', 'no regional section for this user');
    return { chosen, sections: staff.role === 'regional_staff' ? [] : sections };
  };

  app.get<{ Querystring: { aoo?: string; data?: string } }>(base, async (request, reply) => {
    const actor = signedIn(request, reply);
    if (!actor) return reply;
    const { chosen, sections } = await aooOf(actor, request.query.aoo);
    const today = romeDateOf(deps.clock.now());
    const requested = request.query.data ?? today;
    const dateError = registerDay(requested) ? undefined : 'Indica un giorno valido.';
    const date = dateError ? today : requested;
    const registrations = await listRegister(deps, { aooCode: chosen.aooCode, date }, actor);
    const registerUrl = `${base}/${chosen.aooCode}/registro-giornaliero/${date}`;
    return send(
      reply,
      page({
        ...request.portal,
        title: `Registro di protocollo ${chosen.aooCode}`,
        current: '/area-personale',
        breadcrumbs: [
          { label: 'Home', href: '/' },
          { label: 'Area personale', href: '/area-personale' },
          { label: 'Registro di protocollo' },
        ],
        body: html`<h1>Registro di protocollo</h1>
          <p>${chosen.name}: area organizzativa omogenea <strong>${chosen.aooCode}</strong>.</p>
          <form method="get" action="${base}" class="d-flex flex-wrap align-items-end gap-3 mb-4">
            ${
              sections.length
                ? html`<div class="select-wrapper">
                    <label for="aoo" class="form-label-static">Sezione</label>
                    <select id="aoo" name="aoo">
                      ${sections.map(
                        (s) =>
                          html`<option
                            value="${s.aooCode}"
                            ${s.aooCode === chosen.aooCode ? html` selected` : ''}
                          >
                            ${s.name} (${s.aooCode})
                          </option>`,
                      )}
                    </select>
                  </div>`
                : ''
            }
            <div class="form-group mb-0">
              <label for="data" class="form-label-static">Giorno</label>
              <input
                type="date"
                id="data"
                name="data"
                class="form-control${dateError ? ' is-invalid' : ''}"
                value="${date}"
                ${dateError ? html`aria-invalid="true" aria-describedby="data-errore"` : ''}
              />
              ${dateError ? html`<div id="data-errore" class="invalid-feedback d-block">${dateError}</div>` : ''}
            </div>
            <button type="submit" class="btn btn-outline-primary">Mostra</button>
          </form>
          <nav aria-label="Giorni" class="mb-3 d-flex flex-wrap gap-3">
            <a href="${base}?aoo=${chosen.aooCode}&amp;data=${addDays(date, -1)}">Giorno precedente</a>
            ${date < today ? html`<a href="${base}?aoo=${chosen.aooCode}&amp;data=${addDays(date, 1)}">Giorno successivo</a>` : ''}
          </nav>
          <h2 class="h4">
            ${registrations.length} ${registrations.length === 1 ? 'registrazione' : 'registrazioni'} del
            ${formatDateIt(date)}
          </h2>
          ${
            registrations.length === 0
              ? html`<p>Nessuna registrazione in questo giorno.</p>`
              : dataTable(
                  `Registrazioni del ${formatDateIt(date)}`,
                  ['Numero', 'Ora', 'Verso', 'Oggetto', 'Destinatari o mittenti', 'Stato'],
                  registrations.map(
                    (r) =>
                      html`<tr>
                        <td>
                          <a href="${base}/registrazioni/${r.id}">${protocolLabel(r.aooCode, r.number)}</a>
                        </td>
                        <td>${formatTimeIt(r.registeredAt, { seconds: true })}</td>
                        <td>${directionLabels[r.direction]}</td>
                        <td>${r.subject}</td>
                        <td>${correspondentsIt(r)}</td>
                        <td>${r.annulment ? html`<strong>Annullata</strong>` : 'Valida'}</td>
                      </tr>`,
                  ),
                )
          }
          <h2 class="h4 mt-4">Registro giornaliero</h2>
          <p>
            Il registro del giorno, con le registrazioni e gli annullamenti, da conservare: il documento PDF e
            i dati in JSON con la loro impronta SHA-256.
          </p>
          <ul>
            <li><a href="${registerUrl}.pdf">Registro giornaliero del ${formatDateIt(date)} (PDF)</a></li>
            <li><a href="${registerUrl}.json">Dati del registro giornaliero (JSON)</a></li>
          </ul>`.value,
      }),
    );
  });

  app.get<{ Params: { aoo: string; date: string; format: string } }>(
    `${base}/:aoo/registro-giornaliero/:date.:format`,
    async (request, reply) => {
      const actor = signedIn(request, reply);
      if (!actor) return reply;
      const { aoo, date, format } = request.params;
      if (!registerDay(date) || !['pdf', 'json'].includes(format))
        throw new DomainError('not_found', 'no such daily register');
      const out = await dailyRegister(deps, { aooCode: aoo, date }, actor);
      const name = `registro-giornaliero-${aoo}-${date}.${format}`;
      return reply
        .header('cache-control', 'no-store')
        .header('x-content-sha256', out.sha256)
        .header('content-disposition', `attachment; filename="${name}"`)
        .type(format === 'pdf' ? 'application/pdf' : 'application/json; charset=utf-8')
        .send(format === 'pdf' ? out.pdf : out.json);
    },
  );

  const registrationPage = async (
    request: FastifyRequest,
    registration: ProtocolRegistration,
    values: Form,
    errors: FieldErrors,
    done = false,
  ) => {
    const label = protocolLabel(registration.aooCode, registration.number);
    const a = registration.annulment;
    return page({
      ...request.portal,
      title: `${errors.size ? 'Errori nel modulo: ' : ''}Protocollo ${label}`,
      current: '/area-personale',
      breadcrumbs: [
        { label: 'Home', href: '/' },
        { label: 'Registro di protocollo', href: `${base}?aoo=${registration.aooCode}` },
        { label: label },
      ],
      body: html`<h1>Protocollo n. ${label}</h1>
        ${done ? html`<div class="alert alert-success" role="status">Registrazione annullata.</div>` : ''}
        <dl class="row">
          <dt class="col-sm-4">Registrata il</dt>
          <dd class="col-sm-8">
            ${formatDateIt(registration.registeredAt)} alle
            ${formatTimeIt(registration.registeredAt, { seconds: true })}
          </dd>
          <dt class="col-sm-4">Verso</dt>
          <dd class="col-sm-8">${directionLabels[registration.direction]}</dd>
          <dt class="col-sm-4">Oggetto</dt>
          <dd class="col-sm-8">${registration.subject}</dd>
          <dt class="col-sm-4">Destinatari o mittenti</dt>
          <dd class="col-sm-8">${correspondentsIt(registration)}</dd>
          <dt class="col-sm-4">Documento</dt>
          <dd class="col-sm-8">
            ${registration.documentName}<br /><span class="small text-break"
              >SHA-256 ${registration.documentSha256}</span
            >
          </dd>
          <dt class="col-sm-4">Segnatura</dt>
          <dd class="col-sm-8">
            <a href="${base}/registrazioni/${registration.id}/segnatura.xml">Segnatura firmata (XML)</a>
          </dd>
        </dl>
        ${
          a
            ? html`<div class="alert alert-warning" role="note">
                <h2 class="h5">Registrazione annullata</h2>
                <p class="mb-0">
                  Il ${formatDateIt(a.annulledAt)} alle ${formatTimeIt(a.annulledAt, { seconds: true })} da
                  ${a.operatorName}, con ${a.measure}: ${a.reason}
                </p>
              </div>`
            : html`<h2 class="h4 mt-4">Annulla la registrazione</h2>
                <p>
                  L'annullamento resta visibile nel registro con la data, l'operatore e il provvedimento che
                  lo autorizza; la registrazione non si cancella e il numero non si riusa.
                </p>
                ${errorSummary(errors)}
                <form method="post" action="${base}/registrazioni/${registration.id}/annullamento" novalidate>
                  <input type="hidden" name="csrf" value="${request.portal.csrf ?? ''}" />
                  ${textField('provvedimento', 'Provvedimento che autorizza l’annullamento', values, errors, {
                    maxlength: 500,
                    hint: 'Per esempio: disposizione del dirigente n. 12 del 26/11/2026',
                  })}
                  ${textField('motivo', 'Motivo', values, errors, { maxlength: 2000 })}
                  <button type="submit" class="btn btn-danger">Annulla la registrazione</button>
                </form>`
        }`.value,
    });
  };

  app.get<{ Params: { id: string }; Querystring: { annullata?: string } }>(
    `${base}/registrazioni/:id`,
    async (request, reply) => {
      const actor = signedIn(request, reply);
      if (!actor) return reply;
      const registration = await registrationOf(request.params.id, actor);
      const done = request.query.annullata === '1' && registration.annulment !== null;
      return send(reply, await registrationPage(request, registration, {}, new Map(), done));
    },
  );
  app.get<{ Params: { id: string } }>(`${base}/registrazioni/:id/segnatura.xml`, async (request, reply) => {
    const actor = signedIn(request, reply);
    if (!actor) return reply;
    const registration = await registrationOf(request.params.id, actor);
    return reply
      .header('cache-control', 'no-store')
      .type('application/xml; charset=utf-8')
      .send(registration.segnaturaXml);
  });

  app.post<{ Params: { id: string } }>(`${base}/registrazioni/:id/annullamento`, async (request, reply) => {
    const actor = signedIn(request, reply);
    if (!actor) return reply;
    const form = request.body as Form;
    const registration = await registrationOf(request.params.id, actor);
    try {
      await annulRegistration(
        deps,
        { registrationId: registration.id, measure: form.provvedimento ?? '', reason: form.motivo ?? '' },
        actor,
      );
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      const field = error.field === 'measure' ? 'provvedimento' : error.field === 'reason' ? 'motivo' : '';
      if (!field) throw error;
      const message =
        field === 'provvedimento'
          ? 'Indica il provvedimento che autorizza l’annullamento.'
          : 'Indica il motivo dell’annullamento.';
      return send(
        reply,
        await registrationPage(request, registration, form, new Map([[field, message]])),
        422,
      );
    }
    return reply.redirect(`${base}/registrazioni/${registration.id}?annullata=1`, 303);
  });

  const registrationOf = async (id: string, actor: UserActor) => {
    return getRegistration(deps, idParam(id), actor);
  };
};

function correspondentsIt(r: ProtocolRegistration): string {
  if (r.correspondents.length === 1) return r.correspondents[0]?.name ?? '';
  return `${r.correspondents.length} destinatari`;
}

import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { formatDateIt } from '../../domain/shared/dates.js';
import type { ServiceDeps } from '../../services/context.js';
import type { EconomicOperator } from '../../services/ports.js';
import {
  createEconomicOperator,
  getEconomicOperator,
  listEconomicOperators,
  updateEconomicOperator,
} from '../../services/registry/economic-operators.js';
import { errorSummary, send, textField, type FieldErrors, type Form } from './forms.js';
import { dataTable, html, page } from './layout.js';
import {
  confirmation,
  csrfField,
  details,
  fieldErrorsOf,
  idParam,
  operatorsBase,
  optional,
  optionalTextField,
  PAGE_SIZE,
  pageNumberOf,
  pager,
  registryCrumbs,
  searchForm,
  signedInAdmin,
  usersBase,
  type FieldMap,
} from './registry-forms.js';

/** The administrator's registry: economic operators. */

const pecIt = 'Indica un indirizzo PEC valido, per esempio gare@pec.impresa.example.it.';
const operatorFields: FieldMap = {
  fiscalCode: [
    'codice_fiscale',
    'Il codice fiscale ha 11 cifre (persona giuridica) o 16 caratteri (persona fisica), con il carattere di controllo corretto.',
    'Un operatore economico con questo codice fiscale è già registrato.',
  ],
  vatNumber: [
    'partita_iva',
    "La partita IVA ha 11 cifre: l'ottava, la nona e la decima indicano l'ufficio provinciale e l'ultima è la cifra di controllo.",
    'Un operatore economico con questa partita IVA è già registrato.',
  ],
  name: ['denominazione', 'Indica la ragione sociale (al massimo 500 caratteri).'],
  pec: ['pec', pecIt],
};

export const registryOperatorPages: FastifyPluginAsync<{ deps: ServiceDeps }> = async (app, { deps }) => {
  app.get<{ Querystring: { q?: string; pagina?: string } }>(operatorsBase, async (request, reply) => {
    const actor = signedInAdmin(request, reply);
    if (!actor) return reply;
    const q = (request.query.q ?? '').trim().slice(0, 100);
    const n = pageNumberOf(request.query.pagina);
    const found = await listEconomicOperators(
      deps,
      { limit: PAGE_SIZE, offset: (n - 1) * PAGE_SIZE, q: q || undefined },
      actor,
    );
    return send(
      reply,
      page({
        ...request.portal,
        title: 'Operatori economici',
        current: '/area-personale',
        breadcrumbs: registryCrumbs({ label: 'Operatori economici' }),
        body: html`<div class="d-flex flex-wrap justify-content-between align-items-center gap-2">
            <h1>Operatori economici</h1>
            <a class="btn btn-primary" href="${operatorsBase}/nuovo">Registra un operatore economico</a>
          </div>
          ${searchForm(operatorsBase, 'Cerca per ragione sociale, codice fiscale o partita IVA', q)}
          <p>
            ${found.total}
            ${found.total === 1 ? 'operatore economico' : 'operatori economici'}${q ? html` per «${q}»` : ''}.
          </p>
          ${
            found.items.length
              ? dataTable(
                  'Operatori economici, in ordine alfabetico',
                  ['Ragione sociale', 'Codice fiscale', 'Partita IVA', 'PEC'],
                  found.items.map(
                    (o) =>
                      html`<tr>
                        <td><a href="${operatorsBase}/${o.id}">${o.name}</a></td>
                        <td>${o.fiscalCode}</td>
                        <td>${o.vatNumber ?? '—'}</td>
                        <td>${o.pec ?? '—'}</td>
                      </tr>`,
                  ),
                )
              : ''
          }
          ${pager(n, found.total, { q })}`.value,
      }),
    );
  });

  const operatorForm = (request: FastifyRequest, values: Form, errors: FieldErrors) =>
    page({
      ...request.portal,
      title: `${errors.size ? 'Errori nel modulo: ' : ''}Nuovo operatore economico`,
      current: '/area-personale',
      breadcrumbs: registryCrumbs({ label: 'Operatori economici', href: operatorsBase }, { label: 'Nuovo' }),
      body: html`<h1>Nuovo operatore economico</h1>
        ${errorSummary(errors)}
        <form method="post" action="${operatorsBase}/nuovo" novalidate>
          ${csrfField(request)}
          ${textField('codice_fiscale', 'Codice fiscale', values, errors, {
            maxlength: 16,
            hint: '11 cifre per una società, 16 caratteri per un imprenditore individuale.',
          })}
          ${optionalTextField('partita_iva', 'Partita IVA', values, errors, {
            maxlength: 11,
            inputmode: 'numeric',
            hint: 'Se diversa dal codice fiscale: 11 cifre.',
          })}
          ${textField('denominazione', 'Ragione sociale', values, errors, { maxlength: 500 })}
          ${optionalTextField('pec', 'PEC', values, errors, { maxlength: 254, inputmode: 'email' })}
          <button type="submit" class="btn btn-primary">Registra l'operatore economico</button>
        </form>`.value,
    });

  app.get(`${operatorsBase}/nuovo`, async (request, reply) => {
    if (!signedInAdmin(request, reply)) return reply;
    return send(reply, operatorForm(request, {}, new Map()));
  });

  app.post(`${operatorsBase}/nuovo`, async (request, reply) => {
    const actor = signedInAdmin(request, reply);
    if (!actor) return reply;
    const form = request.body as Form;
    try {
      const created = await createEconomicOperator(
        deps,
        {
          fiscalCode: form.codice_fiscale ?? '',
          vatNumber: optional(form.partita_iva),
          name: form.denominazione ?? '',
          pec: optional(form.pec),
        },
        actor,
      );
      return reply.redirect(`${operatorsBase}/${created.id}?esito=creato`, 303);
    } catch (error) {
      return send(reply, operatorForm(request, form, fieldErrorsOf(error, operatorFields)), 422);
    }
  });

  const operatorPage = (
    request: FastifyRequest,
    operator: EconomicOperator,
    values: Form,
    errors: FieldErrors,
    outcome?: string,
  ) =>
    page({
      ...request.portal,
      title: `${errors.size ? 'Errori nel modulo: ' : ''}${operator.name}`,
      current: '/area-personale',
      updatedAt: operator.updatedAt,
      breadcrumbs: registryCrumbs(
        { label: 'Operatori economici', href: operatorsBase },
        { label: operator.name },
      ),
      body: html`${confirmation(outcome, {
          creato: 'Operatore economico registrato.',
          modificato: "Dati dell'operatore economico aggiornati.",
        })}
        <div class="d-flex flex-wrap justify-content-between align-items-center gap-2">
          <h1>${operator.name}</h1>
          <a
            class="btn btn-outline-primary"
            href="${usersBase}/nuovo?ruolo=economic_operator&operatore=${operator.fiscalCode}"
            >Aggiungi un utente</a
          >
        </div>
        ${details([
          ['Codice fiscale', operator.fiscalCode],
          ['Partita IVA', operator.vatNumber ?? '—'],
          ['PEC', operator.pec ?? '—'],
          ['Registrato il', formatDateIt(operator.createdAt)],
        ])}
        <h2 class="h4 mt-4">Modifica i dati</h2>
        <p>Codice fiscale e partita IVA non si modificano.</p>
        ${errorSummary(errors)}
        <form method="post" action="${operatorsBase}/${operator.id}" novalidate>
          ${csrfField(request)}
          ${textField('denominazione', 'Ragione sociale', values, errors, { maxlength: 500 })}
          ${optionalTextField('pec', 'PEC', values, errors, {
            maxlength: 254,
            inputmode: 'email',
            hint: 'Lascia vuoto per togliere la PEC.',
          })}
          <button type="submit" class="btn btn-primary">Salva le modifiche</button>
        </form>`.value,
    });

  app.get<{ Params: { id: string }; Querystring: { esito?: string } }>(
    `${operatorsBase}/:id`,
    async (request, reply) => {
      const actor = signedInAdmin(request, reply);
      if (!actor) return reply;
      const operator = await getEconomicOperator(deps, idParam(request.params.id), actor);
      const values: Form = { denominazione: operator.name, pec: operator.pec ?? '' };
      return send(reply, operatorPage(request, operator, values, new Map(), request.query.esito));
    },
  );

  app.post<{ Params: { id: string } }>(`${operatorsBase}/:id`, async (request, reply) => {
    const actor = signedInAdmin(request, reply);
    if (!actor) return reply;
    const id = idParam(request.params.id);
    const form = request.body as Form;
    try {
      await updateEconomicOperator(
        deps,
        id,
        { name: form.denominazione ?? '', pec: optional(form.pec) ?? null },
        actor,
      );
      return reply.redirect(`${operatorsBase}/${id}?esito=modificato`, 303);
    } catch (error) {
      const errors = fieldErrorsOf(error, operatorFields);
      const operator = await getEconomicOperator(deps, id, actor);
      return send(reply, operatorPage(request, operator, form, errors), 422);
    }
  });
};

import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { formatDateIt } from '../../domain/shared/dates.js';
import type { ServiceDeps } from '../../services/context.js';
import type { EconomicOperator } from '../../services/ports.js';
import { createEconomicOperator } from '../../services/registry/create-economic-operator.js';
import { getEconomicOperator } from '../../services/registry/get-economic-operator.js';
import { listEconomicOperators } from '../../services/registry/list-economic-operators.js';
import { updateEconomicOperator } from '../../services/registry/update-economic-operator.js';
import { idParam, send, textField, type FieldErrors, type Form } from './forms.js';
import { html } from './layout.js';
import {
  entryPage,
  fieldErrorsOf,
  formPage,
  listPage,
  operatorsBase,
  optional,
  postForm,
  searchForm,
  searchQuery,
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
    const { q, n, filter } = searchQuery(request.query);
    const found = await listEconomicOperators(deps, filter, actor);
    return send(
      reply,
      listPage(request, {
        title: 'Operatori economici',
        create: { href: `${operatorsBase}/nuovo`, label: 'Registra un operatore economico' },
        filter: searchForm(operatorsBase, 'Cerca per ragione sociale, codice fiscale o partita IVA', q),
        count: ['operatore economico', 'operatori economici'],
        caption: 'Operatori economici, in ordine alfabetico',
        headers: ['Ragione sociale', 'Codice fiscale', 'Partita IVA', 'PEC'],
        found,
        row: (o) =>
          html`<tr>
            <td><a href="${operatorsBase}/${o.id}">${o.name}</a></td>
            <td>${o.fiscalCode}</td>
            <td>${o.vatNumber ?? '—'}</td>
            <td>${o.pec ?? '—'}</td>
          </tr>`,
        n,
        query: { q },
      }),
    );
  });

  const operatorForm = (request: FastifyRequest, values: Form, errors: FieldErrors) =>
    formPage(request, {
      title: 'Nuovo operatore economico',
      crumbs: [{ label: 'Operatori economici', href: operatorsBase }, { label: 'Nuovo' }],
      errors,
      action: `${operatorsBase}/nuovo`,
      fields: html`${textField('codice_fiscale', 'Codice fiscale', values, errors, {
        maxlength: 16,
        hint: '11 cifre per una società, 16 caratteri per un imprenditore individuale.',
      })}
      ${textField('partita_iva', 'Partita IVA', values, errors, {
        maxlength: 11,
        inputmode: 'numeric',
        hint: 'Se diversa dal codice fiscale: 11 cifre.',
        optional: true,
      })}
      ${textField('denominazione', 'Ragione sociale', values, errors, { maxlength: 500 })}
      ${textField('pec', 'PEC', values, errors, { maxlength: 254, inputmode: 'email', optional: true })}`,
      submit: "Registra l'operatore economico",
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
    entryPage(request, {
      name: operator.name,
      crumbs: [{ label: 'Operatori economici', href: operatorsBase }, { label: operator.name }],
      updatedAt: operator.updatedAt,
      invalid: errors.size > 0,
      outcome,
      messages: {
        creato: 'Operatore economico registrato.',
        modificato: "Dati dell'operatore economico aggiornati.",
      },
      action: {
        href: `${usersBase}/nuovo?ruolo=economic_operator&operatore=${operator.fiscalCode}`,
        label: 'Aggiungi un utente',
      },
      rows: [
        ['Codice fiscale', operator.fiscalCode],
        ['Partita IVA', operator.vatNumber ?? '—'],
        ['PEC', operator.pec ?? '—'],
        ['Registrato il', formatDateIt(operator.createdAt)],
      ],
      more: html`<h2 class="h4 mt-4">Modifica i dati</h2>
        <p>Codice fiscale e partita IVA non si modificano.</p>
        ${postForm(request, {
          errors,
          action: `${operatorsBase}/${operator.id}`,
          fields: html`${textField('denominazione', 'Ragione sociale', values, errors, { maxlength: 500 })}
          ${textField('pec', 'PEC', values, errors, {
            maxlength: 254,
            inputmode: 'email',
            hint: 'Lascia vuoto per togliere la PEC.',
            optional: true,
          })}`,
          submit: 'Salva le modifiche',
        })}`,
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

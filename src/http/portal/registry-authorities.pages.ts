import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { formatDateIt } from '../../domain/shared/dates.js';
import type { ServiceDeps } from '../../services/context.js';
import type { ContractingAuthority } from '../../services/ports.js';
import { addCostCentre } from '../../services/registry/add-cost-centre.js';
import { createContractingAuthority } from '../../services/registry/create-contracting-authority.js';
import { getContractingAuthority } from '../../services/registry/get-contracting-authority.js';
import { listContractingAuthorities } from '../../services/registry/list-contracting-authorities.js';
import { updateContractingAuthority } from '../../services/registry/update-contracting-authority.js';
import { getSection } from '../../services/registry/get-section.js';
import { listSections } from '../../services/registry/list-sections.js';
import { listUsers } from '../../services/registry/list-users.js';
import { idParam, selectField, send, textField, type FieldErrors, type Form } from './forms.js';
import { dataTable, html, roleLabels } from './layout.js';
import {
  activeLabel,
  authoritiesBase,
  entryPage,
  fieldErrorsOf,
  formPage,
  headingBar,
  listPage,
  optional,
  pecIt,
  postForm,
  searchForm,
  searchQuery,
  sectionsBase,
  signedInAdmin,
  usersBase,
  type FieldMap,
} from './registry-forms.js';

/** Contracting authorities: registration, their data and state, cost centres. */

const authorityFields: FieldMap = {
  fiscalCode: [
    'codice_fiscale',
    "Il codice fiscale dell'ente ha 11 cifre e l'ultima, la cifra di controllo, deve corrispondere alle prime dieci.",
    'Una stazione appaltante con questo codice fiscale è già registrata.',
  ],
  ausaCode: ['codice_ausa', 'Il codice AUSA ha 10 cifre, non tutte zero.'],
  name: ['denominazione', 'Indica la denominazione della stazione appaltante (al massimo 300 caratteri).'],
  istatPlace: ['luogo', 'Il codice ISTAT del luogo deve essere di nove cifre e corrispondere a un comune.'],
  pec: ['pec', pecIt],
  regionalSection: [
    'sezione',
    'Scegli la sezione regionale competente: per il luogo indicato non si ricava da sola.',
  ],
};

/** The choices of an authority's state (the form always sends one: no empty choice). */
const authorityStates = [
  { value: 'attiva', label: 'Attiva' },
  { value: 'non_attiva', label: 'Non attiva' },
];

const costCentreFields: FieldMap = {
  code: [
    'cdc_codice',
    'Il codice del centro di costo ha da 1 a 40 caratteri: lettere, cifre, punto, trattino o trattino basso.',
    'Questo centro di costo esiste già per la stazione appaltante.',
  ],
  name: ['cdc_nome', 'Indica la denominazione del centro di costo (al massimo 300 caratteri).'],
};

export const registryAuthorityPages: FastifyPluginAsync<{ deps: ServiceDeps }> = async (app, { deps }) => {
  const sectionChoices = async () =>
    (await listSections(deps)).map((s) => ({ value: s.code, label: `${s.regionName} (${s.code})` }));

  // --- contracting authorities ---------------------------------------------------------------------

  app.get<{ Querystring: { q?: string; pagina?: string } }>(authoritiesBase, async (request, reply) => {
    const actor = signedInAdmin(request, reply);
    if (!actor) return reply;
    const { q, n, filter } = searchQuery(request.query);
    const found = await listContractingAuthorities(deps, filter, actor);
    return send(
      reply,
      listPage(request, {
        title: 'Stazioni appaltanti',
        create: { href: `${authoritiesBase}/nuova`, label: 'Registra una stazione appaltante' },
        filter: searchForm(authoritiesBase, 'Cerca per denominazione, codice fiscale o codice AUSA', q),
        count: ['stazione appaltante', 'stazioni appaltanti'],
        caption: 'Stazioni appaltanti, in ordine alfabetico',
        headers: ['Denominazione', 'Codice fiscale', 'Codice AUSA', 'Luogo', 'Sezione', 'Stato'],
        found,
        row: (a) =>
          html`<tr>
            <td><a href="${authoritiesBase}/${a.id}">${a.name}</a></td>
            <td>${a.fiscalCode}</td>
            <td>${a.ausaCode}</td>
            <td>${a.placeName}</td>
            <td>${a.regionalSectionCode}</td>
            <td>${a.active ? 'Attiva' : 'Non attiva'}</td>
          </tr>`,
        n,
        query: { q },
      }),
    );
  });

  const authorityForm = async (request: FastifyRequest, values: Form, errors: FieldErrors) =>
    formPage(request, {
      title: 'Nuova stazione appaltante',
      crumbs: [{ label: 'Stazioni appaltanti', href: authoritiesBase }, { label: 'Nuova' }],
      errors,
      action: `${authoritiesBase}/nuova`,
      fields: html`${textField('codice_fiscale', 'Codice fiscale', values, errors, {
        maxlength: 11,
        inputmode: 'numeric',
        hint: "11 cifre; l'ultima è la cifra di controllo.",
      })}
      ${textField('codice_ausa', 'Codice AUSA', values, errors, { maxlength: 10, inputmode: 'numeric' })}
      ${textField('denominazione', 'Denominazione', values, errors, { maxlength: 300 })}
      ${textField('luogo', 'Luogo (codice ISTAT del comune)', values, errors, {
        maxlength: 9,
        inputmode: 'numeric',
        hint: 'Nove cifre, per esempio 016072006.',
      })}
      ${textField('pec', 'PEC', values, errors, { maxlength: 254, inputmode: 'email' })}
      ${selectField('sezione', 'Sezione regionale', await sectionChoices(), values, errors, {
        emptyLabel: 'Quella competente per il luogo',
      })}`,
      submit: 'Registra la stazione appaltante',
    });

  app.get(`${authoritiesBase}/nuova`, async (request, reply) => {
    if (!signedInAdmin(request, reply)) return reply;
    return send(reply, await authorityForm(request, {}, new Map()));
  });

  app.post(`${authoritiesBase}/nuova`, async (request, reply) => {
    const actor = signedInAdmin(request, reply);
    if (!actor) return reply;
    const form = request.body as Form;
    try {
      const created = await createContractingAuthority(
        deps,
        {
          fiscalCode: (form.codice_fiscale ?? '').trim(),
          ausaCode: (form.codice_ausa ?? '').trim(),
          name: form.denominazione ?? '',
          istatPlace: (form.luogo ?? '').trim(),
          pec: form.pec ?? '',
          regionalSection: optional(form.sezione),
        },
        actor,
      );
      return reply.redirect(`${authoritiesBase}/${created.id}?esito=creata`, 303);
    } catch (error) {
      return send(reply, await authorityForm(request, form, fieldErrorsOf(error, authorityFields)), 422);
    }
  });

  const authorityPage = async (
    request: FastifyRequest,
    authority: ContractingAuthority,
    centre: { values: Form; errors: FieldErrors },
    outcome?: string,
  ) => {
    const actor = request.portal.actor!;
    const users = await listUsers(
      deps,
      { limit: 50, offset: 0, contractingAuthorityId: authority.id },
      actor,
    );
    const base = `${authoritiesBase}/${authority.id}`;
    const section = await getSection(deps, authority.regionalSectionCode);
    return entryPage(request, {
      name: authority.name,
      crumbs: [{ label: 'Stazioni appaltanti', href: authoritiesBase }, { label: authority.name }],
      updatedAt: authority.updatedAt,
      invalid: centre.errors.size > 0,
      outcome,
      messages: {
        creata: 'Stazione appaltante registrata.',
        modificata: 'Dati della stazione appaltante aggiornati.',
        centro: 'Centro di costo aggiunto.',
      },
      action: { href: `${base}/modifica`, label: 'Modifica i dati' },
      rows: [
        ['Codice fiscale', authority.fiscalCode],
        ['Codice AUSA', authority.ausaCode],
        ['Luogo', `${authority.placeName} (ISTAT ${authority.istatPlaceCode})`],
        ['Sezione regionale', html`<a href="${sectionsBase}/${section.code}">${section.name}</a>`],
        ['PEC', authority.pec],
        ['Stato', authority.active ? 'Attiva' : 'Non attiva'],
        ['Registrata il', formatDateIt(authority.createdAt)],
      ],
      more: html`<h2 class="h4 mt-4">Centri di costo</h2>
        ${
          authority.costCentres.length
            ? dataTable(
                `Centri di costo di ${authority.name}`,
                ['Codice', 'Denominazione', 'Stato'],
                authority.costCentres.map(
                  (c) =>
                    html`<tr>
                      <td>${c.code}</td>
                      <td>${c.name}</td>
                      <td>${c.active ? 'Attivo' : 'Non attivo'}</td>
                    </tr>`,
                ),
              )
            : html`<p>Nessun centro di costo.</p>`
        }
        <h3 class="h5 mt-3">Aggiungi un centro di costo</h3>
        ${postForm(request, {
          errors: centre.errors,
          action: `${base}/centri-di-costo`,
          class: 'mb-5',
          fields: html`${textField('cdc_codice', 'Codice del centro di costo', centre.values, centre.errors, {
            maxlength: 40,
          })}
          ${textField('cdc_nome', 'Denominazione del centro di costo', centre.values, centre.errors, {
            maxlength: 300,
          })}`,
          submit: 'Aggiungi il centro di costo',
        })}
        ${headingBar(
          html`<h2 class="h4">Utenti</h2>`,
          `${usersBase}/nuovo?ruolo=rup&stazione=${authority.fiscalCode}`,
          'Aggiungi un RUP',
        )}
        ${
          users.items.length
            ? dataTable(
                `Utenti di ${authority.name}`,
                ['Nome', 'E-mail', 'Ruolo', 'Stato'],
                users.items.map(
                  (u) =>
                    html`<tr>
                      <td><a href="${usersBase}/${u.id}">${u.name}</a></td>
                      <td>${u.email}</td>
                      <td>${roleLabels[u.role]}</td>
                      <td>${activeLabel(u.active)}</td>
                    </tr>`,
                ),
              )
            : html`<p>Nessun utente.</p>`
        }`,
    });
  };

  app.get<{ Params: { id: string }; Querystring: { esito?: string } }>(
    `${authoritiesBase}/:id`,
    async (request, reply) => {
      const actor = signedInAdmin(request, reply);
      if (!actor) return reply;
      const authority = await getContractingAuthority(deps, idParam(request.params.id), actor);
      return send(
        reply,
        await authorityPage(request, authority, { values: {}, errors: new Map() }, request.query.esito),
      );
    },
  );

  app.post<{ Params: { id: string } }>(`${authoritiesBase}/:id/centri-di-costo`, async (request, reply) => {
    const actor = signedInAdmin(request, reply);
    if (!actor) return reply;
    const id = idParam(request.params.id);
    const form = request.body as Form;
    try {
      await addCostCentre(
        deps,
        id,
        { code: (form.cdc_codice ?? '').trim(), name: form.cdc_nome ?? '' },
        actor,
      );
      return reply.redirect(`${authoritiesBase}/${id}?esito=centro`, 303);
    } catch (error) {
      const errors = fieldErrorsOf(error, costCentreFields);
      const authority = await getContractingAuthority(deps, id, actor);
      return send(reply, await authorityPage(request, authority, { values: form, errors }), 422);
    }
  });

  const editAuthorityPage = async (
    request: FastifyRequest,
    authority: ContractingAuthority,
    values: Form,
    errors: FieldErrors,
  ) =>
    formPage(request, {
      title: `Modifica ${authority.name}`,
      crumbs: [
        { label: 'Stazioni appaltanti', href: authoritiesBase },
        { label: authority.name, href: `${authoritiesBase}/${authority.id}` },
        { label: 'Modifica' },
      ],
      intro: html`<p>
        Codice fiscale ${authority.fiscalCode}, codice AUSA ${authority.ausaCode}: non si modificano.
      </p>`,
      errors,
      action: `${authoritiesBase}/${authority.id}/modifica`,
      fields: html`${textField('denominazione', 'Denominazione', values, errors, { maxlength: 300 })}
      ${textField('luogo', 'Luogo (codice ISTAT del comune)', values, errors, {
        maxlength: 9,
        inputmode: 'numeric',
      })}
      ${textField('pec', 'PEC', values, errors, { maxlength: 254, inputmode: 'email' })}
      ${selectField('sezione', 'Sezione regionale', await sectionChoices(), values, errors, {
        emptyLabel: 'Quella competente per il luogo',
      })}
      ${selectField('stato', 'Stato', authorityStates, values, errors, { emptyLabel: false })}`,
      submit: 'Salva le modifiche',
    });

  app.get<{ Params: { id: string } }>(`${authoritiesBase}/:id/modifica`, async (request, reply) => {
    const actor = signedInAdmin(request, reply);
    if (!actor) return reply;
    const authority = await getContractingAuthority(deps, idParam(request.params.id), actor);
    const values: Form = {
      denominazione: authority.name,
      luogo: authority.istatPlaceCode,
      pec: authority.pec,
      sezione: authority.regionalSectionCode,
      stato: authority.active ? 'attiva' : 'non_attiva',
    };
    return send(reply, await editAuthorityPage(request, authority, values, new Map()));
  });

  app.post<{ Params: { id: string } }>(`${authoritiesBase}/:id/modifica`, async (request, reply) => {
    const actor = signedInAdmin(request, reply);
    if (!actor) return reply;
    const id = idParam(request.params.id);
    const form = request.body as Form;
    try {
      await updateContractingAuthority(
        deps,
        id,
        {
          name: form.denominazione ?? '',
          istatPlace: (form.luogo ?? '').trim(),
          pec: form.pec ?? '',
          regionalSection: optional(form.sezione),
          active: form.stato === 'attiva' ? true : form.stato === 'non_attiva' ? false : undefined,
        },
        actor,
      );
      return reply.redirect(`${authoritiesBase}/${id}?esito=modificata`, 303);
    } catch (error) {
      const errors = fieldErrorsOf(error, authorityFields);
      const authority = await getContractingAuthority(deps, id, actor);
      return send(reply, await editAuthorityPage(request, authority, form, errors), 422);
    }
  });
};

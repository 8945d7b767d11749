import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { formatDateIt } from '../../domain/shared/dates.js';
import { DomainError } from '../../domain/shared/errors.js';
import type { ServiceDeps, UserActor } from '../../services/context.js';
import { roles, type Role, type User } from '../../services/ports.js';
import { getContractingAuthority } from '../../services/registry/get-contracting-authority.js';
import { listContractingAuthorities } from '../../services/registry/list-contracting-authorities.js';
import { getEconomicOperator } from '../../services/registry/get-economic-operator.js';
import { listEconomicOperators } from '../../services/registry/list-economic-operators.js';
import { getSection } from '../../services/registry/get-section.js';
import { listSections } from '../../services/registry/list-sections.js';
import { createUser } from '../../services/registry/create-user.js';
import { getUser } from '../../services/registry/get-user.js';
import { issueToken } from '../../services/registry/issue-token.js';
import { listUsers } from '../../services/registry/list-users.js';
import { revokeTokens } from '../../services/registry/revoke-tokens.js';
import { updateUser } from '../../services/registry/update-user.js';
import { idParam, selectField, send, textField, type FieldErrors, type Form } from './forms.js';
import { html, roleLabels, type Html } from './layout.js';
import {
  activeLabel,
  authoritiesBase,
  csrfField,
  entryPage,
  fieldErrorsOf,
  formPage,
  listPage,
  operatorsBase,
  optional,
  pageNumberOf,
  pageWindow,
  postForm,
  sectionsBase,
  signedInAdmin,
  usersBase,
  type FieldMap,
} from './registry-forms.js';

/** The administrator's registry: users, with their API tokens. */

/** Stands for "the code typed matches no entry": the service then refuses the field as for any unknown id. */
const NO_SUCH_ENTRY = '00000000-0000-0000-0000-000000000000';

const userFields: FieldMap = {
  name: ['nome', 'Indica nome e cognome (al massimo 300 caratteri).'],
  email: [
    'email',
    'Indica un indirizzo e-mail valido, per esempio mario.rossi@comune.example.it.',
    'Un utente con questo indirizzo e-mail è già registrato.',
  ],
  fiscalCode: [
    'codice_fiscale',
    "Il codice fiscale della persona ha 16 caratteri (per esempio RSSMRA80A01H501U) e l'ultimo, il carattere di controllo, deve corrispondere.",
  ],
  role: ['ruolo', 'Scegli il ruolo.'],
  contractingAuthorityId: [
    'stazione',
    'Solo per un RUP, e obbligatorio: il codice fiscale di una stazione appaltante registrata. Per gli altri ruoli lascia vuoto.',
  ],
  economicOperatorId: [
    'operatore',
    'Solo per un operatore economico, e obbligatorio: il codice fiscale o la partita IVA di un operatore registrato. Per gli altri ruoli lascia vuoto.',
  ],
  regionalSection: [
    'sezione',
    'Solo per il personale di una sezione regionale, e obbligatoria: scegli la sezione. Per gli altri ruoli lascia «Non applicabile».',
  ],
};

const tokenFields: FieldMap = {
  label: [
    'etichetta',
    "Indica un'etichetta per il token (al massimo 100 caratteri), per esempio il nome della piattaforma.",
  ],
};

const roleOf = (value: string | undefined): Role | undefined => roles.find((r) => r === value);
export const registryUserPages: FastifyPluginAsync<{
  deps: ServiceDeps;
  /** Forgets the API tokens the authenticator remembers, so that a revocation holds at once. */
  forgetTokens: () => void;
}> = async (app, { deps, forgetTokens }) => {
  const sectionChoices = async () =>
    (await listSections(deps)).map((s) => ({ value: s.code, label: `${s.regionName} (${s.code})` }));
  const roleChoices = roles.map((r) => ({ value: r, label: roleLabels[r] }));

  /** The id of the contracting authority with this fiscal code (the form asks for the code, not the id). */
  const authorityIdOf = async (code: string | undefined, actor: UserActor) => {
    const v = optional(code)?.toUpperCase();
    if (!v) return undefined;
    const found = await listContractingAuthorities(deps, { limit: 10, offset: 0, q: v }, actor);
    return found.items.find((a) => a.fiscalCode === v)?.id ?? NO_SUCH_ENTRY;
  };
  const operatorIdOf = async (code: string | undefined, actor: UserActor) => {
    const v = optional(code)?.toUpperCase();
    if (!v) return undefined;
    const found = await listEconomicOperators(deps, { limit: 10, offset: 0, q: v }, actor);
    return found.items.find((o) => o.fiscalCode === v || o.vatNumber === v)?.id ?? NO_SUCH_ENTRY;
  };

  // --- users ---------------------------------------------------------------------------------------

  app.get<{ Querystring: { ruolo?: string; pagina?: string } }>(usersBase, async (request, reply) => {
    const actor = signedInAdmin(request, reply);
    if (!actor) return reply;
    const role = roleOf(request.query.ruolo);
    const n = pageNumberOf(request.query.pagina);
    const found = await listUsers(deps, { ...pageWindow(n), role }, actor);
    return send(
      reply,
      listPage(request, {
        title: 'Utenti',
        create: { href: `${usersBase}/nuovo`, label: 'Crea un utente' },
        filter: html`<form method="get" action="${usersBase}" class="mb-4">
          ${selectField('ruolo', 'Ruolo', roleChoices, { ruolo: role }, new Map(), { emptyLabel: 'Tutti i ruoli' })}
          <button type="submit" class="btn btn-outline-primary">Filtra</button>
        </form>`,
        count: ['utente', 'utenti'],
        caption: 'Utenti, in ordine alfabetico',
        headers: ['Nome', 'E-mail', 'Ruolo', 'Stato', 'Creato il'],
        found,
        row: (u) =>
          html`<tr>
            <td><a href="${usersBase}/${u.id}">${u.name}</a></td>
            <td>${u.email}</td>
            <td>${roleLabels[u.role]}</td>
            <td>${activeLabel(u.active)}</td>
            <td>${formatDateIt(u.createdAt)}</td>
          </tr>`,
        n,
        query: { ruolo: role },
      }),
    );
  });

  const userForm = async (request: FastifyRequest, values: Form, errors: FieldErrors) =>
    formPage(request, {
      title: 'Nuovo utente',
      crumbs: [{ label: 'Utenti', href: usersBase }, { label: 'Nuovo' }],
      intro: html`<p>
        Un RUP appartiene a una stazione appaltante, un operatore economico al suo operatore, il personale di
        una sezione regionale alla sua sezione: compila solo il collegamento che il ruolo richiede.
      </p>`,
      errors,
      action: `${usersBase}/nuovo`,
      fields: html`${textField('nome', 'Nome e cognome', values, errors, { maxlength: 300 })}
      ${textField('email', 'E-mail', values, errors, { maxlength: 254, inputmode: 'email' })}
      ${textField('codice_fiscale', 'Codice fiscale', values, errors, { maxlength: 16, optional: true })}
      ${selectField('ruolo', 'Ruolo', roleChoices, values, errors)}
      ${textField('stazione', 'Stazione appaltante: codice fiscale', values, errors, {
        maxlength: 11,
        inputmode: 'numeric',
        hint: 'Solo per un RUP.',
        optional: true,
      })}
      ${textField('operatore', 'Operatore economico: codice fiscale o partita IVA', values, errors, {
        maxlength: 16,
        hint: 'Solo per un operatore economico.',
        optional: true,
      })}
      ${selectField('sezione', 'Sezione regionale', await sectionChoices(), values, errors, {
        emptyLabel: 'Non applicabile',
        hint: 'Solo per il personale di una sezione regionale.',
      })}`,
      submit: "Crea l'utente",
    });

  app.get<{ Querystring: { ruolo?: string; stazione?: string; operatore?: string } }>(
    `${usersBase}/nuovo`,
    async (request, reply) => {
      if (!signedInAdmin(request, reply)) return reply;
      const { ruolo, stazione, operatore } = request.query;
      const values: Form = { ruolo: roleOf(ruolo), stazione, operatore };
      return send(reply, await userForm(request, values, new Map()));
    },
  );

  app.post(`${usersBase}/nuovo`, async (request, reply) => {
    const actor = signedInAdmin(request, reply);
    if (!actor) return reply;
    const form = request.body as Form;
    try {
      const user = await createUser(
        deps,
        {
          name: form.nome ?? '',
          email: form.email ?? '',
          fiscalCode: optional(form.codice_fiscale),
          role: (form.ruolo ?? '') as Role,
          contractingAuthorityId: await authorityIdOf(form.stazione, actor),
          economicOperatorId: await operatorIdOf(form.operatore, actor),
          regionalSection: optional(form.sezione),
        },
        actor,
      );
      return reply.redirect(`${usersBase}/${user.id}?esito=creato`, 303);
    } catch (error) {
      return send(reply, await userForm(request, form, fieldErrorsOf(error, userFields)), 422);
    }
  });

  const userPage = async (
    request: FastifyRequest,
    user: User,
    state: {
      outcome?: string | undefined;
      revoked?: string | undefined;
      token?: string;
      values?: Form;
      errors?: FieldErrors;
      problem?: string;
    } = {},
  ) => {
    const actor = request.portal.actor!;
    const errors = state.errors ?? new Map<string, string>();
    const base = `${usersBase}/${user.id}`;
    const link: [string, Html | string][] = [];
    if (user.contractingAuthorityId) {
      const a = await getContractingAuthority(deps, user.contractingAuthorityId, actor);
      link.push(['Stazione appaltante', html`<a href="${authoritiesBase}/${a.id}">${a.name}</a>`]);
    }
    if (user.economicOperatorId) {
      const o = await getEconomicOperator(deps, user.economicOperatorId, actor);
      link.push(['Operatore economico', html`<a href="${operatorsBase}/${o.id}">${o.name}</a>`]);
    }
    if (user.regionalSectionCode) {
      const s = await getSection(deps, user.regionalSectionCode);
      link.push(['Sezione regionale', html`<a href="${sectionsBase}/${s.code}">${s.name}</a>`]);
    }
    const revoked = Number.parseInt(state.revoked ?? '', 10);
    return entryPage(request, {
      name: user.name,
      crumbs: [{ label: 'Utenti', href: usersBase }, { label: user.name }],
      updatedAt: user.updatedAt,
      invalid: errors.size > 0 || Boolean(state.problem),
      outcome: state.outcome,
      messages: {
        creato: 'Utente creato.',
        modificato: "Dati dell'utente aggiornati.",
        disattivato: 'Utente disattivato: non può più accedere e i suoi token API sono revocati.',
        riattivato: 'Utente riattivato.',
        revocati: `Token API revocati: ${Number.isFinite(revoked) ? revoked : 0}.`,
      },
      notices: html`${
        state.token
          ? html`<div class="alert alert-success" role="status">
              <p>Token API rilasciato. Copialo ora: non sarà più mostrato.</p>
              <p class="mb-0"><code>${state.token}</code></p>
            </div>`
          : ''
      }
      ${state.problem ? html`<div class="alert alert-warning" role="alert">${state.problem}</div>` : ''}`,
      action: { href: `${base}/modifica`, label: 'Modifica nome ed e-mail' },
      rows: [
        ['E-mail', user.email],
        ['Codice fiscale', user.fiscalCode ?? '—'],
        ['Ruolo', roleLabels[user.role]],
        ...link,
        ['Stato', activeLabel(user.active)],
        ['Creato il', formatDateIt(user.createdAt)],
      ],
      more: html`<h2 class="h4 mt-4">Accesso</h2>
        <form method="post" action="${base}/stato" class="mb-3">
          ${csrfField(request)}
          <input type="hidden" name="attivo" value="${user.active ? 'no' : 'si'}" />
          <button type="submit" class="btn ${user.active ? 'btn-danger' : 'btn-primary'}">
            ${user.active ? "Disattiva l'utente" : "Riattiva l'utente"}
          </button>
        </form>
        <form method="post" action="${base}/revoca-token" class="mb-4">
          ${csrfField(request)}
          <button type="submit" class="btn btn-outline-danger">Revoca i token API</button>
        </form>
        ${
          user.active
            ? html`<h2 class="h4">Nuovo token API</h2>
                <p>
                  Per le piattaforme che usano l'API per conto dell'utente. Il token è mostrato una sola
                  volta.
                </p>
                ${postForm(request, {
                  errors,
                  action: `${base}/token`,
                  fields: textField('etichetta', 'Etichetta del token', state.values ?? {}, errors, {
                    maxlength: 100,
                  }),
                  submit: 'Rilascia un token',
                  button: 'btn-outline-primary',
                })}`
            : ''
        }`,
    });
  };

  app.get<{ Params: { id: string }; Querystring: { esito?: string; revocati?: string } }>(
    `${usersBase}/:id`,
    async (request, reply) => {
      const actor = signedInAdmin(request, reply);
      if (!actor) return reply;
      const user = await getUser(deps, idParam(request.params.id), actor);
      return send(
        reply,
        await userPage(request, user, { outcome: request.query.esito, revoked: request.query.revocati }),
      );
    },
  );

  app.post<{ Params: { id: string } }>(`${usersBase}/:id/stato`, async (request, reply) => {
    const actor = signedInAdmin(request, reply);
    if (!actor) return reply;
    const id = idParam(request.params.id);
    const active = (request.body as Form).attivo === 'si';
    await updateUser(deps, id, { active }, actor);
    if (!active) forgetTokens();
    return reply.redirect(`${usersBase}/${id}?esito=${active ? 'riattivato' : 'disattivato'}`, 303);
  });

  app.post<{ Params: { id: string } }>(`${usersBase}/:id/revoca-token`, async (request, reply) => {
    const actor = signedInAdmin(request, reply);
    if (!actor) return reply;
    const id = idParam(request.params.id);
    const { revoked } = await revokeTokens(deps, id, actor);
    forgetTokens();
    return reply.redirect(`${usersBase}/${id}?esito=revocati&revocati=${revoked}`, 303);
  });

  app.post<{ Params: { id: string } }>(`${usersBase}/:id/token`, async (request, reply) => {
    const actor = signedInAdmin(request, reply);
    if (!actor) return reply;
    const id = idParam(request.params.id);
    const form = request.body as Form;
    try {
      const { token, user } = await issueToken(deps, { userId: id, label: form.etichetta ?? '' }, actor);
      // Shown once, so not behind a redirect: the page is not stored (no-store) and not replayed.
      return send(reply, await userPage(request, user, { token }), 201);
    } catch (error) {
      const user = await getUser(deps, id, actor);
      if (error instanceof DomainError && error.code === 'invalid_state') {
        const problem = "L'utente è disattivato: riattivalo prima di rilasciargli un token.";
        return send(reply, await userPage(request, user, { problem }), 409);
      }
      const errors = fieldErrorsOf(error, tokenFields);
      return send(reply, await userPage(request, user, { values: form, errors }), 422);
    }
  });

  const editUserPage = (request: FastifyRequest, user: User, values: Form, errors: FieldErrors) =>
    formPage(request, {
      title: `Modifica ${user.name}`,
      crumbs: [
        { label: 'Utenti', href: usersBase },
        { label: user.name, href: `${usersBase}/${user.id}` },
        { label: 'Modifica' },
      ],
      errors,
      action: `${usersBase}/${user.id}/modifica`,
      fields: html`${textField('nome', 'Nome e cognome', values, errors, { maxlength: 300 })}
      ${textField('email', 'E-mail', values, errors, { maxlength: 254, inputmode: 'email' })}`,
      submit: 'Salva le modifiche',
    });

  app.get<{ Params: { id: string } }>(`${usersBase}/:id/modifica`, async (request, reply) => {
    const actor = signedInAdmin(request, reply);
    if (!actor) return reply;
    const user = await getUser(deps, idParam(request.params.id), actor);
    return send(reply, editUserPage(request, user, { nome: user.name, email: user.email }, new Map()));
  });

  app.post<{ Params: { id: string } }>(`${usersBase}/:id/modifica`, async (request, reply) => {
    const actor = signedInAdmin(request, reply);
    if (!actor) return reply;
    const id = idParam(request.params.id);
    const form = request.body as Form;
    try {
      await updateUser(deps, id, { name: form.nome ?? '', email: form.email ?? '' }, actor);
      return reply.redirect(`${usersBase}/${id}?esito=modificato`, 303);
    } catch (error) {
      const errors = fieldErrorsOf(error, userFields);
      return send(reply, editUserPage(request, await getUser(deps, id, actor), form, errors), 422);
    }
  });
};

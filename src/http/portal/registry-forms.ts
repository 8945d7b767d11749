import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../domain/shared/errors.js';
import type { UserActor } from '../../services/context.js';
import { errorSummary, signedIn, type FieldErrors } from './forms.js';
import { dataTable, html, page, raw, type Html } from './layout.js';

/**
 * What the administrator's registry pages share: the guard, error mapping, paging, and the three shapes of
 * their pages (a paged list, an entry with what its last change did, a form).
 */

export const registryBase = '/area-personale/anagrafica';
export const sectionsBase = `${registryBase}/sezioni`;
export const authoritiesBase = `${registryBase}/stazioni-appaltanti`;
export const usersBase = `${registryBase}/utenti`;
export const operatorsBase = `${registryBase}/operatori-economici`;
const PAGE_SIZE = 20;

/** The signed-in administrator; other roles get the 403 page, visitors the sign-in page (and undefined). */
export function signedInAdmin(request: FastifyRequest, reply: FastifyReply): UserActor | undefined {
  const actor = signedIn(request, reply);
  if (actor && actor.role !== 'admin') {
    throw new DomainError('forbidden', 'only an administrator manages the registry');
  }
  return actor;
}

export const pageNumberOf = (value: string | undefined) =>
  Math.min(10_000, Math.max(1, Number.parseInt(value ?? '1', 10) || 1));

/** The entries of page `n` of a list. */
export const pageWindow = (n: number) => ({ limit: PAGE_SIZE, offset: (n - 1) * PAGE_SIZE });

/** A searchable list's query: the search text (`q`), the page (`pagina`) and what to ask the service for. */
export function searchQuery(query: { q?: string; pagina?: string }) {
  const q = (query.q ?? '').trim().slice(0, 100);
  const n = pageNumberOf(query.pagina);
  return { q, n, filter: { ...pageWindow(n), q: q || undefined } };
}

/** A trimmed form value, or undefined when the field was left empty (optional inputs of the services). */
export const optional = (value: string | undefined): string | undefined => {
  const v = (value ?? '').trim();
  return v === '' ? undefined : v;
};

type Crumb = { label: string; href?: string };

export function registryCrumbs(...rest: Crumb[]) {
  return [
    { label: 'Home', href: '/' },
    { label: 'Area personale', href: '/area-personale' },
    { label: 'Anagrafica', href: registryBase },
    ...rest,
  ];
}

/**
 * Service field path → [form field, Italian message when invalid, Italian message when it clashes with
 * an existing entry]. A refusal is shown beside the form field it names.
 */
export type FieldMap = Record<string, [string, string, string?]>;

/** The form error for a refusal of the service, or the error itself rethrown (not a field problem). */
export function fieldErrorsOf(error: unknown, fields: FieldMap): FieldErrors {
  if (!(error instanceof DomainError) || !['validation_failed', 'conflict'].includes(error.code)) throw error;
  const entry = fields[error.field ?? ''];
  if (!entry) throw error;
  const [name, invalid, clash] = entry;
  return new Map([[name, error.code === 'conflict' ? (clash ?? 'Valore già registrato.') : invalid]]);
}

/** The success message named by `?esito=` (a closed set: nothing from the address is echoed). */
function confirmation(outcome: string | undefined, messages: Record<string, string>): Html | string {
  const message = outcome ? messages[outcome] : undefined;
  return message ? html`<div class="alert alert-success" role="status">${message}</div>` : '';
}

/** The CSRF field every state-changing form carries. */
export const csrfField = (request: FastifyRequest) =>
  html`<input type="hidden" name="csrf" value="${request.portal.csrf ?? ''}" />`;

/** Label/value pairs of a detail page. */
function details(rows: [string, Html | string][]): Html {
  return html`<dl class="row">
    ${rows.map(
      ([term, value]) =>
        html`<dt class="col-sm-3">${term}</dt>
          <dd class="col-sm-9">${value}</dd>`,
    )}
  </dl>`;
}

/** Previous/next links of a paged list, keeping its filters. */
function pager(page: number, total: number, query: Record<string, string | undefined>): Html | string {
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  if (pages <= 1) return '';
  const href = (n: number) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v) params.set(k, v);
    params.set('pagina', String(n));
    return `?${params.toString()}`;
  };
  return html`<nav class="pagination-wrapper" aria-label="Pagine">
    <ul class="pagination">
      ${page > 1 ? html`<li class="page-item"><a class="page-link" href="${href(page - 1)}">Pagina precedente</a></li>` : ''}
      <li class="page-item">
        <span class="page-link" aria-current="page">Pagina ${page} di ${pages}</span>
      </li>
      ${page < pages ? html`<li class="page-item"><a class="page-link" href="${href(page + 1)}">Pagina successiva</a></li>` : ''}
    </ul>
  </nav>`;
}

/** A search box (GET) above a list. */
export function searchForm(action: string, label: string, value: string, extra: Html | string = ''): Html {
  return html`<form method="get" action="${action}" role="search" class="mb-4">
    <div class="form-group mb-3">
      <label for="q" class="form-label-static">${label}</label>
      <input type="text" class="form-control" id="q" name="q" value="${value}" maxlength="100" />
    </div>
    ${extra}
    <button type="submit" class="btn btn-outline-primary">Cerca</button>
  </form>`;
}

export const activeLabel = (active: boolean) => (active ? 'Attivo' : 'Disattivato');

/** A heading with its main action beside it, a link that looks like a button. */
export function headingBar(heading: Html, href: string, label: string, button = 'btn-outline-primary'): Html {
  return html`<div class="d-flex flex-wrap justify-content-between align-items-center gap-2">
    ${heading}
    <a class="btn ${button}" href="${href}">${label}</a>
  </div>`;
}

/** A form that changes data: the errors above it, the CSRF field, the fields and the submit button. */
export function postForm(
  request: FastifyRequest,
  form: {
    errors: FieldErrors;
    action: string;
    fields: Html;
    submit: string;
    class?: string;
    button?: string;
  },
): Html {
  return html`${errorSummary(form.errors)}
    <form method="post" action="${form.action}" novalidate${form.class ? raw(` class="${form.class}"`) : ''}>
      ${csrfField(request)} ${form.fields}
      <button type="submit" class="btn ${form.button ?? 'btn-primary'}">${form.submit}</button>
    </form>`;
}

/** A page of the registry: under "Area personale", its breadcrumbs after "Anagrafica". */
export function registryPage(
  request: FastifyRequest,
  options: { title: string; crumbs: Crumb[]; updatedAt?: Date; body: Html },
): string {
  return page({
    ...request.portal,
    title: options.title,
    current: '/area-personale',
    updatedAt: options.updatedAt,
    breadcrumbs: registryCrumbs(...options.crumbs),
    body: options.body.value,
  });
}

/**
 * A paged list: its title and the button that creates an entry, its filter (a search box, or other), how
 * many entries (for the search text `query.q`, if any), their table and the pager (keeping `query`).
 */
export function listPage<T>(
  request: FastifyRequest,
  list: {
    title: string;
    create: { href: string; label: string };
    filter: Html;
    count: [singular: string, plural: string];
    caption: string;
    headers: string[];
    found: { items: T[]; total: number };
    row: (item: T) => Html;
    n: number;
    query: Record<string, string | undefined>;
  },
): string {
  const { items, total } = list.found;
  const q = list.query.q;
  return registryPage(request, {
    title: list.title,
    crumbs: [{ label: list.title }],
    body: html`${headingBar(html`<h1>${list.title}</h1>`, list.create.href, list.create.label, 'btn-primary')}
      ${list.filter}
      <p>${total} ${total === 1 ? list.count[0] : list.count[1]}${q ? html` per «${q}»` : ''}.</p>
      ${items.length ? dataTable(list.caption, list.headers, items.map(list.row)) : ''}
      ${pager(list.n, total, list.query)}`,
  });
}

/**
 * A registry entry's page: what its last change did (`?esito=`, one of `messages`), any `notices`, its name
 * with its main action, its data, then `more` (its forms and lists). `invalid`: a form on it was refused.
 */
export function entryPage(
  request: FastifyRequest,
  entry: {
    name: string;
    crumbs: Crumb[];
    updatedAt: Date;
    invalid: boolean;
    outcome: string | undefined;
    messages: Record<string, string>;
    notices?: Html;
    action?: { href: string; label: string };
    rows: [string, Html | string][];
    more: Html;
  },
): string {
  const heading = html`<h1>${entry.name}</h1>`;
  return registryPage(request, {
    title: `${entry.invalid ? 'Errori nel modulo: ' : ''}${entry.name}`,
    crumbs: entry.crumbs,
    updatedAt: entry.updatedAt,
    body: html`${confirmation(entry.outcome, entry.messages)} ${entry.notices ?? ''}
    ${entry.action ? headingBar(heading, entry.action.href, entry.action.label) : heading}
    ${details(entry.rows)} ${entry.more}`,
  });
}

/** A page that is one form (a new entry, or changes to one): its title as heading, `intro`, the form. */
export function formPage(
  request: FastifyRequest,
  form: {
    title: string;
    crumbs: Crumb[];
    intro?: Html;
    errors: FieldErrors;
    action: string;
    fields: Html;
    submit: string;
  },
): string {
  return registryPage(request, {
    title: `${form.errors.size ? 'Errori nel modulo: ' : ''}${form.title}`,
    crumbs: form.crumbs,
    body: html`<h1>${form.title}</h1>
      ${form.intro ?? ''} ${postForm(request, form)}`,
  });
}

export const pecIt = 'Indica un indirizzo PEC valido, per esempio protocollo@pec.comune.example.it.';

import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../domain/shared/errors.js';
import type { UserActor } from '../../services/context.js';
import { signedIn, type FieldErrors, type Form } from './forms.js';
import { html, raw, type Html } from './layout.js';

/** What the administrator's registry pages share: the guard, optional fields, error mapping, paging. */

export const registryBase = '/area-personale/anagrafica';
export const sectionsBase = `${registryBase}/sezioni`;
export const authoritiesBase = `${registryBase}/stazioni-appaltanti`;
export const usersBase = `${registryBase}/utenti`;
export const operatorsBase = `${registryBase}/operatori-economici`;
export const PAGE_SIZE = 20;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The signed-in administrator; other roles get the 403 page, visitors the sign-in page (and undefined). */
export function signedInAdmin(request: FastifyRequest, reply: FastifyReply): UserActor | undefined {
  const actor = signedIn(request, reply);
  if (actor && actor.role !== 'admin') {
    throw new DomainError('forbidden', 'only an administrator manages the registry');
  }
  return actor;
}

/** A path parameter that cannot be an id is a page that does not exist (not a database error). */
export function idParam(id: string): string {
  if (!UUID.test(id)) throw new DomainError('not_found', 'no such registry entry');
  return id.toLowerCase();
}

export const pageNumberOf = (value: string | undefined) =>
  Math.max(1, Number.parseInt(value ?? '1', 10) || 1);

/** A trimmed form value, or undefined when the field was left empty (optional inputs of the services). */
export const optional = (value: string | undefined): string | undefined => {
  const v = (value ?? '').trim();
  return v === '' ? undefined : v;
};

export function registryCrumbs(...rest: { label: string; href?: string }[]) {
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
export function confirmation(outcome: string | undefined, messages: Record<string, string>): Html | string {
  const message = outcome ? messages[outcome] : undefined;
  return message ? html`<div class="alert alert-success" role="status">${message}</div>` : '';
}

function describedBy(name: string, hint: string | undefined, error: string | undefined): Html | string {
  const ids = [hint ? `${name}-aiuto` : '', error ? `${name}-errore` : ''].filter(Boolean).join(' ');
  return ids ? raw(` aria-describedby="${ids}"`) : '';
}

/** A text input that may be left empty (the shared `textField` marks its input required). */
export function optionalTextField(
  name: string,
  label: string,
  values: Form,
  errors: FieldErrors,
  options: { maxlength?: number; hint?: string; inputmode?: string } = {},
): Html {
  const error = errors.get(name);
  return html`<div class="form-group mb-4">
    <label for="${name}" class="form-label-static">${label} (facoltativo)</label>
    <input
      type="text"
      class="form-control${error ? ' is-invalid' : ''}"
      id="${name}"
      name="${name}"
      value="${values[name] ?? ''}"
      ${options.maxlength ? raw(` maxlength="${options.maxlength}"`) : ''}${
        options.inputmode ? raw(` inputmode="${options.inputmode}"`) : ''
      }${describedBy(name, options.hint, error)}${error ? raw(' aria-invalid="true"') : ''}
    />
    ${options.hint ? html`<small id="${name}-aiuto" class="form-text">${options.hint}</small>` : ''}
    ${error ? html`<div id="${name}-errore" class="invalid-feedback d-block">${error}</div>` : ''}
  </div>`;
}

/** A select whose empty choice means something ("not applicable", "all", "the default"). */
export function choiceField(
  name: string,
  label: string,
  choices: { value: string; label: string }[],
  values: Form,
  errors: FieldErrors,
  options: { empty?: string; hint?: string } = {},
): Html {
  const error = errors.get(name);
  return html`<div class="select-wrapper mb-4">
    <label for="${name}" class="form-label-static">${label}</label>
    <select
      id="${name}"
      name="${name}"
      class="${error ? 'is-invalid' : ''}"
      ${describedBy(name, options.hint, error)}${error ? raw(' aria-invalid="true"') : ''}
    >
      ${options.empty !== undefined ? html`<option value="">${options.empty}</option>` : ''}
      ${choices.map(
        (c) =>
          html`<option value="${c.value}" ${(values[name] ?? '') === c.value ? raw(' selected') : ''}>
            ${c.label}
          </option>`,
      )}
    </select>
    ${options.hint ? html`<small id="${name}-aiuto" class="form-text">${options.hint}</small>` : ''}
    ${error ? html`<div id="${name}-errore" class="invalid-feedback d-block">${error}</div>` : ''}
  </div>`;
}

/** The CSRF field every state-changing form carries. */
export const csrfField = (request: FastifyRequest) =>
  html`<input type="hidden" name="csrf" value="${request.portal.csrf ?? ''}" />`;

/** Label/value pairs of a detail page. */
export function details(rows: [string, Html | string][]): Html {
  return html`<dl class="row">
    ${rows.map(
      ([term, value]) =>
        html`<dt class="col-sm-3">${term}</dt>
          <dd class="col-sm-9">${value}</dd>`,
    )}
  </dl>`;
}

/** Previous/next links of a paged list, keeping its filters. */
export function pager(page: number, total: number, query: Record<string, string | undefined>): Html | string {
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

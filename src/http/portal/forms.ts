import type { FastifyReply, FastifyRequest } from 'fastify';
import type { UserActor } from '../../services/context.js';
import { html, raw, type Html } from './layout.js';

/** Form fields as posted (application/x-www-form-urlencoded). */
export type Form = Record<string, string | undefined>;
/** Field name → the Italian message shown beside it. */
export type FieldErrors = Map<string, string>;

export const send = (reply: FastifyReply, body: string, status = 200) =>
  reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);

/** The signed-in actor, or a redirect to the sign-in page (and undefined). */
export function signedIn(request: FastifyRequest, reply: FastifyReply): UserActor | undefined {
  const actor = request.portal.actor;
  if (!actor) {
    void reply.redirect(`/accedi?dopo=${encodeURIComponent(request.url)}`);
    return undefined;
  }
  return actor;
}

/** The list of errors at the top of a form, each a link to its field. */
export function errorSummary(errors: FieldErrors): Html | string {
  return errors.size
    ? html`<div class="alert alert-danger" role="alert" id="errori" tabindex="-1">
        <h2 class="h5">Correggi ${errors.size === 1 ? "l'errore" : 'gli errori'} nel modulo</h2>
        <ul class="mb-0">
          ${[...errors.entries()].map(([name, message]) => html`<li><a href="#${name}">${message}</a></li>`)}
        </ul>
      </div>`
    : '';
}

export function textField(
  name: string,
  label: string,
  values: Form,
  errors: FieldErrors,
  options: { maxlength?: number; hint?: string; inputmode?: string; type?: string } = {},
): Html {
  const error = errors.get(name);
  const described = [options.hint ? `${name}-aiuto` : '', error ? `${name}-errore` : '']
    .filter(Boolean)
    .join(' ');
  return html`<div class="form-group mb-4">
    <label for="${name}" class="form-label-static">${label}</label>
    <input
      type="text"
      class="form-control${error ? ' is-invalid' : ''}"
      id="${name}"
      name="${name}"
      value="${values[name] ?? ''}"
      required${options.maxlength ? raw(` maxlength="${options.maxlength}"`) : ''}${
        options.inputmode ? raw(` inputmode="${options.inputmode}"`) : ''
      }${described ? raw(` aria-describedby="${described}"`) : ''}${error ? raw(' aria-invalid="true"') : ''}
    />
    ${options.hint ? html`<small id="${name}-aiuto" class="form-text">${options.hint}</small>` : ''}
    ${error ? html`<div id="${name}-errore" class="invalid-feedback d-block">${error}</div>` : ''}
  </div>`;
}

export function selectField(
  name: string,
  label: string,
  options: { value: string; label: string }[],
  values: Form,
  errors: FieldErrors,
): Html {
  const error = errors.get(name);
  return html`<div class="select-wrapper mb-4">
    <label for="${name}" class="form-label-static">${label}</label>
    <select
      id="${name}"
      name="${name}"
      class="${error ? 'is-invalid' : ''}"
      required${error ? raw(` aria-invalid="true" aria-describedby="${name}-errore"`) : ''}
    >
      <option value="">Scegli un'opzione</option>
      ${options.map(
        (o) =>
          html`<option value="${o.value}" ${values[name] === o.value ? raw(' selected') : ''}>
            ${o.label}
          </option>`,
      )}
    </select>
    ${error ? html`<div id="${name}-errore" class="invalid-feedback d-block">${error}</div>` : ''}
  </div>`;
}

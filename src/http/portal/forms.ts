import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../domain/shared/errors.js';
import type { UserActor } from '../../services/context.js';
import { html, raw, type Html } from './layout.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string): boolean => UUID.test(value);

/** A path parameter that cannot be an id is a page that does not exist (not a database error). */
export function idParam(id: string): string {
  if (!UUID.test(id)) throw new DomainError('not_found', 'no such page');
  return id.toLowerCase();
}

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

/**
 * The form's error for a field the service refused: the entry of `fields` (service field → form field
 * and Italian message) it names, or `fallback`. Any other error is thrown on.
 */
export function refusedField(
  error: unknown,
  fields: Record<string, [string, string]>,
  fallback: [string, string],
): FieldErrors {
  if (!(error instanceof DomainError) || error.code !== 'validation_failed') throw error;
  return new Map([fields[error.field ?? ''] ?? fallback]);
}

/** The services of the status page as checkboxes (incidents, maintenance, subscriptions). */
export function servicesField(
  legend: string,
  services: { code: string; name: string }[],
  values: Form & { servizi?: string | string[] },
  errors: FieldErrors,
): Html {
  return checkboxGroup(
    'servizi',
    legend,
    services.map((s) => ({ value: s.code, label: s.name })),
    [values.servizi ?? []].flat(),
    errors,
  );
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

/** ` aria-describedby="…"` naming the field's hint and error, when it has either. */
function describedBy(name: string, hint: string | undefined, error: string | undefined): Html | string {
  const ids = [hint ? `${name}-aiuto` : '', error ? `${name}-errore` : ''].filter(Boolean).join(' ');
  return ids ? raw(` aria-describedby="${ids}"`) : '';
}

/** The hint and the error under a field. */
function hintAndError(name: string, hint: string | undefined, error: string | undefined): Html {
  return html`${hint ? html`<small id="${name}-aiuto" class="form-text">${hint}</small>` : ''}
  ${error ? html`<div id="${name}-errore" class="invalid-feedback d-block">${error}</div>` : ''}`;
}

export function textField(
  name: string,
  label: string,
  values: Form,
  errors: FieldErrors,
  options: {
    maxlength?: number;
    hint?: string;
    inputmode?: string;
    type?: string;
    /** The field may be left empty: not `required`, and its label says "(facoltativo)". */
    optional?: boolean;
  } = {},
): Html {
  const error = errors.get(name);
  return html`<div class="form-group mb-4">
    <label for="${name}" class="form-label-static">${label}${options.optional ? ' (facoltativo)' : ''}</label>
    <input
      type="${options.type ?? 'text'}"
      class="form-control${error ? ' is-invalid' : ''}"
      id="${name}"
      name="${name}"
      value="${values[name] ?? ''}"
      ${options.optional ? '' : raw('required')}${options.maxlength ? raw(` maxlength="${options.maxlength}"`) : ''}${
        options.inputmode ? raw(` inputmode="${options.inputmode}"`) : ''
      }${describedBy(name, options.hint, error)}${error ? raw(' aria-invalid="true"') : ''}
    />
    ${hintAndError(name, options.hint, error)}
  </div>`;
}

export function selectField(
  name: string,
  label: string,
  choices: { value: string; label: string }[],
  values: Form,
  errors: FieldErrors,
  options: {
    /**
     * The field may be left empty: not `required`, and its empty choice says what leaving it means ("Tutti
     * i ruoli"); `false`, no empty choice (one of `choices` is always chosen). Without it the field is
     * required and its empty choice says "Scegli un'opzione".
     */
    emptyLabel?: string | false;
    hint?: string;
  } = {},
): Html {
  const error = errors.get(name);
  const required = options.emptyLabel === undefined;
  const empty = options.emptyLabel ?? "Scegli un'opzione";
  return html`<div class="select-wrapper mb-4">
    <label for="${name}" class="form-label-static">${label}</label>
    <select
      id="${name}"
      name="${name}"
      class="${error ? 'is-invalid' : ''}"
      ${required ? raw('required') : ''}${describedBy(name, options.hint, error)}${error ? raw(' aria-invalid="true"') : ''}
    >
      ${empty === false ? '' : html`<option value="">${empty}</option>`}
      ${choices.map(
        (c) =>
          html`<option value="${c.value}" ${values[name] === c.value ? raw(' selected') : ''}>
            ${c.label}
          </option>`,
      )}
    </select>
    ${hintAndError(name, options.hint, error)}
  </div>`;
}

/** A group of checkboxes (several values under one name), with its error under the legend's group. */
export function checkboxGroup(
  name: string,
  legend: string,
  options: { value: string; label: string }[],
  chosen: Iterable<string>,
  errors: FieldErrors,
): Html {
  const selected = new Set(chosen);
  const error = errors.get(name);
  return html`<fieldset class="mb-4" id="${name}" ${error ? raw(` aria-describedby="${name}-errore"`) : ''}>
    <legend class="h6">${legend}</legend>
    ${options.map(
      (o) =>
        html`<div class="form-check">
          <input
            class="form-check-input"
            type="checkbox"
            name="${name}"
            value="${o.value}"
            id="${name}-${o.value}"
            ${selected.has(o.value) ? raw(' checked') : ''}
          />
          <label class="form-check-label" for="${name}-${o.value}">${o.label}</label>
        </div>`,
    )}
    ${hintAndError(name, undefined, error)}
  </fieldset>`;
}

/** The procedure for choosing the contractor, from the current code list. */
export function procedureField(
  procedures: { code: string; description: string }[],
  values: Form,
  errors: FieldErrors,
): Html {
  return selectField(
    'procedura',
    'Procedura di scelta del contraente',
    procedures.map((p) => ({ value: p.code, label: p.description })),
    values,
    errors,
  );
}

/** Works, services or supplies. */
export function contractObjectField(values: Form, errors: FieldErrors): Html {
  return selectField(
    'oggetto_contratto',
    'Oggetto del contratto',
    [
      { value: 'works', label: 'Lavori' },
      { value: 'services', label: 'Servizi' },
      { value: 'supplies', label: 'Forniture' },
    ],
    values,
    errors,
  );
}

/** The tender and its (first) lot: the fields a new tender and an urgent procedure share. */
export function tenderFieldsets(
  values: Form,
  errors: FieldErrors,
  procedures: { code: string; description: string }[],
): Html {
  return html`<fieldset class="mb-4">
      <legend class="h4">La gara</legend>
      ${textField('oggetto', 'Oggetto della gara', values, errors, { maxlength: 1024 })}
      ${procedureField(procedures, values, errors)}
      ${selectField(
        'settore',
        'Settore',
        [
          { value: 'ordinary', label: 'Settori ordinari' },
          { value: 'special', label: 'Settori speciali' },
        ],
        values,
        errors,
      )}
      ${contractObjectField(values, errors)}
    </fieldset>
    <fieldset class="mb-4">
      <legend class="h4">Il lotto</legend>
      ${textField('lotto_oggetto', 'Oggetto del lotto', values, errors, { maxlength: 1024 })}
      ${textField('importo', 'Importo a base di gara (euro)', values, errors, {
        hint: 'Per esempio 150000,00',
        inputmode: 'decimal',
      })}
      ${textField('cpv', 'Codice CPV principale', values, errors, {
        hint: 'Otto cifre, per esempio 45233140',
        inputmode: 'numeric',
      })}
      ${textField('luogo', 'Codice ISTAT del luogo di esecuzione', values, errors, {
        hint: 'Nove cifre, per esempio 016072006 (Bari)',
        inputmode: 'numeric',
      })}
    </fieldset>`;
}

/** The service input of a tender with one lot, from the form. */
export function tenderInput(form: Form) {
  return {
    object: form.oggetto ?? '',
    procedureType: form.procedura ?? '',
    sector: (form.settore ?? '') as 'ordinary',
    contractObject: (form.oggetto_contratto ?? '') as 'works',
    lots: [
      {
        object: form.lotto_oggetto ?? '',
        amount: amountFromItalian(form.importo ?? ''),
        cpv: (form.cpv ?? '').trim(),
        place: (form.luogo ?? '').trim(),
      },
    ],
  };
}

/** The form's name for a service field path (`lots[0].amount` → `importo`). */
export function formFieldOf(field: string | undefined): string {
  const map: Record<string, string> = {
    object: 'oggetto',
    procedureType: 'procedura',
    sector: 'settore',
    contractObject: 'oggetto_contratto',
    'lots[0].object': 'lotto_oggetto',
    'lots[0].amount': 'importo',
    'lots[0].cpv': 'cpv',
    'lots[0].place': 'luogo',
    'lots[0].publicationDate': 'data_pubblicazione',
    'lots[0].invitationDate': 'data_pubblicazione',
    'lots[0].bidDeadline': 'scadenza_data',
    urgencyReason: 'motivo_urgenza',
    motivation: 'motivazione',
  };
  return (field && map[field]) ?? 'oggetto';
}

/** "150.000,50" or "150000,50" or "150000.50" → "150000.50"; anything else is passed on for the service to refuse. */
export function amountFromItalian(value: string): string {
  const v = value.trim().replace(/^€\s*/, '');
  if (/^\d{1,3}(\.\d{3})+(,\d{1,2})?$/.test(v)) return v.replace(/\./g, '').replace(',', '.');
  if (/^\d+,\d{1,2}$/.test(v)) return v.replace(',', '.');
  return v;
}

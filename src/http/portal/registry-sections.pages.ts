import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { formatDateIt } from '../../domain/shared/dates.js';
import { DomainError } from '../../domain/shared/errors.js';
import type { ServiceDeps } from '../../services/context.js';
import { getSection } from '../../services/registry/get-section.js';
import { listSections } from '../../services/registry/list-sections.js';
import { updateSection } from '../../services/registry/update-section.js';
import { send, textField, type FieldErrors, type Form } from './forms.js';
import { dataTable, html, raw } from './layout.js';
import {
  entryPage,
  fieldErrorsOf,
  pecIt,
  postForm,
  registryPage,
  sectionsBase,
  signedInAdmin,
  type FieldMap,
} from './registry-forms.js';

/** The 21 regional sections (fixed by law): the administrator maintains their name, office data and AOO. */

const sectionFields: FieldMap = {
  name: ['nome', 'Indica la denominazione della sezione (al massimo 300 caratteri).'],
  city: ['sede', 'Indica la città sede della sezione (al massimo 300 caratteri).'],
  pec: ['pec', pecIt],
  aooCode: [
    'aoo',
    'Il codice AOO ha da 1 a 16 caratteri: lettere, cifre o trattino basso (per esempio AOO_092).',
  ],
  letterheadOffices: ['uffici', 'Indica al massimo 4 uffici, uno per riga, di al massimo 150 caratteri.'],
  website: ['sito', 'Indica l’indirizzo di un sito, per esempio www.regione.puglia.it.'],
};

export const registrySectionPages: FastifyPluginAsync<{ deps: ServiceDeps }> = async (app, { deps }) => {
  // --- regional sections ---------------------------------------------------------------------------

  app.get(sectionsBase, async (request, reply) => {
    if (!signedInAdmin(request, reply)) return reply;
    const sections = await listSections(deps);
    return send(
      reply,
      registryPage(request, {
        title: 'Sezioni regionali',
        crumbs: [{ label: 'Sezioni regionali' }],
        body: html`<h1>Sezioni regionali</h1>
          <p>${sections.length} sezioni. Scegli una sezione per modificarne i dati.</p>
          ${dataTable(
            "Sezioni regionali dell'Osservatorio",
            ['Codice', 'Sezione', 'Regione', 'Sede', 'PEC', 'Codice AOO'],
            sections.map(
              (s) =>
                html`<tr>
                  <td><a href="${sectionsBase}/${s.code}">${s.code}</a></td>
                  <td>${s.name}</td>
                  <td>${s.regionName}</td>
                  <td>${s.city}</td>
                  <td>${s.pec}</td>
                  <td>${s.aooCode}</td>
                </tr>`,
            ),
          )}`,
      }),
    );
  });

  const sectionPage = async (
    request: FastifyRequest,
    code: string,
    values: Form | undefined,
    errors: FieldErrors,
    outcome?: string,
  ) => {
    const section = await getSection(deps, code);
    const shown = values ?? {
      nome: section.name,
      sede: section.city,
      pec: section.pec,
      aoo: section.aooCode,
      uffici: section.letterheadOffices.join('\n'),
      sito: section.website ?? '',
    };
    return entryPage(request, {
      name: section.name,
      crumbs: [{ label: 'Sezioni regionali', href: sectionsBase }, { label: section.code }],
      updatedAt: section.updatedAt,
      invalid: errors.size > 0,
      outcome,
      messages: { modificata: 'Dati della sezione aggiornati.' },
      rows: [
        ['Codice', section.code],
        ['Regione', `${section.regionName} (ISTAT ${section.regionIstat})`],
        ['Ultima modifica', formatDateIt(section.updatedAt)],
      ],
      more: html`<h2 class="h4">Modifica i dati</h2>
        ${postForm(request, {
          errors,
          action: `${sectionsBase}/${section.code}`,
          fields: html`${textField('nome', 'Denominazione', shown, errors, { maxlength: 300 })}
            ${textField('sede', 'Sede (città)', shown, errors, { maxlength: 300 })}
            ${textField('pec', 'PEC', shown, errors, { maxlength: 254, inputmode: 'email' })}
            ${textField('aoo', 'Codice AOO del protocollo', shown, errors, {
              maxlength: 16,
              hint: 'Lettere, cifre o trattino basso, per esempio AOO_092.',
            })}
            <div class="form-group mb-4">
              <label for="uffici" class="form-label-static"
                >Uffici nell’intestazione delle lettere (facoltativo)</label
              >
              <textarea
                id="uffici"
                name="uffici"
                rows="3"
                class="form-control${errors.has('uffici') ? ' is-invalid' : ''}"
                aria-describedby="uffici-aiuto${errors.has('uffici') ? ' uffici-errore' : ''}"
                ${errors.has('uffici') ? raw(' aria-invalid="true"') : ''}
              >
${shown.uffici ?? ''}</textarea>
              <small id="uffici-aiuto" class="form-text">
                Uno per riga, sotto il nome della regione: per esempio SEGRETERIA GENERALE DELLA PRESIDENZA.
              </small>
              ${errors.has('uffici') ? html`<div id="uffici-errore" class="invalid-feedback d-block">${errors.get('uffici')}</div>` : ''}
            </div>
            ${textField('sito', 'Sito web in calce alle lettere', shown, errors, {
              maxlength: 200,
              optional: true,
              hint: 'Per esempio www.regione.puglia.it.',
            })}`,
          submit: 'Salva le modifiche',
        })}`,
    });
  };

  const sectionCode = (code: string) => {
    if (!/^[A-Z]{2,3}$/.test(code)) throw new DomainError('not_found', 'no such regional section');
    return code;
  };

  app.get<{ Params: { code: string }; Querystring: { esito?: string } }>(
    `${sectionsBase}/:code`,
    async (request, reply) => {
      if (!signedInAdmin(request, reply)) return reply;
      const code = sectionCode(request.params.code);
      return send(reply, await sectionPage(request, code, undefined, new Map(), request.query.esito));
    },
  );

  app.post<{ Params: { code: string } }>(`${sectionsBase}/:code`, async (request, reply) => {
    const actor = signedInAdmin(request, reply);
    if (!actor) return reply;
    const code = sectionCode(request.params.code);
    const form = request.body as Form;
    try {
      await updateSection(
        deps,
        code,
        {
          name: form.nome ?? '',
          city: form.sede ?? '',
          pec: form.pec ?? '',
          aooCode: (form.aoo ?? '').trim(),
          letterheadOffices: (form.uffici ?? '')
            .split(/\r?\n/)
            .map((line) => line.trim())
            .filter((line) => line !== ''),
          website: (form.sito ?? '').trim() === '' ? null : (form.sito ?? '').trim(),
        },
        actor,
      );
      return reply.redirect(`${sectionsBase}/${code}?esito=modificata`, 303);
    } catch (error) {
      const errors = fieldErrorsOf(error, sectionFields);
      return send(reply, await sectionPage(request, code, form, errors), 422);
    }
  });
};

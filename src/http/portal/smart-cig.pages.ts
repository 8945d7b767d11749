import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { formatDateIt } from '../../domain/shared/dates.js';
import { DomainError } from '../../domain/shared/errors.js';
import { formatAmountIt } from '../../domain/shared/money.js';
import { smartCigContractTypes } from '../../domain/tenders/tender-rules.js';
import type { ServiceDeps } from '../../services/context.js';
import { listProcedureTypes } from '../../services/reference/list-procedure-types.js';
import { listSmartCigs } from '../../services/tenders/list-smart-cigs.js';
import { requestSmartCig } from '../../services/tenders/request-smart-cig.js';
import {
  amountFromItalian,
  contractObjectField,
  errorSummary,
  procedureField,
  selectField,
  send,
  signedIn,
  textField,
  type FieldErrors,
  type Form,
} from './forms.js';
import { dataTable, html, page } from './layout.js';

const base = '/area-personale/smartcig';

const smartCigFieldsIt: Record<string, [string, string]> = {
  contractType: ['fattispecie', 'Scegli la fattispecie contrattuale.'],
  contractObject: ['oggetto_contratto', "Scegli l'oggetto del contratto: lavori, servizi o forniture."],
  procedureType: ['procedura', 'Scegli la procedura di scelta del contraente.'],
  object: ['oggetto', "Indica l'oggetto del contratto (al massimo 1.024 caratteri)."],
  amount: ['importo', "L'importo deve essere in euro con al massimo due decimali, per esempio 12500,00."],
  cup: ['cup', 'Il CUP ha 15 caratteri, lettere e cifre.'],
};

/** A RUP requests a SmartCIG (contracts under 40,000 EUR): issued at once. */
export const smartCigPages: FastifyPluginAsync<{ deps: ServiceDeps }> = async (app, { deps }) => {
  const render = async (request: FastifyRequest, values: Form, errors: FieldErrors, issued?: string) => {
    const actor = request.portal.actor!;
    const procedures = (await listProcedureTypes(deps)).filter((p) => p.validTo === null);
    const own = await listSmartCigs(deps, { limit: 20, offset: 0 }, actor);
    return page({
      ...request.portal,
      title: `${errors.size ? 'Errori nel modulo: ' : ''}SmartCIG`,
      current: '/area-personale',
      breadcrumbs: [
        { label: 'Home', href: '/' },
        { label: 'Area personale', href: '/area-personale' },
        { label: 'SmartCIG' },
      ],
      body: html`${
          issued
            ? html`<div class="alert alert-success" role="status">
                SmartCIG rilasciato: <span class="cig-code">${issued}</span>
              </div>`
            : ''
        }
        <h1>SmartCIG</h1>
        <p>
          Per i contratti di importo inferiore a 40.000 euro: il codice è rilasciato subito e non va
          perfezionato.
        </p>
        ${errorSummary(errors)}
        <form method="post" action="${base}" novalidate class="mb-5">
          <input type="hidden" name="csrf" value="${request.portal.csrf ?? ''}" />
          ${selectField(
            'fattispecie',
            'Fattispecie contrattuale',
            Object.entries(smartCigContractTypes).map(([value, label]) => ({ value, label })),
            values,
            errors,
          )}
          ${contractObjectField(values, errors)} ${procedureField(procedures, values, errors)}
          ${textField('oggetto', 'Oggetto', values, errors, { maxlength: 1024 })}
          ${textField('importo', 'Importo (euro)', values, errors, {
            hint: 'Inferiore a 40.000,00',
            inputmode: 'decimal',
          })}
          ${textField('cup', 'CUP (facoltativo)', values, errors, { maxlength: 15 })}
          <button type="submit" class="btn btn-primary">Richiedi lo SmartCIG</button>
        </form>
        <h2 class="h4">SmartCIG della stazione appaltante</h2>
        ${
          own.items.length === 0
            ? html`<p>Nessuno SmartCIG.</p>`
            : dataTable(
                `SmartCIG, dal più recente`,
                ['Codice', 'Oggetto', 'Importo', 'Rilasciato il'],
                own.items.map(
                  (c) =>
                    html`<tr>
                      <td class="cig-code">${c.cig}</td>
                      <td>${c.object}</td>
                      <td>€ ${formatAmountIt(c.amountCents)}</td>
                      <td>${formatDateIt(c.createdAt)}</td>
                    </tr>`,
                ),
              )
        }`.value,
    });
  };

  app.get(base, async (request, reply) => {
    const actor = signedIn(request, reply);
    if (!actor) return reply;
    if (actor.role !== 'rup') throw new DomainError('forbidden', 'only a RUP requests SmartCIGs');
    return send(reply, await render(request, {}, new Map()));
  });

  app.post(base, async (request, reply) => {
    const actor = signedIn(request, reply);
    if (!actor) return reply;
    const form = request.body as Form;
    try {
      const issued = await requestSmartCig(
        deps,
        {
          contractType: form.fattispecie ?? '',
          contractObject: (form.oggetto_contratto ?? '') as 'works',
          procedureType: form.procedura ?? '',
          object: form.oggetto ?? '',
          amount: amountFromItalian(form.importo ?? ''),
          cup: form.cup,
        },
        actor,
      );
      return send(reply, await render(request, {}, new Map(), issued.cig), 201);
    } catch (error) {
      if (!(error instanceof DomainError) || !['validation_failed', 'rule_violation'].includes(error.code))
        throw error;
      const entry: [string, string] =
        error.reason === 'smart_cig_amount_limit'
          ? [
              'importo',
              'Lo SmartCIG è solo per importi inferiori a 40.000,00 euro: per questo contratto acquisisci un CIG con una nuova gara.',
            ]
          : (smartCigFieldsIt[error.field ?? ''] ?? ['oggetto', 'Valore non valido.']);
      return send(reply, await render(request, form, new Map([entry])), 422);
    }
  });
};

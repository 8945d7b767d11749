import type { FastifyPluginAsync } from 'fastify';
import { cigFamilyLabels, validateCig } from '../../domain/cig/cig.js';
import { DomainError } from '../../domain/shared/errors.js';
import { formatDateIt } from '../../domain/shared/dates.js';
import { formatAmountIt } from '../../domain/shared/money.js';
import { lookupCig } from '../../services/cig/lookup-cig.js';
import { getProvisional } from '../../services/continuity/get-provisional.js';
import type { ProvisionalProcedure } from '../../services/continuity/ports.js';
import type { ServiceDeps } from '../../services/context.js';
import { lotBidderContribution } from '../../services/payments/contributions.js';
import type { Lot } from '../../services/ports.js';
import { send } from './forms.js';
import { lotStateLabels } from './labels.js';
import { html, page, type Html } from './layout.js';

/**
 * The public CIG check: a CIG or SmartCIG (its family, whether it is valid and, when issued here, its
 * tender) or the provisional reference of a procedure registered during an outage.
 */
export const cigCheckPages: FastifyPluginAsync<{ deps: ServiceDeps }> = async (app, { deps }) => {
  const provisionalResult = async (reference: string): Promise<Html> => {
    try {
      return provisionalResultOf(await getProvisional(deps, reference));
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'not_found') throw error;
      return html`<div class="alert alert-danger mt-4" role="alert">
        <h2 class="h5">Il riferimento provvisorio ${reference} non esiste</h2>
        <p class="mb-0">Controlla di averlo copiato per intero dagli atti di gara.</p>
      </div>`;
    }
  };

  // A public read: from the replicas when there are some (deps is then the read deps).
  const replicaRead = { config: { replicaRead: true } };
  app.get<{ Querystring: { codice?: string } }>('/cig', replicaRead, async (request, reply) => {
    const code = (request.query.codice ?? '').trim();
    let result: Html = html``;
    if (PROVISIONAL_REFERENCE.test(code)) {
      result = await provisionalResult(code.toUpperCase());
    } else if (code !== '') {
      const validation = validateCig(code);
      if (!validation.valid) {
        result = html`<div class="alert alert-danger mt-4" role="alert">
          <h2 class="h5">Il codice ${validation.code} non è un CIG valido</h2>
          <p class="mb-0">${cigInvalidIt[validation.reason]}</p>
        </div>`;
      } else {
        const family = cigFamilyLabels[validation.family];
        try {
          const found = await lookupCig(deps, validation.code);
          const marked = found.issuedDuringIncidents.length
            ? html`<p class="mb-0">
                Acquisito durante un disservizio (${found.issuedDuringIncidents.join(', ')}): il codice resta
                valido.
              </p>`
            : '';
          result =
            found.kind === 'lot'
              ? html`<div class="alert alert-success mt-4" role="status">
                  <h2 class="h5">
                    CIG <span class="cig-code">${found.lot.cig}</span>: ${lotStateLabels[found.lot.state]}
                  </h2>
                  <dl class="row mb-0">
                    <dt class="col-sm-4">Tipo</dt>
                    <dd class="col-sm-8">${family}</dd>
                    <dt class="col-sm-4">Oggetto</dt>
                    <dd class="col-sm-8">${found.lot.object}</dd>
                    <dt class="col-sm-4">Stazione appaltante</dt>
                    <dd class="col-sm-8">${found.lot.contractingAuthorityName}</dd>
                    <dt class="col-sm-4">Gara n.</dt>
                    <dd class="col-sm-8">${found.lot.tenderNumber}, lotto ${found.lot.lotNumber}</dd>
                    <dt class="col-sm-4">Importo</dt>
                    <dd class="col-sm-8">€ ${formatAmountIt(found.lot.amountCents)}</dd>
                    <dt class="col-sm-4">Acquisito il</dt>
                    <dd class="col-sm-8">${formatDateIt(found.lot.acquiredAt)}</dd>
                    <dt class="col-sm-4">Contributo di ciascun partecipante</dt>
                    <dd class="col-sm-8">${bidderFeeIt(found.lot)}</dd>
                    <dt class="col-sm-4">Contributo della stazione appaltante (per la gara)</dt>
                    <dd class="col-sm-8">
                      ${
                        found.authorityContribution.exempt
                          ? 'non dovuto'
                          : `€ ${formatAmountIt(found.authorityContribution.amountCents)}`
                      }
                      (su € ${formatAmountIt(found.authorityContribution.onAmountCents)})
                    </dd>
                  </dl>
                  ${marked}
                </div>`
              : html`<div class="alert alert-success mt-4" role="status">
                  <h2 class="h5">SmartCIG <span class="cig-code">${found.smartCig.cig}</span></h2>
                  <dl class="row mb-0">
                    <dt class="col-sm-4">Oggetto</dt>
                    <dd class="col-sm-8">${found.smartCig.object}</dd>
                    <dt class="col-sm-4">Importo</dt>
                    <dd class="col-sm-8">€ ${formatAmountIt(found.smartCig.amountCents)}</dd>
                  </dl>
                  ${marked}
                </div>`;
        } catch (error) {
          if (!(error instanceof DomainError) || error.code !== 'not_found') throw error;
          result = html`<div class="alert alert-warning mt-4" role="status">
            <h2 class="h5">Codice formalmente valido (${family}), non presente in questo registro</h2>
            <p class="mb-0">
              I caratteri di controllo sono corretti, ma il codice non è stato rilasciato da questo servizio.
            </p>
          </div>`;
        }
      }
    }
    return send(
      reply,
      page({
        ...request.portal,
        title: code ? `Verifica CIG ${code}` : 'Verifica un CIG',
        current: '/cig',
        updatedAt: new Date(),
        breadcrumbs: [{ label: 'Home', href: '/' }, { label: 'Verifica CIG' }],
        body: html`<h1>Verifica un CIG</h1>
          <p>
            Controlla un CIG o uno SmartCIG (il tipo di codice, se è valido e, se rilasciato qui, a quale gara
            si riferisce) o il riferimento provvisorio di una procedura registrata durante un disservizio.
          </p>
          ${cigForm(code)}${result}`.value,
      }),
    );
  });
};

const PROVISIONAL_REFERENCE = /^PROV-\d{4}-\d{6}$/i;

/** What anyone may know of a provisional reference ("CIG in fase di acquisizione") and, later, its CIGs. */
function provisionalResultOf(p: ProvisionalProcedure): Html {
  const regularised = p.state === 'regularised';
  return html`<div class="alert ${regularised ? 'alert-success' : 'alert-info'} mt-4" role="status">
    <h2 class="h5">
      Riferimento provvisorio <span class="cig-code">${p.reference}</span>:
      ${regularised ? 'procedura regolarizzata' : 'CIG in fase di acquisizione'}
    </h2>
    <p>
      ${
        regularised
          ? html`La procedura, registrata durante il disservizio ${p.incidentCode}, ha ricevuto i CIG il
            ${formatDateIt(p.regularisedAt ?? p.registeredAt)}: negli atti vale il CIG del lotto.`
          : html`Il riferimento è valido: la procedura è stata registrata il ${formatDateIt(p.registeredAt)}
            durante il disservizio ${p.incidentCode}; i CIG saranno acquisiti entro il
            ${formatDateIt(p.regularisationDeadline)}. Non è un CIG.`
      }
    </p>
    <dl class="row mb-0">
      <dt class="col-sm-4">Oggetto</dt>
      <dd class="col-sm-8">${p.object}</dd>
      <dt class="col-sm-4">Stazione appaltante</dt>
      <dd class="col-sm-8">${p.contractingAuthorityName}</dd>
      ${p.lots.map(
        (l) =>
          html`<dt class="col-sm-4">Lotto ${l.lotNumber}</dt>
            <dd class="col-sm-8">
              ${l.object}, € ${formatAmountIt(l.amountCents)}:
              ${l.cig ? html`CIG <span class="cig-code">${l.cig}</span>` : 'CIG in fase di acquisizione'}
            </dd>`,
      )}
    </dl>
  </div>`;
}

/** A real, valid PCP code (domain.md's worked example), shown as the example on the CIG check. */
export const EXAMPLE_CIG = 'A000023DB1';

export function cigForm(code: string): Html {
  return html`<form method="get" action="/cig" class="mt-3" role="search">
    <div class="form-group">
      <label for="codice" class="form-label-static">CIG, SmartCIG o riferimento provvisorio</label>
      <input
        type="text"
        class="form-control"
        id="codice"
        name="codice"
        value="${code}"
        maxlength="20"
        autocomplete="off"
        spellcheck="false"
        aria-describedby="codice-aiuto"
      />
      <small id="codice-aiuto" class="form-text"
        >Dieci caratteri, per esempio ${EXAMPLE_CIG}; o un riferimento provvisorio come
        PROV-2021-000123.</small
      >
    </div>
    <button type="submit" class="btn btn-primary">Verifica</button>
  </form>`;
}

function bidderFeeIt(lot: Lot): string {
  const fee = lotBidderContribution(lot, lot.tenderCreatedAt);
  return fee.exempt ? 'non dovuto' : `€ ${formatAmountIt(fee.amountCents)}`;
}

const cigInvalidIt: Record<string, string> = {
  empty: 'Il codice è vuoto.',
  wrong_length: 'Un CIG ha 10 caratteri.',
  invalid_characters:
    'Il codice contiene caratteri non ammessi (solo cifre e lettere A-F, o le lettere iniziali previste).',
  unknown_family: 'Il primo carattere non corrisponde a nessun tipo di CIG.',
  zero_progressive: 'Il progressivo del codice non può essere zero.',
  check_mismatch:
    'I caratteri di controllo non corrispondono: probabilmente il codice è stato trascritto male.',
};

import type { FastifyRequest } from 'fastify';
import { formatDateIt, romeLocalDateTime } from '../../domain/shared/dates.js';
import { formatAmountIt } from '../../domain/shared/money.js';
import {
  startDateFieldOf,
  lotCancellationReasons,
  automaticCancellationLabel,
} from '../../domain/tenders/tender-rules.js';
import type { ServiceDeps } from '../../services/context.js';
import type { Lot } from '../../services/ports.js';
import { lotContributions, type ContributionStatus } from '../../services/payments/verify-contribution.js';
import { checkFiscalCode } from '../../domain/registry/fiscal-code.js';
import { lotReserves } from '../../services/continuity/lot-reserves.js';
import type { Reserve } from '../../services/continuity/ports.js';
import { errorSummary, selectField, textField, type FieldErrors, type Form } from './forms.js';
import { lotStateLabels } from './labels.js';
import { dataTable, html, page } from './layout.js';

/**
 * The page of a lot: its CIG and state, the perfezionamento and cancellation forms of its RUP, the
 * bidders' contributions and the reserves admitted during an outage. Returns the renderer the lot pages use.
 */
export function lotView(deps: ServiceDeps) {
  const render = async (
    request: FastifyRequest,
    lot: Lot,
    forms: {
      perfection?: [Form, FieldErrors];
      cancellation?: [Form, FieldErrors];
      reserve?: [Form, FieldErrors];
    } = {},
    notice?: string,
  ) => {
    const reserves = request.portal.actor ? await lotReserves(deps, lot.cig, request.portal.actor) : [];
    const asked = ((request.query as { cf?: string }).cf ?? '').trim().toUpperCase();
    const askedValid = asked === '' || checkFiscalCode(asked).valid;
    const contributions =
      request.portal.actor && request.portal.actor.role !== 'economic_operator'
        ? (
            await lotContributions(
              deps,
              { cig: lot.cig, fiscalCodes: asked && askedValid ? [asked] : undefined },
              request.portal.actor,
            )
          ).items
        : undefined;
    const [rValues, rErrors] = forms.reserve ?? [{}, new Map()];
    const actor = request.portal.actor;
    const editable = actor?.role === 'rup' && lot.state === 'issued' && lot.tenderState === 'active';
    const invitation = startDateFieldOf(lot.procedureTypeCode) === 'invitationDate';
    const [pValues, pErrors] = forms.perfection ?? [{}, new Map()];
    const [cValues, cErrors] = forms.cancellation ?? [{}, new Map()];
    const csrf = request.portal.csrf ?? '';
    const cancelReason =
      lot.cancelReason === null
        ? ''
        : lot.cancelReason === 0
          ? automaticCancellationLabel
          : (lotCancellationReasons[lot.cancelReason] ?? String(lot.cancelReason));
    return page({
      ...request.portal,
      title: `${pErrors.size || cErrors.size || rErrors.size ? 'Errori nel modulo: ' : ''}Lotto ${lot.cig}`,
      current: '/area-personale',
      breadcrumbs: [
        { label: 'Home', href: '/' },
        { label: 'Gare', href: '/area-personale/gare' },
        { label: `Gara ${lot.tenderNumber}`, href: `/area-personale/gare/${lot.tenderNumber}` },
        { label: `Lotto ${lot.lotNumber}` },
      ],
      body: html`${notice ? html`<div class="alert alert-success" role="status">${notice}</div>` : ''}
        <h1>Lotto ${lot.lotNumber} — CIG <span class="cig-code">${lot.cig}</span></h1>
        <dl class="row">
          <dt class="col-sm-4">Oggetto</dt>
          <dd class="col-sm-8">${lot.object}</dd>
          <dt class="col-sm-4">Importo</dt>
          <dd class="col-sm-8">€ ${formatAmountIt(lot.amountCents)}</dd>
          <dt class="col-sm-4">Stato</dt>
          <dd class="col-sm-8">${lotStateLabels[lot.state]}</dd>
          <dt class="col-sm-4">Acquisito il</dt>
          <dd class="col-sm-8">${formatDateIt(lot.acquiredAt)}</dd>
          ${
            lot.state === 'issued'
              ? html`<dt class="col-sm-4">Da perfezionare entro il</dt>
                  <dd class="col-sm-8">${formatDateIt(lot.perfectionDeadline)}</dd>`
              : ''
          }
          ${
            lot.publicationDate
              ? html`<dt class="col-sm-4">Data di pubblicazione</dt>
                  <dd class="col-sm-8">${formatDateIt(lot.publicationDate)}</dd>`
              : ''
          }
          ${
            lot.invitationDate
              ? html`<dt class="col-sm-4">Data della lettera di invito</dt>
                  <dd class="col-sm-8">${formatDateIt(lot.invitationDate)}</dd>`
              : ''
          }
          ${
            lot.bidDeadline
              ? html`<dt class="col-sm-4">Scadenza delle offerte</dt>
                  <dd class="col-sm-8">
                    ${formatDateIt(lot.bidDeadline)} ore ${romeLocalDateTime(lot.bidDeadline).slice(11, 16)}
                  </dd>`
              : ''
          }
          ${
            lot.cancelledAt
              ? html`<dt class="col-sm-4">Cancellato il</dt>
                  <dd class="col-sm-8">
                    ${formatDateIt(lot.cancelledAt)} —
                    ${cancelReason}${lot.cancelNote ? html`: ${lot.cancelNote}` : ''}
                  </dd>`
              : ''
          }
        </dl>
        ${
          editable
            ? html`<div class="row g-5 mt-2">
                <section class="col-12 col-lg-6" aria-labelledby="perfeziona">
                  <h2 class="h4" id="perfeziona">Perfeziona il CIG</h2>
                  <p>
                    Indica la data di
                    ${invitation ? 'invio della lettera di invito' : 'pubblicazione del bando'} e la scadenza
                    per la presentazione delle offerte.
                  </p>
                  ${errorSummary(pErrors)}
                  <form method="post" action="/area-personale/lotti/${lot.cig}/perfezionamento" novalidate>
                    <input type="hidden" name="csrf" value="${csrf}" />
                    ${textField(
                      'data_pubblicazione',
                      invitation ? 'Data della lettera di invito' : 'Data di pubblicazione',
                      pValues,
                      pErrors,
                      { type: 'date' },
                    )}
                    ${textField('scadenza_data', 'Scadenza delle offerte: giorno', pValues, pErrors, { type: 'date' })}
                    ${textField('scadenza_ora', 'Scadenza delle offerte: ora', pValues, pErrors, {
                      type: 'time',
                      hint: 'Ora italiana, per esempio 12:00',
                    })}
                    <button type="submit" class="btn btn-primary">Perfeziona</button>
                  </form>
                </section>
                <section class="col-12 col-lg-6" aria-labelledby="cancella">
                  <h2 class="h4" id="cancella">Cancella il CIG</h2>
                  <p>Possibile solo prima del perfezionamento. Il codice resta visibile come cancellato.</p>
                  ${errorSummary(cErrors)}
                  <form method="post" action="/area-personale/lotti/${lot.cig}/cancellazione" novalidate>
                    <input type="hidden" name="csrf" value="${csrf}" />
                    ${selectField(
                      'motivo',
                      'Motivo della cancellazione',
                      Object.entries(lotCancellationReasons).map(([value, label]) => ({ value, label })),
                      cValues,
                      cErrors,
                    )}
                    ${textField('nota', 'Nota (obbligatoria con il motivo «Altro»)', cValues, cErrors, {
                      maxlength: 2000,
                    })}
                    <button type="submit" class="btn btn-outline-danger">Cancella il CIG</button>
                  </form>
                </section>
              </div>`
            : ''
        }
        ${contributions ? contributionsSection(lot, contributions, asked, askedValid) : ''}
        ${reservesSection(request, lot, reserves, rValues, rErrors)}`.value,
    });
  };

  const contributionsSection = (
    lot: Lot,
    items: ContributionStatus[],
    asked: string,
    askedValid: boolean,
  ) => {
    const errors: FieldErrors = askedValid
      ? new Map()
      : new Map([
          ['cf', 'Il codice fiscale non è valido (11 cifre o 16 caratteri, con il carattere di controllo).'],
        ]);
    return html`<section aria-labelledby="contributi" class="mt-5">
      <h2 class="h4" id="contributi">Contributi dei partecipanti</h2>
      ${
        items.length === 0
          ? html`<p>Nessun operatore ha ancora chiesto di pagare il contributo per questo CIG.</p>`
          : dataTable(
              `Contributi per il CIG ${lot.cig}`,
              ['Codice fiscale', 'Esito', 'Importo', 'Ricevuta'],
              items.map(
                (c) =>
                  html`<tr>
                    <td>${c.fiscalCode}</td>
                    <td data-contribution="${c.fiscalCode}">
                      ${c.status === 'paid' ? 'Pagato' : c.status === 'not_due' ? 'Non dovuto' : 'Non pagato'}
                    </td>
                    <td>€ ${formatAmountIt(c.amountCents)}</td>
                    <td>
                      ${c.status === 'paid' ? html`${c.receipt.receiptId}, ${formatDateIt(c.receipt.paymentDateTime ?? c.receipt.receivedAt)}` : '—'}
                    </td>
                  </tr>`,
              ),
            )
      }
      <form method="get" action="/area-personale/lotti/${lot.cig}#contributi" class="mt-3" novalidate>
        ${textField('cf', 'Verifica un operatore: codice fiscale o partita IVA', { cf: asked }, errors, { maxlength: 16 })}
        <button type="submit" class="btn btn-outline-primary">Verifica il pagamento</button>
      </form>
    </section>`;
  };

  const reservesSection = (
    request: FastifyRequest,
    lot: Lot,
    reserves: Reserve[],
    values: Form,
    errors: FieldErrors,
  ) =>
    html`<section aria-labelledby="riserve" class="mt-5">
      <h2 class="h4" id="riserve">Operatori ammessi con riserva</h2>
      <p>
        Se durante un disservizio dei pagamenti un operatore non ha potuto versare il contributo, registralo
        qui: la riserva si scioglie da sola quando arriva la sua ricevuta pagoPA.
      </p>
      ${
        reserves.length === 0
          ? html`<p>Nessuna riserva.</p>`
          : dataTable(
              `Riserve del lotto ${lot.cig}`,
              ['Operatore', 'Codice fiscale', 'Stato', 'Scadenza'],
              reserves.map(
                (r) =>
                  html`<tr>
                    <td>${r.bidderName}</td>
                    <td>${r.fiscalCode}</td>
                    <td data-reserve="${r.fiscalCode}">${reserveStateLabels[r.state]}</td>
                    <td>${formatDateIt(r.deadline)}</td>
                  </tr>`,
              ),
            )
      }
      ${
        request.portal.actor?.role === 'rup' && lot.state !== 'cancelled'
          ? html`${errorSummary(errors)}
              <form method="post" action="/area-personale/lotti/${lot.cig}/riserve" novalidate>
                <input type="hidden" name="csrf" value="${request.portal.csrf ?? ''}" />
                ${textField('operatore', "Denominazione dell'operatore", values, errors, { maxlength: 300 })}
                ${textField('codice_fiscale', 'Codice fiscale o partita IVA', values, errors, { maxlength: 16 })}
                <button type="submit" class="btn btn-outline-primary">Ammetti con riserva</button>
              </form>`
          : ''
      }
    </section>`;

  return render;
}

const reserveStateLabels: Record<Reserve['state'], string> = {
  open: 'In riserva',
  lifted: 'Sciolta (contributo pagato)',
  expired: 'Scaduta',
};

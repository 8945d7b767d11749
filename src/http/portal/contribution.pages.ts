import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { validateCig } from '../../domain/cig/cig.js';
import { formatDateIt } from '../../domain/shared/dates.js';
import { DomainError } from '../../domain/shared/errors.js';
import { formatAmountIt } from '../../domain/shared/money.js';
import type { ServiceDeps } from '../../services/context.js';
import { openBidderPosition } from '../../services/payments/open-bidder-position.js';
import type { PaymentPosition } from '../../services/payments/ports.js';
import { getPosition } from '../../services/payments/get-position.js';
import { listOwnPositions } from '../../services/payments/list-own-positions.js';
import { noticePdf } from '../../services/payments/render-notice-pdf.js';
import { payInSandbox } from '../../services/payments/pay-in-sandbox.js';
import { positionReceipt } from '../../services/payments/get-position-receipt.js';
import { receiptPdf } from '../../services/payments/render-receipt-pdf.js';
import { errorSummary, send, signedIn, textField, type FieldErrors, type Form } from './forms.js';
import { dataTable, html, page } from './layout.js';

const positionStateLabels: Record<PaymentPosition['state'], string> = {
  open: 'Da pagare',
  paid: 'Pagato',
  cancelled: 'Annullato',
};

/**
 * The bidder's contributions: ask to pay for a CIG (a pagoPA notice), download the notice, pay it in
 * the sandbox (embedded default), download the receipt.
 */
export const contributionPages: FastifyPluginAsync<{ deps: ServiceDeps }> = async (app, { deps }) => {
  const base = '/area-personale/contributi';

  const listPage = async (request: FastifyRequest, values: Form, errors: FieldErrors) => {
    const actor = request.portal.actor!;
    const positions = await listOwnPositions(deps, { limit: 50, offset: 0 }, actor);
    return page({
      ...request.portal,
      title: `${errors.size ? 'Errori nel modulo: ' : ''}Contributi`,
      current: '/area-personale',
      breadcrumbs: [
        { label: 'Home', href: '/' },
        { label: 'Area personale', href: '/area-personale' },
        { label: 'Contributi' },
      ],
      body: html`<h1>Contributi per la partecipazione alle gare</h1>
        <section aria-labelledby="nuovo" class="mb-5">
          <h2 class="h4" id="nuovo">Paga il contributo per un CIG</h2>
          <p>
            Il sistema calcola quanto è dovuto e prepara l'avviso di pagamento pagoPA, con scadenza alla data
            di presentazione delle offerte.
          </p>
          ${errorSummary(errors)}
          <form method="post" action="${base}" novalidate>
            <input type="hidden" name="csrf" value="${request.portal.csrf ?? ''}" />
            ${textField('cig', 'CIG del lotto', values, errors, { maxlength: 10, hint: 'Dieci caratteri' })}
            <button type="submit" class="btn btn-primary">Prepara l'avviso di pagamento</button>
          </form>
        </section>
        <h2 class="h4">I tuoi avvisi</h2>
        ${
          positions.items.length === 0
            ? html`<p>Nessun avviso di pagamento.</p>`
            : dataTable(
                `Avvisi di pagamento`,
                ['Codice avviso', 'CIG', 'Importo', 'Scadenza', 'Stato'],
                positions.items.map(
                  (p) =>
                    html`<tr>
                      <td><a href="${base}/${p.noticeNumber}">${groupedNotice(p.noticeNumber)}</a></td>
                      <td class="cig-code">${p.cig ?? '—'}</td>
                      <td>€ ${formatAmountIt(p.amountCents)}</td>
                      <td>${formatDateIt(p.dueDate)}</td>
                      <td>${positionStateLabels[p.state]}</td>
                    </tr>`,
                ),
              )
        }`.value,
    });
  };

  app.get(base, async (request, reply) => {
    const actor = signedIn(request, reply);
    if (!actor) return reply;
    if (actor.role !== 'economic_operator') throw new DomainError('forbidden', 'bidders only');
    return send(reply, await listPage(request, {}, new Map()));
  });

  app.post(base, async (request, reply) => {
    const actor = signedIn(request, reply);
    if (!actor) return reply;
    const form = request.body as Form;
    const cig = (form.cig ?? '').trim().toUpperCase();
    const refuse = (message: string) =>
      listPage(request, form, new Map([['cig', message]])).then((body) => send(reply, body, 422));
    if (!validateCig(cig).valid) return refuse('Il CIG non è valido: controlla i dieci caratteri.');
    try {
      const { position } = await openBidderPosition(deps, { cig }, actor);
      return reply.redirect(`${base}/${position.noticeNumber}`, 303);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      if (error.code === 'not_found') return refuse('Nessun lotto con questo CIG.');
      if (
        error.code === 'invalid_state' ||
        error.code === 'rule_violation' ||
        error.code === 'validation_failed'
      ) {
        return refuse(
          refusalsIt[error.reason ?? ''] ?? 'Per questo lotto non è possibile pagare il contributo.',
        );
      }
      throw error;
    }
  });

  app.get<{ Params: { nav: string }; Querystring: { pagato?: string } }>(
    `${base}/:nav`,
    async (request, reply) => {
      const actor = signedIn(request, reply);
      if (!actor) return reply;
      const p = await getPosition(deps, request.params.nav, actor);
      const receipt =
        p.state === 'paid' ? (await positionReceipt(deps, p.noticeNumber, actor)).receipt : undefined;
      const canPayHere =
        deps.paymentNode !== null && p.state === 'open' && actor.role === 'economic_operator';
      return send(
        reply,
        page({
          ...request.portal,
          title: `Avviso ${groupedNotice(p.noticeNumber)}`,
          current: '/area-personale',
          breadcrumbs: [
            { label: 'Home', href: '/' },
            { label: 'Contributi', href: base },
            { label: `Avviso ${groupedNotice(p.noticeNumber)}` },
          ],
          body: html`${
              request.query.pagato
                ? html`<div class="alert alert-success" role="status">
                    Pagamento ricevuto: la ricevuta è disponibile.
                  </div>`
                : ''
            }
            <h1>Avviso di pagamento</h1>
            <dl class="row">
              <dt class="col-sm-4">Codice avviso</dt>
              <dd class="col-sm-8 cig-code">${groupedNotice(p.noticeNumber)}</dd>
              <dt class="col-sm-4">Causale</dt>
              <dd class="col-sm-8">${p.subject}</dd>
              <dt class="col-sm-4">Importo</dt>
              <dd class="col-sm-8">€ ${formatAmountIt(p.amountCents)}</dd>
              <dt class="col-sm-4">Scadenza</dt>
              <dd class="col-sm-8">${formatDateIt(p.dueDate)}</dd>
              <dt class="col-sm-4">Stato</dt>
              <dd class="col-sm-8">${positionStateLabels[p.state]}</dd>
              ${
                receipt
                  ? html`<dt class="col-sm-4">Pagato il</dt>
                      <dd class="col-sm-8">
                        ${formatDateIt(receipt.paymentDateTime ?? receipt.receivedAt)} tramite
                        ${receipt.pspName}
                      </dd>`
                  : ''
              }
            </dl>
            <ul class="list-unstyled d-flex flex-wrap gap-3">
              ${
                p.state !== 'cancelled'
                  ? html`<li>
                      <a class="btn btn-outline-primary" href="${base}/${p.noticeNumber}/avviso.pdf"
                        >Scarica l'avviso (PDF)</a
                      >
                    </li>`
                  : ''
              }
              ${
                receipt
                  ? html`<li>
                      <a class="btn btn-outline-primary" href="${base}/${p.noticeNumber}/ricevuta.pdf"
                        >Scarica la ricevuta (PDF)</a
                      >
                    </li>`
                  : ''
              }
            </ul>
            ${
              canPayHere
                ? html`<section aria-labelledby="prova" class="mt-4">
                    <h2 class="h4" id="prova">Ambiente di prova</h2>
                    <p>
                      In questa installazione dimostrativa puoi simulare il pagamento presso un prestatore di
                      servizi di pagamento: il nodo pagoPA di prova chiama il servizio e invia la ricevuta.
                    </p>
                    <form method="post" action="${base}/${p.noticeNumber}/pagamento-di-prova">
                      <input type="hidden" name="csrf" value="${request.portal.csrf ?? ''}" />
                      <button type="submit" class="btn btn-primary">Paga nell'ambiente di prova</button>
                    </form>
                  </section>`
                : p.state === 'open'
                  ? html`<p>
                      Paga l'avviso presso qualsiasi prestatore aderente a pagoPA (banche, uffici postali,
                      app).
                    </p>`
                  : ''
            }`.value,
        }),
      );
    },
  );

  app.post<{ Params: { nav: string } }>(`${base}/:nav/pagamento-di-prova`, async (request, reply) => {
    const actor = signedIn(request, reply);
    if (!actor) return reply;
    await payInSandbox(deps, request.params.nav, actor);
    return reply.redirect(`${base}/${request.params.nav}?pagato=1`, 303);
  });

  app.get<{ Params: { nav: string } }>(`${base}/:nav/avviso.pdf`, async (request, reply) => {
    const actor = signedIn(request, reply);
    if (!actor) return reply;
    const pdf = await noticePdf(deps, request.params.nav, actor);
    return reply
      .type('application/pdf')
      .header('content-disposition', `attachment; filename="avviso-${request.params.nav}.pdf"`)
      .send(pdf);
  });

  app.get<{ Params: { nav: string } }>(`${base}/:nav/ricevuta.pdf`, async (request, reply) => {
    const actor = signedIn(request, reply);
    if (!actor) return reply;
    const pdf = await receiptPdf(deps, request.params.nav, actor);
    return reply
      .type('application/pdf')
      .header('content-disposition', `attachment; filename="ricevuta-${request.params.nav}.pdf"`)
      .send(pdf);
  });
};

const refusalsIt: Record<string, string> = {
  lot_cancelled: 'Il lotto è stato cancellato: non è dovuto alcun contributo.',
  lot_not_published: 'Il CIG non è ancora perfezionato: il contributo si paga dopo la pubblicazione.',
  bid_deadline_passed: 'La scadenza per la presentazione delle offerte è passata.',
  contribution_not_due:
    'Per questo lotto non è dovuto alcun contributo (importo sotto la soglia o esenzione).',
};

/** 301200000000001234 → "3012 0000 0000 0012 34", as printed on pagoPA notices. */
function groupedNotice(nav: string): string {
  return nav.replace(/(.{4})(?=.)/g, '$1 ');
}

import type { FastifyPluginAsync } from 'fastify';
import { formatDateIt } from '../../domain/shared/dates.js';
import type { ServiceDeps } from '../../services/context.js';
import { outageAffectedLots, type AffectedLot } from '../../services/continuity/outage-affected-lots.js';
import { send, signedIn } from './forms.js';
import { dataTable, html, page } from './layout.js';
import { dateTimeIt } from './labels.js';

const reasonLabels: Record<AffectedLot['reasons'][number]['kind'], string> = {
  bid_deadline_in_outage: 'La scadenza delle offerte è caduta durante il disservizio',
  payment_window_overlaps_outage: 'Il pagamento del contributo non era possibile per parte del periodo',
};

/**
 * The RUP's procedures whose bid deadline, or whose window to pay the contribution, fell inside an
 * outage: the facts to decide an extension of the deadlines (d.lgs. 36/2023, art. 25 c. 2).
 */
export const outageDeadlinePages: FastifyPluginAsync<{ deps: ServiceDeps }> = async (app, { deps }) => {
  app.get('/area-personale/scadenze-nei-disservizi', async (request, reply) => {
    const actor = signedIn(request, reply);
    if (!actor) return reply;
    const lots = await outageAffectedLots(deps, actor);
    return send(
      reply,
      page({
        ...request.portal,
        title: 'Scadenze nei disservizi',
        current: '/area-personale',
        breadcrumbs: [
          { label: 'Home', href: '/' },
          { label: 'Area personale', href: '/area-personale' },
          { label: 'Scadenze nei disservizi' },
        ],
        body: html`<h1>Procedure con scadenze durante un disservizio</h1>
          <p>
            I lotti delle tue gare la cui scadenza delle offerte, o il periodo per pagare il contributo, è
            caduto durante un disservizio registrato negli ultimi dodici mesi. Valuta la proroga dei termini
            (d.lgs. 36/2023, art. 25, comma 2).
          </p>
          ${
            lots.length === 0
              ? html`<p>Nessuna procedura interessata da un disservizio.</p>`
              : dataTable(
                  'Lotti con scadenze durante un disservizio',
                  ['CIG', 'Oggetto', 'Pubblicazione', 'Scadenza offerte', 'Disservizio'],
                  lots.map(
                    (l) =>
                      html`<tr>
                        <td>
                          <a class="cig-code" href="/area-personale/lotti/${l.cig}">${l.cig}</a>
                          <span class="d-block small">Gara ${l.tenderNumber}</span>
                        </td>
                        <td>${l.object}</td>
                        <td>${l.publicationDate ? formatDateIt(l.publicationDate) : '—'}</td>
                        <td>${dateTimeIt(l.bidDeadline)}</td>
                        <td>
                          <ul class="list-unstyled mb-0">
                            ${l.reasons.map(
                              (r) =>
                                html`<li>
                                  ${r.incident}, dal ${dateTimeIt(r.start)}
                                  ${r.end ? html`al ${dateTimeIt(r.end)}` : html`(in corso)`}:
                                  ${reasonLabels[r.kind]}
                                  ${
                                    r.end
                                      ? html`<a
                                          class="d-block small"
                                          href="/stato/attestazioni/ATT-${r.incident}"
                                          >Attestazione di disservizio da allegare</a
                                        >`
                                      : ''
                                  }
                                </li>`,
                            )}
                          </ul>
                        </td>
                      </tr>`,
                  ),
                )
          }`.value,
      }),
    );
  });
};

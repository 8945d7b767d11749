import type { FastifyPluginAsync } from 'fastify';
import { romeDateOf } from '../../domain/shared/dates.js';
import { myReminders } from '../../services/continuity/my-reminders.js';
import type { ServiceDeps } from '../../services/context.js';
import { send, signedIn } from './forms.js';
import { html, page, roleLabels, type Html } from './layout.js';

/** The personal area: what the signed-in user's role can do, and the last week's reminders. */
export const personalAreaPages: FastifyPluginAsync<{ deps: ServiceDeps }> = async (app, { deps }) => {
  // --- personal area ---------------------------------------------------------------------------------

  app.get('/area-personale', async (request, reply) => {
    const actor = signedIn(request, reply);
    if (!actor) return reply;
    const links: Html[] = [];
    if (actor.role === 'rup') {
      links.push(html`<li><a href="/area-personale/gare">Le mie gare</a>: lotti, stati e scadenze</li>`);
      links.push(html`<li><a href="/area-personale/gare/nuova">Nuova gara</a>: acquisisci i CIG</li>`);
      links.push(
        html`<li><a href="/area-personale/smartcig">SmartCIG</a> per i contratti sotto i 40.000 euro</li>`,
      );
      links.push(
        html`<li>
          <a href="/area-personale/procedure-urgenti">Procedure urgenti</a>: «CIG in fase di acquisizione»
          durante un disservizio, poi la regolarizzazione
        </li>`,
      );
      links.push(
        html`<li>
          <a href="/area-personale/scadenze-nei-disservizi">Scadenze nei disservizi</a>: le procedure da
          valutare per una proroga dei termini
        </li>`,
      );
    }
    if (actor.role === 'regional_staff' || actor.role === 'authority_staff' || actor.role === 'admin') {
      links.push(
        html`<li>
          <a href="/area-personale/gare">Gare</a> della
          ${actor.role === 'regional_staff' ? 'tua regione' : 'banca dati'}
        </li>`,
      );
    }
    if (actor.role !== 'rup' && actor.role !== 'economic_operator') {
      links.push(html`<li><a href="/area-personale/disservizi">Disservizi</a>: registra e aggiorna</li>`);
      links.push(
        html`<li>
          <a href="/area-personale/manutenzioni">Manutenzioni programmate</a>: annuncia e annulla
        </li>`,
      );
      links.push(
        html`<li>
          <a href="/area-personale/procedure-urgenti?scadute=1">Regolarizzazioni scadute</a>
          ${actor.role === 'regional_staff' ? 'nella tua regione' : 'per regione'}
        </li>`,
      );
      links.push(
        html`<li>
          <a href="/area-personale/protocollo">Registro di protocollo</a>: registrazioni, annullamenti e
          registro giornaliero
        </li>`,
      );
    }
    if (actor.role === 'admin') {
      links.push(
        html`<li>
          <a href="/area-personale/anagrafica">Anagrafica</a>: sezioni regionali, stazioni appaltanti, utenti,
          operatori economici
        </li>`,
      );
    }
    if (actor.role === 'authority_staff' || actor.role === 'admin') {
      links.push(
        html`<li>
          <a href="/area-personale/redazione">Comunicati</a>: pubblica, approva gli avvisi di ripristino
        </li>`,
      );
    }
    if (actor.role === 'regional_staff' || actor.role === 'admin') {
      links.push(
        html`<li>
          <a href="/area-personale/comunicati">Inoltro dei comunicati</a> ai RUP, con l'esito dell'invio
        </li>`,
      );
    }
    if (actor.role === 'economic_operator') {
      links.push(
        html`<li>
          <a href="/area-personale/contributi">Contributi</a>: avvisi di pagamento pagoPA e ricevute
        </li>`,
      );
    }
    links.push(html`<li><a href="/cig">Verifica un CIG</a></li>`);
    // The last week's reminders (regularisations due or overdue), newest first.
    const since = romeDateOf(new Date(deps.clock.now().getTime() - 7 * 86_400_000));
    const reminders = (await myReminders(deps, actor)).filter((r) => r.day >= since).slice(0, 10);
    return send(
      reply,
      page({
        ...request.portal,
        title: 'Area personale',
        current: '/area-personale',
        breadcrumbs: [{ label: 'Home', href: '/' }, { label: 'Area personale' }],
        body: html`<h1>Area personale</h1>
          <p>Hai effettuato l'accesso come <strong>${actor.name}</strong> (${roleLabels[actor.role]}).</p>
          ${
            reminders.length
              ? html`<div class="alert alert-warning" role="note">
                  <h2 class="h5">Promemoria</h2>
                  <ul class="mb-0">
                    ${reminders.map(
                      (r) =>
                        html`<li>
                          ${
                            r.subjectType === 'provisional_procedure'
                              ? html`<a href="/area-personale/procedure-urgenti/${r.subjectId}"
                                  >${r.message}</a
                                >`
                              : r.message
                          }
                        </li>`,
                    )}
                  </ul>
                </div>`
              : ''
          }
          <ul>
            ${links}
          </ul>`.value,
      }),
    );
  });
};

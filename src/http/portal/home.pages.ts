import type { FastifyPluginAsync } from 'fastify';
import { send } from './forms.js';
import { cigForm } from './cig-check.pages.js';
import { html, page, STATIC_PAGES_UPDATED } from './layout.js';

/** The home page and the accessibility statement: static pages that answer while the database is down. */
export const homePages: FastifyPluginAsync = async (app) => {
  app.get('/', async (request, reply) =>
    send(
      reply,
      page({
        ...request.portal,
        title: 'Servizi per i contratti pubblici',
        current: '/',
        updatedAt: STATIC_PAGES_UPDATED,
        body: html`<h1>Servizi per i contratti pubblici</h1>
          <p class="lead">
            Codici identificativi di gara (CIG e SmartCIG), contributi all'Autorità con pagoPA, stato dei
            servizi e comunicati, anche quando i servizi on line sono interrotti.
          </p>
          <div class="row g-4 mt-2">
            <div class="col-12 col-lg-6">
              <div class="card card-bg h-100">
                <div class="card-body">
                  <h2 class="h4 card-title">Verifica un CIG</h2>
                  ${cigForm('')}
                </div>
              </div>
            </div>
            <div class="col-12 col-lg-6">
              <div class="card card-bg h-100">
                <div class="card-body">
                  <h2 class="h4 card-title">Servizi on line</h2>
                  <ul>
                    <li><a href="/stato">Stato dei servizi</a>: interruzioni, manutenzioni, storico</li>
                    <li><a href="/comunicati">Comunicati</a> dell'Autorità</li>
                    <li>
                      <a href="/iscrizioni">Ricevi gli avvisi</a> per posta elettronica quando un servizio si
                      interrompe o torna disponibile
                    </li>
                    <li>
                      ${request.portal.actor ? html`<a href="/area-personale">La tua area personale</a>` : html`<a href="/accedi">Accedi</a> come RUP, operatore economico o personale delle sezioni regionali`}
                    </li>
                  </ul>
                </div>
              </div>
            </div>
          </div>`.value,
      }),
    ),
  );

  app.get('/dichiarazione-di-accessibilita', async (request, reply) =>
    send(
      reply,
      page({
        ...request.portal,
        title: 'Dichiarazione di accessibilità',
        updatedAt: STATIC_PAGES_UPDATED,
        body: html`<h1>Dichiarazione di accessibilità</h1>
          <p>
            Questo servizio si impegna a rendere accessibili le proprie pagine in conformità alla legge 4/2004
            e alle Linee guida AgID sull'accessibilità degli strumenti informatici (WCAG 2.1, livello AA).
          </p>
          <h2 class="h4">Stato di conformità</h2>
          <p>
            Le pagine sono verificate automaticamente con axe-core a ogni modifica (nessuna violazione grave o
            critica ammessa), sono utilizzabili da tastiera e leggibili da 320 pixel di larghezza. La verifica
            automatica non sostituisce quella con utenti e tecnologie assistive, non ancora svolta.
          </p>
          <h2 class="h4">Segnalazioni</h2>
          <p>
            Per segnalare un problema di accessibilità scrivi alla sezione regionale competente indicando la
            pagina e il problema riscontrato.
          </p>`.value,
      }),
    ),
  );
};

import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { DomainError } from '../../domain/shared/errors.js';
import { listServices } from '../../services/continuity/list-services.js';
import type { ServiceDeps } from '../../services/context.js';
import { confirmSubscription } from '../../services/notices/confirm-subscription.js';
import { subscribe } from '../../services/notices/subscribe.js';
import { errorSummary, send, textField, type FieldErrors, type Form, servicesField } from './forms.js';
import { html, messagePage, page, type Html } from './layout.js';

const base = '/iscrizioni';
const TOKEN = /^[A-Za-z0-9_-]{10,100}$/;

/**
 * Public subscription to the notifications of the services' status, by e-mail with double opt-in: the
 * message carries the link to confirm and the link to cancel. Following a link shows a page with a
 * button (a POST): a mail scanner that opens links changes nothing. These forms need no session CSRF
 * token: the subscription is anonymous and the token in the link is the proof of the address.
 */
export const subscriptionPages: FastifyPluginAsync<{
  deps: ServiceDeps;
  linkBase: (request: FastifyRequest) => string;
}> = async (app, { deps, linkBase }) => {
  const formPage = async (request: FastifyRequest, values: Form, errors: FieldErrors) => {
    const services = await listServices(deps);
    return page({
      ...request.portal,
      title: `${errors.size ? 'Errori nel modulo: ' : ''}Ricevi gli avvisi`,
      current: '/stato',
      breadcrumbs: [
        { label: 'Home', href: '/' },
        { label: 'Stato dei servizi', href: '/stato' },
        { label: 'Ricevi gli avvisi' },
      ],
      body: html`<h1>Ricevi gli avvisi sullo stato dei servizi</h1>
        <p>
          Ti scriviamo quando un servizio che scegli si interrompe, quando è programmata una manutenzione e
          quando il servizio è ripristinato. Riceverai un messaggio per confermare l'indirizzo; ogni
          iscrizione si può annullare con il collegamento nello stesso messaggio.
        </p>
        <p>
          In alternativa segui i feed Atom dello <a href="/status/feed.atom">stato dei servizi</a> e dei
          <a href="/comunicati/feed.atom">comunicati</a>; le piattaforme possono iscriversi con un webhook
          tramite l'<a href="/docs">API</a>.
        </p>
        ${errorSummary(errors)}
        <form method="post" action="${base}" novalidate>
          ${textField('email', 'Indirizzo di posta elettronica', values, errors, {
            maxlength: 254,
            type: 'email',
            inputmode: 'email',
          })}
          ${servicesField('Servizi', services, values, errors)}
          <button type="submit" class="btn btn-primary">Iscriviti</button>
        </form>`.value,
    });
  };

  app.get(base, async (request, reply) => send(reply, await formPage(request, {}, new Map())));

  app.post(base, async (request, reply) => {
    const form = request.body as Form & { servizi?: string | string[] };
    try {
      await subscribe(deps, {
        channel: 'email',
        address: form.email ?? '',
        services: [form.servizi ?? []].flat(),
        linkBase: linkBase(request),
      });
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'validation_failed') throw error;
      const errors: FieldErrors =
        error.field === 'address'
          ? new Map([['email', 'Indica un indirizzo di posta elettronica valido, per esempio nome@ente.it.']])
          : new Map([['servizi', 'Scegli almeno un servizio.']]);
      return send(reply, await formPage(request, form, errors), 422);
    }
    return send(
      reply,
      messagePage(
        'Controlla la tua posta',
        [
          html`Ti abbiamo scritto all'indirizzo indicato: apri il collegamento nel messaggio per confermare
          l'iscrizione. Finché non la confermi non riceverai avvisi.`,
        ],
        { ...request.portal },
      ),
    );
  });

  for (const [path, cancel] of [
    [`${base}/conferma`, false],
    [`${base}/annulla`, true],
  ] as const) {
    const what = cancel ? 'Annulla l’iscrizione' : 'Conferma l’iscrizione';
    const invalid = (request: FastifyRequest) =>
      messagePage(
        'Collegamento non valido',
        [
          html`Il collegamento non è valido: controlla di averlo copiato per intero dal messaggio.`,
          html`Puoi sempre <a href="${base}">iscriverti di nuovo</a>.`,
        ],
        { ...request.portal },
      );

    app.get<{ Querystring: { token?: string } }>(path, async (request, reply) => {
      const token = request.query.token ?? '';
      if (!TOKEN.test(token)) return send(reply, invalid(request), 404);
      return send(
        reply,
        page({
          ...request.portal,
          title: what,
          current: '/stato',
          body: html`<h1>${what}</h1>
            <p>
              ${
                cancel
                  ? 'Non riceverai più gli avvisi sullo stato dei servizi a questo indirizzo.'
                  : 'Riceverai gli avvisi sullo stato dei servizi che hai scelto.'
              }
            </p>
            <form method="post" action="${path}">
              <input type="hidden" name="token" value="${token}" />
              <button type="submit" class="btn ${cancel ? 'btn-danger' : 'btn-primary'}">${what}</button>
            </form>`.value,
        }),
      );
    });

    app.post(path, async (request, reply) => {
      const token = (request.body as Form).token ?? '';
      if (!TOKEN.test(token)) return send(reply, invalid(request), 404);
      let outcome: Html;
      try {
        await confirmSubscription(deps, token, cancel);
        outcome = cancel
          ? html`Iscrizione annullata: non riceverai più avvisi a questo indirizzo.`
          : html`Iscrizione confermata: riceverai gli avvisi sullo stato dei servizi che hai scelto.`;
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        if (error.code === 'not_found') return send(reply, invalid(request), 404);
        if (error.code !== 'invalid_state') throw error;
        outcome = html`Questa iscrizione era stata annullata. Per ricevere di nuovo gli avvisi
          <a href="${base}">iscriviti di nuovo</a>.`;
      }
      return send(reply, messagePage(what, [outcome], { ...request.portal }));
    });
  }
};

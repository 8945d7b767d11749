import type { FastifyPluginAsync } from 'fastify';
import { DomainError } from '../../domain/shared/errors.js';
import { instantFromRomeLocal } from '../../domain/shared/dates.js';
import { startDateFieldOf } from '../../domain/tenders/tender-rules.js';
import type { ServiceDeps } from '../../services/context.js';
import { cancelLot } from '../../services/tenders/cancel-lot.js';
import { getLot } from '../../services/tenders/get-lot.js';
import { perfectLot } from '../../services/tenders/perfect-lot.js';
import { recordReserve } from '../../services/continuity/record-reserve.js';
import { send, signedIn, type Form } from './forms.js';
import { lotView } from './lot-view.js';

/** A lot of a tender: its CIG and state; the RUP perfects it or cancels it (before perfezionamento). */
export const lotPages: FastifyPluginAsync<{ deps: ServiceDeps }> = async (app, { deps }) => {
  const render = lotView(deps);

  app.post<{ Params: { cig: string } }>('/area-personale/lotti/:cig/riserve', async (request, reply) => {
    const actor = signedIn(request, reply);
    if (!actor) return reply;
    const form = request.body as Form;
    const lot = await getLot(deps, request.params.cig, actor);
    try {
      await recordReserve(
        deps,
        {
          cig: lot.cig,
          fiscalCode: (form.codice_fiscale ?? '').trim().toUpperCase(),
          bidderName: form.operatore ?? '',
        },
        actor,
      );
    } catch (error) {
      if (
        !(error instanceof DomainError) ||
        !['validation_failed', 'invalid_state', 'rule_violation'].includes(error.code)
      )
        throw error;
      const entry: [string, string] =
        error.field === 'fiscalCode'
          ? [
              'codice_fiscale',
              'Il codice fiscale non è valido (11 cifre o 16 caratteri, con il carattere di controllo).',
            ]
          : error.field === 'bidderName'
            ? ['operatore', "Indica la denominazione dell'operatore."]
            : error.reason === 'already_paid'
              ? ['codice_fiscale', 'Questo operatore ha già pagato il contributo: la riserva non serve.']
              : error.reason === 'no_payment_outage'
                ? [
                    'codice_fiscale',
                    'Nessun disservizio dei pagamenti in corso o appena concluso: la riserva non è ammessa.',
                  ]
                : ['codice_fiscale', 'La riserva non può essere registrata.'];
      return send(reply, await render(request, lot, { reserve: [form, new Map([entry])] }), 422);
    }
    return send(
      reply,
      await render(request, await getLot(deps, lot.cig, actor), {}, 'Operatore ammesso con riserva.'),
    );
  });

  app.get<{ Params: { cig: string } }>('/area-personale/lotti/:cig', async (request, reply) => {
    const actor = signedIn(request, reply);
    if (!actor) return reply;
    return send(reply, await render(request, await getLot(deps, request.params.cig, actor)));
  });

  app.post<{ Params: { cig: string } }>(
    '/area-personale/lotti/:cig/perfezionamento',
    async (request, reply) => {
      const actor = signedIn(request, reply);
      if (!actor) return reply;
      const form = request.body as Form;
      const lot = await getLot(deps, request.params.cig, actor);
      const invitation = startDateFieldOf(lot.procedureTypeCode) === 'invitationDate';
      const date = (form.data_pubblicazione ?? '').trim();
      const day = (form.scadenza_data ?? '').trim();
      const time = (form.scadenza_ora ?? '').trim();
      try {
        if (!/^\d{4}-\d{2}-\d{2}$/.test(day))
          throw new DomainError('validation_failed', 'day', { field: 'bidDeadlineDay' });
        if (!/^\d{2}:\d{2}$/.test(time))
          throw new DomainError('validation_failed', 'time', { field: 'bidDeadlineTime' });
        await perfectLot(
          deps,
          {
            cig: lot.cig,
            ...(invitation ? { invitationDate: date } : { publicationDate: date }),
            bidDeadline: instantFromRomeLocal(`${day}T${time}:00`),
          },
          actor,
        );
      } catch (error) {
        const windowClosed = error instanceof DomainError && error.reason === 'perfection_window_closed';
        if (!(error instanceof DomainError) || (error.code !== 'validation_failed' && !windowClosed))
          throw error;
        const [name, message] = perfectionErrorIt(error, invitation);
        return send(
          reply,
          await render(request, lot, { perfection: [form, new Map([[name, message]])] }),
          422,
        );
      }
      return send(reply, await render(request, await getLot(deps, lot.cig, actor), {}, 'CIG perfezionato.'));
    },
  );

  app.post<{ Params: { cig: string } }>(
    '/area-personale/lotti/:cig/cancellazione',
    async (request, reply) => {
      const actor = signedIn(request, reply);
      if (!actor) return reply;
      const form = request.body as Form;
      const lot = await getLot(deps, request.params.cig, actor);
      try {
        await cancelLot(
          deps,
          { cig: lot.cig, reason: Number(form.motivo || Number.NaN), note: form.nota },
          actor,
        );
      } catch (error) {
        if (!(error instanceof DomainError) || error.code !== 'validation_failed') throw error;
        const name = error.field === 'note' ? 'nota' : 'motivo';
        const message =
          name === 'nota'
            ? 'Con il motivo «Altro» scrivi una nota (al massimo 2.000 caratteri).'
            : 'Scegli il motivo della cancellazione.';
        return send(
          reply,
          await render(request, lot, { cancellation: [form, new Map([[name, message]])] }),
          422,
        );
      }
      return send(reply, await render(request, await getLot(deps, lot.cig, actor), {}, 'CIG cancellato.'));
    },
  );
};

/** The refused field of a perfezionamento, in the form's terms and in Italian. */
function perfectionErrorIt(error: DomainError, invitation: boolean): [string, string] {
  const what = invitation ? 'La data della lettera di invito' : 'La data di pubblicazione';
  switch (error.field) {
    case 'publicationDate':
    case 'invitationDate':
      if (/in the future/.test(error.message))
        return ['data_pubblicazione', `${what} non può essere futura.`];
      if (/precedes/.test(error.message))
        return ['data_pubblicazione', `${what} non può precedere l'acquisizione del CIG.`];
      return ['data_pubblicazione', `${what} è obbligatoria (giorno, mese e anno).`];
    case 'bidDeadlineTime':
      return ['scadenza_ora', "Indica l'ora di scadenza delle offerte (per esempio 12:00)."];
    case 'bidDeadline':
    case 'bidDeadlineDay':
      return [
        'scadenza_data',
        /after/.test(error.message)
          ? `La scadenza delle offerte deve essere successiva alla ${invitation ? 'lettera di invito' : 'pubblicazione'}.`
          : 'Indica il giorno di scadenza delle offerte.',
      ];
    default:
      return error.reason === 'perfection_window_closed'
        ? [
            'data_pubblicazione',
            'Il termine per perfezionare questo CIG è scaduto: il CIG decade e va acquisito di nuovo.',
          ]
        : ['data_pubblicazione', 'Valore non valido.'];
  }
}

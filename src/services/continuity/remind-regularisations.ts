import { addDays, formatDateIt, romeDateOf } from '../../domain/shared/dates.js';
import { type ServiceDeps } from '../context.js';
import { newMessageId } from '../notices/message-id.js';
import { daysLeft } from './provisional.js';

/**
 * The reminder job: once a day, each RUP with a procedure to regularise within a week (or overdue)
 * gets a reminder, listed at GET /api/v1/reminders and sent by e-mail through the outbox (in the same
 * transaction: one reminder a day per procedure, one message per reminder).
 */
export async function remindRegularisations(
  deps: Pick<ServiceDeps, 'store' | 'clock' | 'ids'>,
  options: { linkBase?: string } = {},
): Promise<{ reminded: number }> {
  const now = deps.clock.now();
  const today = romeDateOf(now);
  const due = await deps.store.provisionalProcedures.listProvisional({
    state: 'pending',
    deadlineBefore: addDays(today, 8),
  });
  let reminded = 0;
  for (const p of due) {
    const left = daysLeft(p, now);
    const deadline = formatDateIt(p.regularisationDeadline);
    const message =
      left < 0
        ? `La procedura ${p.reference} ("${p.object}") doveva essere regolarizzata entro il ${deadline}: è scaduta da ${-left} giorni.`
        : `La procedura ${p.reference} ("${p.object}") va regolarizzata entro il ${deadline} (${left === 0 ? 'oggi' : `tra ${left} giorni`}).`;
    const recorded = await deps.store.transaction(async (store) => {
      const id = deps.ids.uuid();
      if (
        !(await store.reminders.insertReminder({
          id,
          userId: p.rupUserId,
          subjectType: 'provisional_procedure',
          subjectId: p.reference,
          day: today,
          message,
          createdAt: now,
        }))
      )
        return false;
      const rup = await store.users.findUser(p.rupUserId);
      if (rup?.active) {
        await store.outbox.insertOutbox(
          [
            {
              id: deps.ids.uuid(),
              kind: 'reminder',
              channel: 'email',
              relayId: null,
              subscriptionId: null,
              eventId: null,
              recipientName: rup.name,
              address: rup.email,
              contractingAuthorityId: p.contractingAuthorityId,
              idempotencyKey: `reminder:${p.reference}:${today}`,
              messageId: newMessageId(`reminder.${id}`),
              subject: `Promemoria: regolarizzazione della procedura ${p.reference}`,
              body: [
                `Gentile ${rup.name},`,
                '',
                message,
                '',
                'La procedura è stata registrata senza CIG durante un disservizio («CIG in fase di acquisizione»).',
                'Regolarizzarla assegna i CIG ai lotti con le date di pubblicazione originali.',
                ...(options.linkBase
                  ? [
                      '',
                      `Apri la procedura: ${options.linkBase}/area-personale/procedure-urgenti/${p.reference}`,
                    ]
                  : []),
              ].join('\n'),
              nextAttemptAt: now,
              createdAt: now,
            },
          ],
          now,
        );
      }
      return true;
    });
    if (recorded) reminded += 1;
  }
  return { reminded };
}

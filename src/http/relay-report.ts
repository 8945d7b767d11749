import { formatDateTimeIt } from '../domain/shared/dates.js';
import type { OutboxMessage, OutboxState } from '../services/notices/ports.js';
import { toCsv } from './csv.js';

/** The one Italian label of a message's state (relay page, both CSV reports). */
export const outboxStateLabels: Record<OutboxState, string> = {
  queued: 'In coda',
  sending: 'In invio',
  accepted: 'Accettato dal server di posta',
  delivered: 'Consegnato (ricevuta PEC)',
  failed: 'Non consegnato',
};

const when = (d: Date | null) => (d ? formatDateTimeIt(d) : '');

/** The per-recipient delivery report of a relay, the same file from the API and the portal. */
export function relayReportCsv(recipients: readonly OutboxMessage[]): string {
  return toCsv([
    [
      'destinatario',
      'indirizzo',
      'stato',
      'tentativi',
      'accettato',
      'consegnato',
      'non consegnato',
      'errore',
    ],
    ...recipients.map((r) => [
      r.recipientName,
      r.address,
      outboxStateLabels[r.state],
      r.attempts,
      when(r.acceptedAt),
      when(r.deliveredAt),
      when(r.failedAt),
      r.lastError,
    ]),
  ]);
}

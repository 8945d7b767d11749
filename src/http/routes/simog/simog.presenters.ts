import type { DomainError } from '../../../domain/shared/errors.js';
import { type ErrorCode } from '../../../domain/shared/errors.js';
import type { SimogAnswer, SimogCodec } from '../../../services/simog/ports.js';
import { simogFieldOf } from '../../../services/simog/simog-values.js';

/** The Italian opening of an error text, by code (the text then names the field and says what is wrong). */
const OPENING: Record<ErrorCode, string> = {
  validation_failed: 'Dati non validi',
  unauthorized: 'Accesso negato',
  forbidden: 'Operazione non consentita',
  not_found: 'Non trovato',
  conflict: 'Conflitto',
  invalid_state: "Operazione non consentita per lo stato dell'appalto",
  rule_violation: 'Regola non rispettata',
  idempotency_key_reused: 'Idempotency-Key già usata per una richiesta diversa',
  payload_too_large: 'Richiesta troppo grande',
  rate_limited: 'Troppe richieste',
  service_unavailable: 'Servizio non disponibile',
  internal: 'Errore interno',
};

/**
 * What a not_found names, in Italian: the services' `notFound(what)` says "<what> not found" in
 * English; the opening already says "Non trovato", so the text is the Italian name of <what>.
 */
const NOT_FOUND_NOUNS: [RegExp, string][] = [
  [/^lot with CIG /, 'lotto con CIG '],
  [/^tender /, 'gara '],
  [/^contracting authority\b/, 'stazione appaltante'],
  [/^economic operator\b/, 'operatore economico'],
  [/^regional section /, 'sezione regionale '],
  [/^user\b/, 'utente'],
  [/^registration\b/, 'registrazione'],
];

function notFoundText(message: string): string {
  const what = message.replace(/ not found$/, '');
  for (const [english, italian] of NOT_FOUND_NOUNS)
    if (english.test(what)) return what.replace(english, italian);
  return what;
}

/** `success=false` with an `error` that names the field (in SIMOG's terms) and says what is wrong. */
export function failure(error: DomainError): SimogAnswer {
  const name = error.field === undefined ? undefined : simogFieldOf(error.field);
  const field = name === undefined || error.message.startsWith(name) ? '' : ` [${name}]`;
  const message = error.code === 'not_found' ? notFoundText(error.message) : error.message;
  return { success: false, error: `${OPENING[error.code]}${field}: ${message}`.slice(0, 1000) };
}

export const done = (codec: SimogCodec, message: string, after = ''): SimogAnswer => ({
  before: codec.messaggio(message),
  success: true,
  after,
});

export const NOT_SUPPORTED =
  "Operazione non supportata da gara: l'interfaccia SIMOG di gara copre login, loginRPNT, chiudiSessione, " +
  'inserisciGara, inserisciLotto, modificaGara, modificaLotto, perfezionaGara, perfezionaLotto, pubblica, ' +
  'cancellaGara, cancellaLotto, consultaGara, consultaNumeroGara, integraCUP';

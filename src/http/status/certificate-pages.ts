import {
  verificationMessages,
  type CertificateInstant,
  type DowntimeCertificatePayload,
  type VerificationOutcome,
} from '../../domain/certificates/downtime-certificate.js';
import { formatDateTimeIt } from '../../domain/shared/dates.js';
import { escapeHtml } from '../html.js';
import { PAGE_CSS } from './status-page.js';

/**
 * The public pages of the downtime certificates ("attestazioni di disservizio"): a certificate with its
 * download links, the verification form and its outcome, the not-found page. Self-contained HTML in
 * Italian, like the status page; every text from the data is escaped.
 */

export const CERTIFICATES_BASE = '/stato/attestazioni';
export const VERIFY_PATH = `${CERTIFICATES_BASE}/verifica`;

function shell(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="it">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title>${escapeHtml(title)} — gara</title>
<style>${PAGE_CSS}</style>
</head>
<body>
<a class="skip" href="#contenuto">Vai al contenuto</a>
<header>
<p>gara — servizi per le gare pubbliche</p>
<p><a href="/stato">Stato dei servizi</a> › Attestazioni di disservizio</p>
</header>
<main id="contenuto">
${body}
</main>
<footer><ul>
<li><a href="/stato">Stato dei servizi</a></li>
<li><a href="${VERIFY_PATH}">Verifica un’attestazione</a></li>
</ul></footer>
</body>
</html>
`;
}

const when = (t: CertificateInstant) =>
  `${escapeHtml(formatDateTimeIt(new Date(t.utc), { joiner: ' ore ', seconds: true }))} (ora italiana; <span lang="en">UTC</span> ${escapeHtml(t.utc)})`;

export function renderCertificatePage(p: DowntimeCertificatePayload): string {
  const s = p.subject;
  const href = `${CERTIFICATES_BASE}/${encodeURIComponent(p.id)}`;
  const evidence =
    p.evidence.length === 0
      ? '<p>Nessuna evidenza automatica: l’intervallo è stato registrato dal personale.</p>'
      : `<ul>${p.evidence
          .map(
            (e) =>
              `<li>Controllo «${escapeHtml(e.probe)}»: primo errore ${escapeHtml(formatDateTimeIt(new Date(e.firstFailureAt), { seconds: true }))}, ultimo errore ${escapeHtml(formatDateTimeIt(new Date(e.lastFailureAt), { seconds: true }))}, ${e.failures} controlli falliti</li>`,
          )
          .join('')}</ul>`;
  const notices =
    p.notices.length === 0
      ? '<p>Nessun comunicato collegato.</p>'
      : `<ul>${p.notices
          .map(
            (n) =>
              `<li>${escapeHtml(n.title)} (${escapeHtml(n.noticeDate.split('-').reverse().join('/'))}; ${
                n.protocolNumbers.length > 0
                  ? `protocollo ${escapeHtml(n.protocolNumbers.join(', '))}`
                  : 'senza protocollo'
              })</li>`,
          )
          .join('')}</ul>`;
  return shell(
    `Attestazione di disservizio ${p.id}`,
    `<h1>Attestazione di disservizio ${escapeHtml(p.id)}</h1>
<p>
<a href="${href}.pdf" download>Scarica il PDF firmato (PAdES)</a> ·
<a href="${href}.json" download>Scarica il JSON firmato (JWS)</a> ·
<a href="${VERIFY_PATH}">Verifica un’attestazione</a>
</p>
<dl>
<dt>${s.kind === 'incident' ? 'Incidente' : 'Manutenzione programmata'}</dt>
<dd>${s.kind === 'incident' ? `${escapeHtml(s.code)} — ` : ''}${escapeHtml(s.title)}</dd>
<dt>Servizi interessati</dt><dd>${p.services.map((x) => escapeHtml(x.name)).join(', ')}</dd>
<dt>Inizio</dt><dd>${when(p.start)}</dd>
<dt>Fine</dt><dd>${when(p.end)}</dd>
<dt>Durata</dt><dd>${p.durationMinutes} minuti</dd>
<dt>Emessa il</dt><dd>${when(p.issuedAt)}</dd>
<dt>Emittente</dt><dd>${escapeHtml(p.issuer.name)}</dd>
</dl>
<h2>Evidenze dei controlli automatici</h2>
${evidence}
<h2>Comunicati collegati</h2>
${notices}`,
  );
}

export function renderNotFoundPage(asked: string): string {
  // Quoted as asked, but at most 100 characters and no NUL or lone surrogate (any URL may end here).
  const id = Array.from(asked)
    .slice(0, 100)
    .join('')
    .replace(/[\u0000\p{Surrogate}]/gu, '\ufffd');
  return shell(
    'Attestazione non trovata',
    `<h1>Attestazione non trovata</h1>
<p>Non esiste un’attestazione di disservizio «${escapeHtml(id)}». Le attestazioni sono emesse alla risoluzione di un incidente e al termine di una manutenzione programmata (entro un minuto).</p>`,
  );
}

export function renderVerifyPage(outcome?: VerificationOutcome, problem?: string): string {
  let result = '';
  if (problem)
    result = `<div class="notice" role="alert"><p><strong>Verifica non eseguita.</strong> ${escapeHtml(problem)}</p></div>`;
  else if (outcome?.valid) {
    result = `<div class="banner b-operational" role="status"><p><strong>Firma valida.</strong> Il documento è integro ed è firmato da gara (${escapeHtml(outcome.signer)}).</p>
${outcome.certificateId ? `<p>Attestazione: <a href="${CERTIFICATES_BASE}/${encodeURIComponent(outcome.certificateId)}">${escapeHtml(outcome.certificateId)}</a></p>` : ''}</div>`;
  } else if (outcome) {
    result = `<div class="notice" role="alert"><p><strong>Firma non valida.</strong> ${escapeHtml(verificationMessages[outcome.failure].it)}</p></div>`;
  }
  return shell(
    'Verifica di un’attestazione di disservizio',
    `<h1>Verifica di un’attestazione di disservizio</h1>
${result}
<p>Carica il PDF (o il JSON firmato) di un’attestazione: la pagina controlla che la firma sia valida, che copra tutto il documento e che sia quella di gara. Dimensione massima: 2 MB.</p>
<form method="post" action="${VERIFY_PATH}" enctype="multipart/form-data">
<p><label for="file">File dell’attestazione</label><br/>
<input type="file" id="file" name="file" accept="application/pdf,.pdf,.json,application/jose+json" required/></p>
<p><button type="submit">Verifica</button></p>
</form>`,
  );
}

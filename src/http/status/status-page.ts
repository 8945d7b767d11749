import {
  formatDateIt,
  formatDateTimeIt,
  formatLongDateIt,
  isValidIsoDate,
} from '../../domain/shared/dates.js';
import { escapeHtml } from '../html.js';
import {
  incidentStateLabels,
  maintenanceStateLabels,
  serviceStateLabels,
  type DayStatus,
  type IncidentUpdateView,
  type IncidentView,
  type MaintenanceView,
  type ServiceState,
  type ServiceStatusView,
  type StatusView,
} from '../../services/status/status-view.js';

/**
 * The public status page ("Stato dei servizi"): one self-contained HTML5 document, no JavaScript and no
 * external resources, so that it can be served from the last saved state while everything else is down.
 * Every piece of text that comes from the view is escaped with `escapeHtml`.
 */

export interface StatusPageOptions {
  /** Absolute base of the public links, e.g. https://gara.example.it (a trailing slash is ignored). */
  baseUrl: string;
  /** When the page is rendered (the footer); defaults to now. The state's own time is `view.generatedAt`. */
  now?: Date;
}

export { escapeHtml };

function toDate(iso: string): Date | null {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** "03/05/2021 ore 09:30" in Rome time; an unparsable value is returned as it is (escape it). */
export function formatIsoDateTimeIt(iso: string): string {
  const d = toDate(iso);
  return d ? formatDateTimeIt(d, { joiner: ' ore ' }) : iso;
}

/** "3 maggio 2021" for a YYYY-MM-DD Rome calendar day; anything else is returned as it is (escape it). */
function longDateOf(date: string): string {
  return isValidIsoDate(date) ? formatLongDateIt(date) : date;
}

/** "03/05/2021" for a YYYY-MM-DD Rome calendar day. */
function shortDate(date: string): string {
  return toDate(`${date}T12:00:00Z`) ? formatDateIt(date) : date;
}

/** A <time> element: machine-readable instant, Italian text. */
function time(iso: string): string {
  return `<time datetime="${escapeHtml(iso)}">${escapeHtml(formatIsoDateTimeIt(iso))}</time>`;
}

function trimBase(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '');
}

const overallSentences: Record<ServiceState, string> = {
  operational: 'Tutti i servizi sono operativi',
  degraded: 'Prestazioni ridotte su uno o più servizi',
  partial_outage: 'Interruzione parziale di uno o più servizi',
  major_outage: 'Interruzione totale di uno o più servizi',
  maintenance: 'Uno o più servizi sono in manutenzione',
};

/** A state as text, with a decorative colour mark: the label always carries the meaning. */
function stateBadge(state: ServiceState): string {
  return `<span class="st"><span class="dot s-${state}" aria-hidden="true"></span>${escapeHtml(
    serviceStateLabels[state],
  )}</span>`;
}

function serviceNames(view: StatusView, codes: string[]): string {
  if (codes.length === 0) return 'nessuno indicato';
  const names = new Map(view.services.map((s) => [s.code, s.name]));
  return escapeHtml(codes.map((c) => names.get(c) ?? c).join(', '));
}

function newestFirst(updates: IncidentUpdateView[]): IncidentUpdateView[] {
  return updates
    .map((u, i) => ({ u, i, t: toDate(u.at)?.getTime() ?? 0 }))
    .sort((a, b) => b.t - a.t || b.i - a.i)
    .map((x) => x.u);
}

function timeline(incident: IncidentView): string {
  if (incident.updates.length === 0) return '<p>Nessun aggiornamento pubblicato.</p>';
  const items = newestFirst(incident.updates).map(
    (u) =>
      `<li>${time(u.at)} — <strong>${escapeHtml(incidentStateLabels[u.state])}</strong>` +
      `<p class="msg">${escapeHtml(u.message)}</p></li>`,
  );
  return `<ol class="tl" reversed="reversed">${items.join('')}</ol>`;
}

function openIncident(view: StatusView, incident: IncidentView): string {
  return `<article class="card" id="${escapeHtml(incident.code)}" aria-labelledby="${escapeHtml(
    incident.code,
  )}-t">
<h3 id="${escapeHtml(incident.code)}-t">${escapeHtml(incident.title)}</h3>
<dl>
<dt>Codice</dt><dd>${escapeHtml(incident.code)}</dd>
<dt>Stato</dt><dd>${escapeHtml(incidentStateLabels[incident.state])}</dd>
<dt>Impatto</dt><dd>${stateBadge(incident.impact)}</dd>
<dt>Servizi interessati</dt><dd>${serviceNames(view, incident.services)}</dd>
<dt>Inizio</dt><dd>${time(incident.startedAt)}</dd>
</dl>
<h4>Aggiornamenti</h4>
${timeline(incident)}
</article>`;
}

function resolvedIncident(view: StatusView, incident: IncidentView, base: string): string {
  const end = incident.resolvedAt ? time(incident.resolvedAt) : 'non indicata';
  return `<article class="card" id="${escapeHtml(incident.code)}" aria-labelledby="${escapeHtml(
    incident.code,
  )}-t">
<h3 id="${escapeHtml(incident.code)}-t">${escapeHtml(incident.title)}</h3>
<dl>
<dt>Codice</dt><dd>${escapeHtml(incident.code)}</dd>
<dt>Stato</dt><dd>${escapeHtml(incidentStateLabels[incident.state])}</dd>
<dt>Impatto</dt><dd>${stateBadge(incident.impact)}</dd>
<dt>Servizi interessati</dt><dd>${serviceNames(view, incident.services)}</dd>
<dt>Inizio</dt><dd>${time(incident.startedAt)}</dd>
<dt>Risoluzione</dt><dd>${end}</dd>
</dl>
<p><a href="${escapeHtml(`${base}/stato/attestazioni/ATT-${incident.code}`)}">Attestazione di disservizio ${escapeHtml(
    incident.code,
  )} (PDF e JSON firmati)</a></p>
<details><summary>Aggiornamenti (${incident.updates.length})</summary>
${timeline(incident)}
</details>
</article>`;
}

function maintenance(view: StatusView, m: MaintenanceView): string {
  return `<article class="card" id="manutenzione-${escapeHtml(m.id)}" aria-labelledby="manutenzione-${escapeHtml(
    m.id,
  )}-t">
<h3 id="manutenzione-${escapeHtml(m.id)}-t">${escapeHtml(m.title)}</h3>
<dl>
<dt>Stato</dt><dd>${escapeHtml(maintenanceStateLabels[m.state])}</dd>
<dt>Finestra</dt><dd>dal ${time(m.startsAt)} al ${time(m.endsAt)}</dd>
<dt>Servizi interessati</dt><dd>${serviceNames(view, m.services)}</dd>
</dl>
${m.description ? `<p class="msg">${escapeHtml(m.description)}</p>` : ''}
</article>`;
}

/** "3 maggio 2021: Interruzione totale (INC-2021-0001)" */
export function describeDay(day: DayStatus): string {
  const codes = day.incidents.length > 0 ? ` (${day.incidents.join(', ')})` : '';
  return `${longDateOf(day.date)}: ${serviceStateLabels[day.state]}${codes}`;
}

function historyStrip(service: ServiceStatusView, index: number): string {
  const id = `storico-${index}`;
  const days = service.history;
  const first = days[0];
  const last = days[days.length - 1];
  const range = first && last ? `, dal ${shortDate(first.date)} al ${shortDate(last.date)}` : '';
  const cells = days
    .map((d) => `<li class="s-${d.state}"><span class="vh">${escapeHtml(describeDay(d))}</span></li>`)
    .join('');
  const troubled = days.filter((d) => d.state !== 'operational' || d.incidents.length > 0);
  const detail =
    troubled.length === 0
      ? ''
      : `<details><summary>Giorni con disservizi o manutenzioni (${troubled.length})</summary><ul>${troubled
          .map((d) => `<li>${escapeHtml(describeDay(d))}</li>`)
          .join('')}</ul></details>`;
  return `<article aria-labelledby="${id}">
<h3 id="${id}">${escapeHtml(service.name)}</h3>
${
  days.length === 0
    ? '<p>Storico non disponibile.</p>'
    : `<ol class="strip" aria-label="Storico di ${escapeHtml(service.name)}${escapeHtml(range)}">${cells}</ol>
<p class="axis" aria-hidden="true"><span>${first ? escapeHtml(shortDate(first.date)) : ''}</span><span>${
        last ? escapeHtml(shortDate(last.date)) : ''
      }</span></p>
<p>${days.length - troubled.length} ${days.length - troubled.length === 1 ? 'giorno' : 'giorni'} su ${days.length} senza disservizi.</p>
${detail}`
}
</article>`;
}

export const PAGE_CSS = `*{box-sizing:border-box}
body{margin:0;font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1a1a1a;background:#fff}
header,main,footer{max-width:60rem;margin:0 auto;padding:1rem}
header{border-bottom:1px solid #767676}
footer{border-top:1px solid #767676;font-size:.95rem}
h1{font-size:1.6rem;margin:.25rem 0}h2{font-size:1.3rem;margin:2rem 0 .5rem}h3{font-size:1.1rem;margin:1rem 0 .25rem}h4{font-size:1rem;margin:.75rem 0 .25rem}
a{color:#0645ad}a:focus{outline:3px solid #1a1a1a;outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem}
.vh{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
.banner,.notice{border-left:.5rem solid;padding:.75rem 1rem;margin:1rem 0;font-weight:600}
.banner{font-size:1.2rem}
.notice{border-color:#1a1a1a;background:#fff4ce;font-weight:400}
.b-operational{border-color:#1e6b2a;background:#e7f4e9}.b-degraded{border-color:#8a5a00;background:#fff4ce}
.b-partial_outage{border-color:#b3400a;background:#fde8dc}.b-major_outage{border-color:#b01c1c;background:#fdeaea}
.b-maintenance{border-color:#1d4ed8;background:#e8eefc}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid #c4c4c4;vertical-align:top}
.st{white-space:nowrap}.dot{display:inline-block;width:.75rem;height:.75rem;border-radius:50%;margin-right:.35rem;background:currentColor;vertical-align:-.05rem}
.s-operational{color:#1e6b2a}.s-degraded{color:#8a5a00}.s-partial_outage{color:#b3400a}.s-major_outage{color:#b01c1c}.s-maintenance{color:#1d4ed8}
.card{border:1px solid #c4c4c4;border-radius:.25rem;padding:.25rem 1rem .75rem;margin:1rem 0}
dl{display:grid;grid-template-columns:auto 1fr;gap:.1rem 1rem;margin:.5rem 0}dt{font-weight:600}dd{margin:0}
@media (max-width:30rem){dl{display:block}dd{margin:0 0 .4rem}}
.msg{white-space:pre-line;overflow-wrap:anywhere;margin:.25rem 0 .5rem}
.tl{padding-left:1.25rem}
.strip{display:flex;gap:1px;list-style:none;margin:.5rem 0 0;padding:0;height:2rem}
.strip li{flex:1 1 0;min-width:1px;background:currentColor}
.axis{display:flex;justify-content:space-between;font-size:.85rem;margin:0}
summary{cursor:pointer}
footer ul{padding-left:1.25rem}`;

/** The public status page, Italian, self-contained. */
export function renderStatusPage(view: StatusView, options: StatusPageOptions): string {
  const base = trimBase(options.baseUrl);
  const now = (options.now ?? new Date()).toISOString();
  const open = view.incidents.filter((i) => i.state !== 'resolved');
  const resolved = view.incidents.filter((i) => i.state === 'resolved');
  const maintenances = view.maintenances.filter((m) => m.state === 'scheduled' || m.state === 'in_progress');
  const stale = view.stale || view.database === 'unreachable';

  const banner =
    view.overall === 'operational'
      ? overallSentences.operational
      : `${overallSentences[view.overall]} (stato complessivo: ${serviceStateLabels[view.overall]})`;

  const notice = stale
    ? `<p class="notice" role="note"><strong>Attenzione:</strong> la banca dati non risponde. Questa pagina mostra l'ultimo stato salvato, aggiornato al ${time(
        view.generatedAt,
      )}; le informazioni potrebbero non essere aggiornate.</p>`
    : '';

  const servicesTable =
    view.services.length === 0
      ? '<p>Nessun servizio censito.</p>'
      : `<table>
<caption class="vh">Stato attuale di ciascun servizio</caption>
<thead><tr><th scope="col">Servizio</th><th scope="col">Stato</th></tr></thead>
<tbody>
${view.services
  .map(
    (s) =>
      `<tr><th scope="row">${escapeHtml(s.name)}${
        s.description ? `<br/><small>${escapeHtml(s.description)}</small>` : ''
      }</th><td>${stateBadge(s.state)}</td></tr>`,
  )
  .join('\n')}
</tbody>
</table>`;

  return `<!DOCTYPE html>
<html lang="it">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title>Stato dei servizi — gara</title>
<link rel="alternate" type="application/atom+xml" title="gara — stato dei servizi" href="${escapeHtml(
    `${base}/status/feed.atom`,
  )}"/>
<style>${PAGE_CSS}</style>
</head>
<body>
<a class="skip" href="#contenuto">Vai al contenuto</a>
<header>
<p>gara — servizi per le gare pubbliche</p>
<h1>Stato dei servizi</h1>
</header>
<main id="contenuto">
<p class="banner b-${view.overall}">${escapeHtml(banner)}</p>
${notice}
<p>Date e orari sono espressi in ora italiana.</p>
<section aria-labelledby="servizi">
<h2 id="servizi">Servizi</h2>
${servicesTable}
</section>
<section aria-labelledby="incidenti">
<h2 id="incidenti">Incidenti in corso</h2>
${open.length === 0 ? '<p>Nessun incidente in corso.</p>' : open.map((i) => openIncident(view, i)).join('\n')}
</section>
<section aria-labelledby="manutenzioni">
<h2 id="manutenzioni">Manutenzioni programmate e in corso</h2>
${
  maintenances.length === 0
    ? '<p>Nessuna manutenzione programmata.</p>'
    : maintenances.map((m) => maintenance(view, m)).join('\n')
}
</section>
<section aria-labelledby="risolti">
<h2 id="risolti">Incidenti risolti negli ultimi giorni</h2>
${
  resolved.length === 0
    ? '<p>Nessun incidente risolto negli ultimi giorni.</p>'
    : resolved.map((i) => resolvedIncident(view, i, base)).join('\n')
}
</section>
<section aria-labelledby="storico">
<h2 id="storico">Storico degli ultimi 90 giorni</h2>
<p>Ogni barra è un giorno, dal più vecchio (a sinistra) a oggi (a destra), con lo stato peggiore della giornata. Legenda: ${(
    Object.keys(serviceStateLabels) as ServiceState[]
  )
    .map(stateBadge)
    .join(', ')}.</p>
${view.services.map((s, i) => historyStrip(s, i)).join('\n')}
</section>
</main>
<footer>
<p>Stato aggiornato al ${time(view.generatedAt)}. Pagina generata il ${time(now)}.</p>
<ul>
<li><a href="${escapeHtml(`${base}/iscrizioni`)}">Ricevi gli avvisi per posta elettronica</a></li>
<li><a href="${escapeHtml(`${base}/status/feed.atom`)}">Feed Atom degli aggiornamenti</a></li>
<li><a href="${escapeHtml(`${base}/api/v1/status`)}">API JSON dello stato dei servizi</a></li>
<li><a href="${escapeHtml(`${base}/status`)}">Stato in formato leggibile dalle macchine</a></li>
<li><a href="${escapeHtml(`${base}/stato/attestazioni/verifica`)}">Verifica un’attestazione di disservizio</a></li>
<li><a href="${escapeHtml(`${base}/dichiarazione-di-accessibilita`)}">Dichiarazione di accessibilità</a></li>
</ul>
</footer>
</body>
</html>
`;
}

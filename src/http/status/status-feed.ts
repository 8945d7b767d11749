import {
  incidentStateLabels,
  maintenanceStateLabels,
  serviceStateLabels,
  type StatusView,
} from '../../services/status/status-view.js';
import { escapeXmlAttribute } from '../../domain/shared/xml-text.js';
import { formatIsoDateTimeIt } from './status-page.js';

/**
 * The Atom 1.0 feed (RFC 4287) of the status page: one entry per incident update and one per maintenance,
 * newest first, at most `MAX_FEED_ENTRIES`. Ids are stable: an update keeps its id as later ones arrive
 * (updates are appended, oldest first); a maintenance gets a new entry when its state changes.
 */

export interface StatusFeedOptions {
  /** Absolute base of the public links, e.g. https://gara.example.it (a trailing slash is ignored). */
  baseUrl: string;
  /** The feed's `updated` when it has no entries (default: `view.generatedAt`). */
  updated?: string;
}

export const MAX_FEED_ENTRIES = 50;

/** Escapes text for XML content and attributes; drops the characters XML 1.0 does not allow. */
export function escapeXml(value: string): string {
  return escapeXmlAttribute(value, { invalid: 'drop' });
}

/** RFC 3339 in UTC (2021-05-03T07:45:00Z), or null when the value is not a date. */
function rfc3339(value: string): string | null {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return null;
  return d.toISOString().replace('.000Z', 'Z');
}

interface Entry {
  id: string;
  title: string;
  updated: string;
  /** For ordering: newest first, then the later-declared first. */
  time: number;
  seq: number;
  link: string;
  content: string;
}

export function renderStatusFeed(view: StatusView, options: StatusFeedOptions): string {
  const base = options.baseUrl.replace(/\/+$/, '');
  const names = new Map(view.services.map((s) => [s.code, s.name]));
  const serviceList = (codes: string[]) =>
    codes.length === 0 ? 'nessuno indicato' : codes.map((c) => names.get(c) ?? c).join(', ');
  const fallback = rfc3339(options.updated ?? '') ?? rfc3339(view.generatedAt) ?? '1970-01-01T00:00:00Z';

  const entries: Entry[] = [];
  let seq = 0;
  for (const incident of view.incidents) {
    incident.updates.forEach((update, index) => {
      const updated = rfc3339(update.at) ?? fallback;
      entries.push({
        id: `${base}/status#${incident.id}-${index}`,
        title: `${incident.code} — ${incidentStateLabels[update.state]}: ${incident.title}`,
        updated,
        time: Date.parse(updated),
        seq: seq++,
        link: `${base}/stato#${incident.code}`,
        content: [
          update.message,
          '',
          `Impatto: ${serviceStateLabels[incident.impact]}.`,
          `Servizi interessati: ${serviceList(incident.services)}.`,
          `Aggiornamento del ${formatIsoDateTimeIt(update.at)} (ora italiana).`,
        ].join('\n'),
      });
    });
  }
  for (const m of view.maintenances) {
    // Completed: when it ended; otherwise its start (an upcoming one sorts on top, which is the point).
    const updated = rfc3339(m.state === 'completed' ? m.endsAt : m.startsAt) ?? fallback;
    entries.push({
      id: `${base}/status#maintenance-${m.id}-${m.state}`,
      title: `Manutenzione — ${maintenanceStateLabels[m.state]}: ${m.title}`,
      updated,
      time: Date.parse(updated),
      seq: seq++,
      link: `${base}/stato#manutenzione-${m.id}`,
      content: [
        ...(m.description ? [m.description, ''] : []),
        `Finestra: dal ${formatIsoDateTimeIt(m.startsAt)} al ${formatIsoDateTimeIt(m.endsAt)} (ora italiana).`,
        `Servizi interessati: ${serviceList(m.services)}.`,
      ].join('\n'),
    });
  }
  entries.sort((a, b) => b.time - a.time || b.seq - a.seq);
  const shown = entries.slice(0, MAX_FEED_ENTRIES);
  const feedUpdated = shown[0]?.updated ?? fallback;

  const body = shown
    .map(
      (e) => `  <entry>
    <id>${escapeXml(e.id)}</id>
    <title type="text">${escapeXml(e.title)}</title>
    <updated>${e.updated}</updated>
    <link rel="alternate" type="text/html" href="${escapeXml(e.link)}"/>
    <content type="text">${escapeXml(e.content)}</content>
  </entry>
`,
    )
    .join('');

  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="it">
  <id>${escapeXml(`${base}/status/feed.atom`)}</id>
  <title type="text">gara — stato dei servizi</title>
  <subtitle type="text">Incidenti e manutenzioni dei servizi on line per le gare pubbliche</subtitle>
  <updated>${feedUpdated}</updated>
  <author><name>gara</name></author>
  <link rel="self" type="application/atom+xml" href="${escapeXml(`${base}/status/feed.atom`)}"/>
  <link rel="alternate" type="text/html" href="${escapeXml(`${base}/stato`)}"/>
${body}</feed>
`;
}

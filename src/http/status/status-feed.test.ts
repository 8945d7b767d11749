import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { IncidentView, StatusView } from '../../services/status/status-view.js';
import { escapeXml, MAX_FEED_ENTRIES, renderStatusFeed } from './status-feed.js';

const BASE = 'https://gara.example.it';
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

const may2021Incident: IncidentView = {
  id: '6f1c2a9e-0001',
  code: 'INC-2021-0001',
  title: "Interruzione dei servizi on line dell'Autorità",
  impact: 'major_outage',
  state: 'monitoring',
  services: ['cig_issuance', 'contribution_payments'],
  startedAt: '2021-05-03T07:30:00Z',
  resolvedAt: null,
  source: 'probe',
  updates: [
    {
      at: '2021-05-03T07:45:00Z',
      state: 'investigating',
      message:
        'I servizi di rilascio del CIG e di pagamento del contributo non rispondono. Stiamo verificando.',
    },
    {
      at: '2021-05-04T14:10:00Z',
      state: 'identified',
      message: "Guasto tecnico al sistema di alimentazione elettrica della sede dell'Autorità.",
    },
    {
      at: '2021-05-06T16:00:00Z',
      state: 'monitoring',
      message:
        'Servizi ripristinati in parte. I CIG acquisiti e i pagamenti effettuati dopo il 3 maggio restano validi.',
    },
  ],
};

const olderIncident: IncidentView = {
  id: '6f1c2a9e-0002',
  code: 'INC-2021-0002',
  title: 'Rallentamenti nella consultazione dei CIG',
  impact: 'degraded',
  state: 'resolved',
  services: ['cig_lookup'],
  startedAt: '2021-05-01T09:00:00Z',
  resolvedAt: '2021-05-01T11:20:00Z',
  source: 'staff',
  updates: [
    { at: '2021-05-01T09:05:00Z', state: 'investigating', message: 'Tempi di risposta elevati.' },
    { at: '2021-05-01T11:20:00Z', state: 'resolved', message: 'Tempi di risposta tornati nella norma.' },
  ],
};

/** The first week of May 2021 (history strips are not part of the feed). */
function may2021(overrides: Partial<StatusView> = {}): StatusView {
  return {
    generatedAt: '2021-05-07T08:00:00Z',
    overall: 'major_outage',
    database: 'reachable',
    stale: false,
    services: [
      {
        code: 'cig_issuance',
        name: 'Rilascio CIG e SmartCIG',
        description: '',
        state: 'major_outage',
        history: [],
      },
      {
        code: 'contribution_payments',
        name: 'Pagamento dei contributi',
        description: '',
        state: 'major_outage',
        history: [],
      },
      {
        code: 'cig_lookup',
        name: 'Consultazione dei CIG',
        description: '',
        state: 'operational',
        history: [],
      },
    ],
    incidents: [may2021Incident, olderIncident],
    maintenances: [
      {
        id: 'mnt-1',
        title: "Ripristino dell'alimentazione elettrica della sede",
        description: 'I servizi non saranno disponibili durante la finestra.',
        services: ['cig_issuance', 'contribution_payments', 'cig_lookup'],
        startsAt: '2021-05-08T20:00:00Z',
        endsAt: '2021-05-09T00:00:00Z',
        state: 'scheduled',
      },
    ],
    ...overrides,
  };
}

interface AtomText {
  '#text': string;
  '@_type'?: string;
}
interface AtomEntry {
  id: string;
  title: AtomText;
  updated: string;
  link: { '@_href': string; '@_rel': string }[];
  content: AtomText;
}
interface AtomFeed {
  feed: {
    '@_xmlns': string;
    '@_xml:lang': string;
    id: string;
    title: AtomText;
    updated: string;
    author: { name: string };
    link: { '@_href': string; '@_rel': string }[];
    entry?: AtomEntry[];
  };
}

function parse(xml: string): AtomFeed['feed'] & { entries: AtomEntry[] } {
  expect(XMLValidator.validate(xml)).toBe(true);
  const parser = new XMLParser({
    ignoreAttributes: false,
    parseTagValue: false,
    trimValues: false,
    alwaysCreateTextNode: false,
    isArray: (name) => name === 'entry' || name === 'link',
  });
  const doc = parser.parse(xml) as AtomFeed;
  return { ...doc.feed, entries: doc.feed.entry ?? [] };
}

const render = (view: StatusView, updated?: string) =>
  renderStatusFeed(view, updated === undefined ? { baseUrl: `${BASE}/` } : { baseUrl: BASE, updated });

describe('renderStatusFeed', () => {
  const xml = render(may2021());
  const feed = parse(xml);

  it('is an Atom 1.0 feed in Italian', () => {
    expect(xml.startsWith('<?xml version="1.0" encoding="utf-8"?>')).toBe(true);
    expect(feed['@_xmlns']).toBe('http://www.w3.org/2005/Atom');
    expect(feed['@_xml:lang']).toBe('it');
    expect(feed.title['#text']).toBe('gara — stato dei servizi');
    expect(feed.id).toBe(`${BASE}/status/feed.atom`);
    expect(feed.author.name).toBe('gara');
    expect(feed.link.map((l) => [l['@_rel'], l['@_href']])).toEqual([
      ['self', `${BASE}/status/feed.atom`],
      ['alternate', `${BASE}/stato`],
    ]);
  });

  it('has one entry per incident update and per maintenance, newest first, with unique ids', () => {
    expect(feed.entries).toHaveLength(3 + 2 + 1);
    const ids = feed.entries.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    const times = feed.entries.map((e) => Date.parse(e.updated));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    for (const e of feed.entries) expect(e.updated).toMatch(RFC3339);
    expect(feed.updated).toMatch(RFC3339);
    // The newest entry is the upcoming maintenance (dated by its start).
    expect(feed.updated).toBe('2021-05-08T20:00:00Z');
    expect(feed.entries[0]!.title['#text']).toBe(
      "Manutenzione — Programmata: Ripristino dell'alimentazione elettrica della sede",
    );
  });

  it('titles, dates, links and describes each incident update', () => {
    const monitoring = feed.entries.find((e) => e.id === `${BASE}/status#6f1c2a9e-0001-2`)!;
    expect(monitoring.title['#text']).toBe(
      "INC-2021-0001 — In osservazione: Interruzione dei servizi on line dell'Autorità",
    );
    expect(monitoring.updated).toBe('2021-05-06T16:00:00Z');
    expect(monitoring.link[0]?.['@_href']).toBe(`${BASE}/stato#INC-2021-0001`);
    expect(monitoring.content['@_type']).toBe('text');
    const content = monitoring.content['#text'];
    expect(content).toContain('I CIG acquisiti e i pagamenti effettuati dopo il 3 maggio restano validi.');
    expect(content).toContain('Servizi interessati: Rilascio CIG e SmartCIG, Pagamento dei contributi.');
    expect(content).toContain('Impatto: Interruzione totale.');
    expect(content).toContain('Aggiornamento del 06/05/2021 ore 18:00 (ora italiana).');
    const titles = feed.entries.map((e) => e.title['#text']);
    expect(titles).toContain("INC-2021-0001 — In analisi: Interruzione dei servizi on line dell'Autorità");
    expect(titles).toContain(
      "INC-2021-0001 — Causa individuata: Interruzione dei servizi on line dell'Autorità",
    );
    expect(titles).toContain('INC-2021-0002 — Risolto: Rallentamenti nella consultazione dei CIG');
  });

  it('gives the maintenance window in Rome time', () => {
    const m = feed.entries.find((e) => e.title['#text'].startsWith('Manutenzione'))!;
    expect(m.content['#text']).toContain('Finestra: dal 08/05/2021 ore 22:00 al 09/05/2021 ore 02:00');
    expect(m.link[0]?.['@_href']).toBe(`${BASE}/stato#manutenzione-mnt-1`);
  });

  it('keeps the id of an update when later updates arrive', () => {
    const fewer = parse(
      render(may2021({ incidents: [{ ...may2021Incident, updates: may2021Incident.updates.slice(0, 1) }] })),
    );
    const first = fewer.entries.find((e) => e.title['#text'].includes('In analisi: Interruzione'))!;
    expect(feed.entries.find((e) => e.id === first.id)?.title['#text']).toBe(first.title['#text']);
  });

  it('escapes markup and ampersands in titles and messages, and round-trips them', () => {
    const title = 'Pagamenti & contributi <script>alert("x")</script>';
    const message = "A & B <img src=x onerror=alert(1)> ]]> l'esito";
    const view = may2021({
      incidents: [
        {
          ...may2021Incident,
          title,
          updates: [{ at: '2021-05-03T07:45:00Z', state: 'investigating', message }],
        },
      ],
      maintenances: [{ ...may2021().maintenances[0]!, title: 'M & <b>', description: '<i>&</i>' }],
    });
    const raw = render(view);
    expect(raw).not.toMatch(/<script|<img|<b>|<i>/);
    expect(raw).toContain('Pagamenti &amp; contributi &lt;script&gt;');
    expect(raw).not.toMatch(/&(?!(amp|lt|gt|quot|apos);)/);
    const parsed = parse(raw);
    expect(parsed.entries).toHaveLength(2);
    const entry = parsed.entries.find((e) => e.title['#text'].startsWith('INC'))!;
    expect(entry.title['#text']).toBe(`INC-2021-0001 — In analisi: ${title}`);
    expect(entry.content['#text'].startsWith(message)).toBe(true);
    const m = parsed.entries.find((e) => e.title['#text'].startsWith('Manutenzione'))!;
    expect(m.title['#text']).toBe('Manutenzione — Programmata: M & <b>');
  });

  it('drops characters XML cannot carry', () => {
    expect(escapeXml('a\u0000b\u0007c\td\ne')).toBe('ab' + 'c\td\ne');
    const raw = render(
      may2021({
        incidents: [
          {
            ...may2021Incident,
            updates: [{ at: '2021-05-03T07:45:00Z', state: 'investigating', message: 'x\u0001y\uD800' }],
          },
        ],
      }),
    );
    expect(parse(raw).entries.length).toBe(2);
  });

  it('keeps at most 50 entries, the newest', () => {
    const updates = Array.from({ length: 80 }, (_, i) => ({
      at: new Date(Date.parse('2021-05-03T07:45:00Z') + i * 600_000).toISOString(),
      state: 'investigating' as const,
      message: `Aggiornamento ${i}`,
    }));
    const parsed = parse(render(may2021({ incidents: [{ ...may2021Incident, updates }], maintenances: [] })));
    expect(parsed.entries).toHaveLength(MAX_FEED_ENTRIES);
    expect(MAX_FEED_ENTRIES).toBe(50);
    expect(parsed.entries[0]!.content['#text']).toMatch(/^Aggiornamento 79\n/);
    expect(parsed.entries[49]!.content['#text']).toMatch(/^Aggiornamento 30\n/);
    expect(parsed.updated).toBe('2021-05-03T20:55:00Z');
    expect(new Set(parsed.entries.map((e) => e.id)).size).toBe(50);
  });

  it('without entries, is dated by options.updated or the view', () => {
    const empty = may2021({ incidents: [], maintenances: [] });
    const a = parse(render(empty));
    expect(a.entries).toHaveLength(0);
    expect(a.updated).toBe('2021-05-07T08:00:00Z');
    expect(parse(render(empty, '2021-05-07T10:00:00+02:00')).updated).toBe('2021-05-07T08:00:00Z');
    expect(parse(render(empty, '2021-05-07T09:30:00.000Z')).updated).toBe('2021-05-07T09:30:00Z');
  });
});

import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { addDays } from '../../domain/shared/dates.js';
import type { DayStatus, IncidentView, ServiceState, StatusView } from '../../services/status/status-view.js';
import { escapeHtml, renderStatusPage } from './status-page.js';

const BASE = 'https://gara.example.it';
const NOW = new Date('2021-05-07T08:05:00Z');

/** 90 days ending on `today`, operational except the days given. */
function history(today: string, bad: Record<string, [ServiceState, ...string[]]>): DayStatus[] {
  return Array.from({ length: 90 }, (_, i) => {
    const date = addDays(today, i - 89);
    const [state, ...incidents] = bad[date] ?? ['operational'];
    return { date, state, incidents };
  });
}

const outage: Record<string, [ServiceState, ...string[]]> = {
  '2021-05-03': ['major_outage', 'INC-2021-0001'],
  '2021-05-04': ['major_outage', 'INC-2021-0001'],
  '2021-05-05': ['major_outage', 'INC-2021-0001'],
  '2021-05-06': ['major_outage', 'INC-2021-0001'],
  '2021-05-07': ['major_outage', 'INC-2021-0001'],
};

/** The first week of May 2021, as the status page would have shown it on the morning of 7 May. */
function may2021(overrides: Partial<StatusView> = {}): StatusView {
  const incident: IncidentView = {
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
  const older: IncidentView = {
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
  return {
    generatedAt: '2021-05-07T08:00:00Z',
    overall: 'major_outage',
    database: 'reachable',
    stale: false,
    services: [
      {
        code: 'cig_issuance',
        name: 'Rilascio CIG e SmartCIG',
        description: 'Acquisizione dei codici identificativi di gara',
        state: 'major_outage',
        history: history('2021-05-07', outage),
      },
      {
        code: 'contribution_payments',
        name: 'Pagamento dei contributi',
        description: 'Contributo in sede di gara tramite pagoPA',
        state: 'major_outage',
        history: history('2021-05-07', outage),
      },
      {
        code: 'cig_lookup',
        name: 'Consultazione dei CIG',
        description: 'Ricerca pubblica dei CIG',
        state: 'operational',
        history: history('2021-05-07', { '2021-05-01': ['degraded', 'INC-2021-0002'] }),
      },
    ],
    incidents: [incident, older],
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

const render = (view: StatusView) => renderStatusPage(view, { baseUrl: `${BASE}/`, now: NOW });
const STALE_NOTICE = 'la banca dati non risponde';

/** The text of the page without tags and with entities decoded: what a reader sees. */
function text(html: string): string {
  return html
    .replace(/<style>[\s\S]*?<\/style>/g, '')
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

describe('escapeHtml', () => {
  it('escapes the five HTML metacharacters and nothing else', () => {
    expect(escapeHtml(`<a href="x">Tom & Jerry's</a> è`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt; è',
    );
  });
});

describe('renderStatusPage', () => {
  const html = render(may2021());

  it('is one self-contained HTML5 document in Italian, without scripts or external resources', () => {
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="it">')).toBe(true);
    expect(html).toContain('<meta charset="utf-8"/>');
    expect(html).toContain('name="viewport"');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    expect(html).not.toMatch(/\ssrc=/i);
    expect(html).not.toMatch(/url\(|@import/i);
    expect(html).not.toMatch(/rel="stylesheet"/);
    // Every <link> is the Atom alternate, nothing to load.
    expect(html.match(/<link /g)).toHaveLength(1);
    // Balanced markup: the page is also well-formed XML.
    expect(XMLValidator.validate(html)).toBe(true);
  });

  it('has landmarks, one h1 and headings that never skip a level', () => {
    expect(html.match(/<h1[\s>]/g)).toHaveLength(1);
    expect(html).toContain('<h1>Stato dei servizi</h1>');
    for (const tag of ['<header>', '<main id="contenuto">', '<footer>']) expect(html).toContain(tag);
    const levels = [...html.matchAll(/<h([1-6])[\s>]/g)].map((m) => Number(m[1]));
    expect(levels[0]).toBe(1);
    for (let i = 1; i < levels.length; i++) expect(levels[i]! - levels[i - 1]!).toBeLessThanOrEqual(1);
  });

  it('gives every table header a scope', () => {
    const ths = html.match(/<th[\s>][^>]*>?/g) ?? [];
    expect(ths.length).toBeGreaterThan(0);
    for (const th of ths) expect(th).toMatch(/scope="(col|row)"/);
  });

  it('opens with the overall state as a sentence', () => {
    expect(text(html)).toContain(
      'Interruzione totale di uno o più servizi (stato complessivo: Interruzione totale)',
    );
    const calm = render(may2021({ overall: 'operational', incidents: [], maintenances: [] }));
    expect(text(calm)).toContain('Tutti i servizi sono operativi');
    expect(text(calm)).toContain('Nessun incidente in corso.');
    expect(text(html)).not.toContain('Tutti i servizi sono operativi');
  });

  it('lists the services with their state as a text label', () => {
    const t = text(html);
    expect(t).toMatch(/Rilascio CIG e SmartCIG[\s\S]*?Interruzione totale/);
    expect(t).toMatch(/Consultazione dei CIG[\s\S]*?Operativo/);
    expect(html).toContain('<th scope="row">Pagamento dei contributi');
  });

  it('shows the open incident with impact, service names, start in Rome time and updates newest first', () => {
    const t = text(html);
    const open = t.slice(t.indexOf('Incidenti in corso'), t.indexOf('Manutenzioni programmate'));
    expect(open).toContain("Interruzione dei servizi on line dell'Autorità");
    expect(open).toContain('INC-2021-0001');
    expect(open).toContain('Interruzione totale');
    expect(open).toContain('Rilascio CIG e SmartCIG, Pagamento dei contributi');
    // 07:30Z is 09:30 in Rome (CEST).
    expect(open).toContain('03/05/2021 ore 09:30');
    const monitoring = open.indexOf('06/05/2021 ore 18:00 — In osservazione');
    const identified = open.indexOf('04/05/2021 ore 16:10 — Causa individuata');
    const investigating = open.indexOf('03/05/2021 ore 09:45 — In analisi');
    expect(monitoring).toBeGreaterThan(-1);
    expect(identified).toBeGreaterThan(monitoring);
    expect(investigating).toBeGreaterThan(identified);
    expect(open).toContain('Guasto tecnico al sistema di alimentazione elettrica');
    expect(html).toContain('id="INC-2021-0001"');
  });

  it('shows the scheduled maintenance with its window in Rome time', () => {
    const t = text(html);
    expect(t).toContain("Ripristino dell'alimentazione elettrica della sede");
    expect(t).toContain('Programmata');
    expect(t).toContain('dal 08/05/2021 ore 22:00 al 09/05/2021 ore 02:00');
    const done = render(
      may2021({ maintenances: [{ ...may2021().maintenances[0]!, state: 'completed', title: 'Finita' }] }),
    );
    expect(text(done)).not.toContain('Finita');
    expect(text(done)).toContain('Nessuna manutenzione programmata.');
  });

  it('shows the incidents resolved in the last days', () => {
    const t = text(html);
    const resolved = t.slice(t.indexOf('Incidenti risolti negli ultimi giorni'), t.indexOf('Storico degli'));
    expect(resolved).toContain('Rallentamenti nella consultazione dei CIG');
    expect(resolved).toContain('Risolto');
    expect(resolved).toContain('Prestazioni ridotte');
    expect(resolved).toContain('01/05/2021 ore 13:20');
    expect(resolved).not.toContain('INC-2021-0001');
  });

  it('draws a 90-day strip per service, each day described in text', () => {
    const strips = html.match(/<ol class="strip"[\s\S]*?<\/ol>/g) ?? [];
    expect(strips).toHaveLength(3);
    for (const strip of strips) expect(strip.match(/<li /g)).toHaveLength(90);
    expect(html).toContain('<span class="vh">3 maggio 2021: Interruzione totale (INC-2021-0001)</span>');
    expect(html).toContain('<span class="vh">1 maggio 2021: Prestazioni ridotte (INC-2021-0002)</span>');
    expect(html).toContain('<span class="vh">7 febbraio 2021: Operativo</span>');
    expect(html).toContain('aria-label="Storico di Rilascio CIG e SmartCIG, dal 07/02/2021 al 07/05/2021"');
    expect(text(html)).toContain('85 giorni su 90 senza disservizi.');
  });

  it('shows the stale notice with the time of the saved state only when the database does not answer', () => {
    expect(text(html)).not.toContain(STALE_NOTICE);
    for (const view of [
      may2021({ stale: true, database: 'unreachable' }),
      may2021({ stale: true }),
      may2021({ database: 'unreachable' }),
    ]) {
      const t = text(render(view));
      expect(t).toContain(STALE_NOTICE);
      expect(t).toContain("l'ultimo stato salvato, aggiornato al 07/05/2021 ore 10:00");
      // Right after the banner, before the services.
      expect(t.indexOf(STALE_NOTICE)).toBeLessThan(t.indexOf('Servizi'));
    }
  });

  it('has a footer with generation times and the links', () => {
    const footer = html.slice(html.indexOf('<footer>'));
    expect(text(footer)).toContain(
      'Stato aggiornato al 07/05/2021 ore 10:00. Pagina generata il 07/05/2021 ore 10:05.',
    );
    expect(footer).toContain(`href="${BASE}/status/feed.atom"`);
    expect(footer).toContain(`href="${BASE}/api/v1/status"`);
    expect(footer).toContain(`href="${BASE}/status"`);
    expect(footer).toMatch(/<a href="[^"]+">Dichiarazione di accessibilità<\/a>/);
  });

  it('uses Rome winter time and the Rome calendar day', () => {
    const view = may2021({
      generatedAt: '2021-01-15T23:30:00Z',
      incidents: [{ ...may2021().incidents[0]!, startedAt: '2021-01-15T23:30:00Z' }],
    });
    const t = text(render(view));
    expect(t).toContain('16/01/2021 ore 00:30');
    expect(t).not.toContain('15/01/2021');
  });

  it('renders markup in titles, messages and names inert', () => {
    const evil = '<script>alert("x")</script>';
    const base = may2021();
    const view = may2021({
      services: base.services.map((s, i) => (i === 0 ? { ...s, name: `CIG & ${evil}` } : s)),
      incidents: [
        {
          ...base.incidents[0]!,
          code: 'INC"><script>',
          title: `Pagamenti & contributi ${evil}`,
          updates: [
            {
              at: '2021-05-03T07:45:00Z',
              state: 'investigating',
              message: `A & B <img src=x onerror=alert(1)>`,
            },
          ],
        },
      ],
      maintenances: [{ ...base.maintenances[0]!, title: `M & ${evil}`, description: `<b>&</b>` }],
    });
    const page = render(view);
    expect(page).not.toMatch(/<script/i);
    expect(page).not.toMatch(/<img/i);
    expect(page).toContain('Pagamenti &amp; contributi &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(page).toContain('A &amp; B &lt;img src=x onerror=alert(1)&gt;');
    expect(page).toContain('M &amp; &lt;script&gt;');
    expect(page).toContain('&lt;b&gt;&amp;&lt;/b&gt;');
    expect(page).toContain('CIG &amp; &lt;script&gt;');
    expect(page).toContain('id="INC&quot;&gt;&lt;script&gt;"');
    // No bare ampersand anywhere.
    expect(page).not.toMatch(/&(?!(amp|lt|gt|quot|#39);)/);
    expect(text(page)).toContain(`Pagamenti & contributi ${evil}`);
    expect(XMLValidator.validate(page)).toBe(true);
  });

  it('copes with an empty view', () => {
    const page = render({
      generatedAt: '2021-05-07T08:00:00Z',
      overall: 'operational',
      database: 'reachable',
      stale: false,
      services: [],
      incidents: [],
      maintenances: [],
    });
    expect(text(page)).toContain('Tutti i servizi sono operativi');
    expect(text(page)).toContain('Nessun servizio censito.');
    expect(page.match(/<h1[\s>]/g)).toHaveLength(1);
  });
});

import type { PublishedFile } from '../../../services/opendata/ports.js';
import { dataTable, html, page } from '../../portal/layout.js';

export const LICENCE = { id: 'CC-BY-4.0', url: 'https://creativecommons.org/licenses/by/4.0/deed.it' };

export const fileUrl = (file: PublishedFile): string =>
  file.dataset === 'ocds' ? `/opendata/ocds/${file.name}` : `/opendata/files/${file.name}`;

export const presentFile = (file: PublishedFile) => ({ ...file, url: fileUrl(file) });

const datasetLabels: Record<string, string> = {
  cig: 'CIG (lotti)',
  smartcig: 'SmartCIG',
  'stazioni-appaltanti': 'Stazioni appaltanti',
  ocds: 'OCDS 1.1.5 (release package)',
};

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} byte`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1).replace('.', ',')} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1).replace('.', ',')} MB`;
}

/** The catalogue page (Italian). */
export function catalogueHtml(files: PublishedFile[]): string {
  const rows = files.map(
    (f) =>
      html`<tr>
        <td>${datasetLabels[f.dataset] ?? f.dataset}</td>
        <td>${f.period}</td>
        <td><a href="${fileUrl(f)}">${f.name}</a></td>
        <td>${f.format.toUpperCase()}</td>
        <td>${size(f.bytes)}</td>
        <td>${f.rows}</td>
        <td><code>${f.sha256}</code></td>
      </tr>`,
  );
  const body = html`<h1>Dati aperti</h1>
    <p>
      I dati sui CIG, sugli SmartCIG e sulle stazioni appaltanti sono pubblicati ogni mese (il giorno 2, per
      il mese precedente) e ogni giorno come variazioni del giorno precedente, in formato CSV (separatore
      <code>;</code>, UTF-8, importi con la virgola decimale, date AAAA-MM-GG) e JSON. Le procedure sono
      pubblicate anche secondo l'Open Contracting Data Standard 1.1.5 (release package mensili; record package
      per procedura in <code>/opendata/ocds/records/&lt;ocid&gt;.json</code>).
    </p>
    <p>
      Licenza: <a href="${LICENCE.url}">Creative Commons Attribuzione 4.0 Internazionale (CC BY 4.0)</a>. I
      file non contengono dati personali. Catalogo in formato JSON:
      <a href="/opendata/catalogo.json">catalogo.json</a>.
    </p>
    ${
      files.length === 0
        ? html`<p>Nessun file pubblicato.</p>`
        : dataTable(
            'File pubblicati',
            ['Dataset', 'Periodo', 'File', 'Formato', 'Dimensione', 'Righe', 'SHA-256'],
            rows,
          )
    }`;
  return page({ title: 'Dati aperti', body: body.value, breadcrumbs: [{ label: 'Dati aperti' }] });
}

/**
 * The Italian PDF of a downtime certificate ("attestazione di disservizio"), with the PAdES signature
 * placeholder (`@signpdf/placeholder-pdfkit`) in the signature dictionary of the last page. Standard
 * Helvetica only (text reduced to WinAnsi); deterministic for a payload (creation date = issuedAt).
 */
import PDFDocument from 'pdfkit';
import { pdfkitAddPlaceholder } from '@signpdf/placeholder-pdfkit';
import { SUBFILTER_ETSI_CADES_DETACHED } from '@signpdf/utils';
import type {
  CertificateInstant,
  DowntimeCertificatePayload,
} from '../../domain/certificates/downtime-certificate.js';
import { formatDateTimeIt } from '../../domain/shared/dates.js';
import { toWinAnsi } from './payment-documents.js';

const HEAD = '#17324D';
const MUTED = '#5C6F82';
const INK = '#000000';
const MARGINS = { top: 56, bottom: 64, left: 64, right: 56 };
const WIDTH = 595.28 - MARGINS.left - MARGINS.right;
/** Room for the CMS (certificate + signature + attributes), in bytes; hex doubles it in the file. */
export const SIGNATURE_LENGTH = 8192;

const impactIt: Record<string, string> = {
  degraded: 'prestazioni degradate',
  partial_outage: 'interruzione parziale',
  major_outage: 'interruzione totale',
};

const when = (t: CertificateInstant) =>
  `${formatDateTimeIt(new Date(t.utc), { joiner: ' ore ', seconds: true })} (ora italiana, ${t.europeRome}) - UTC ${t.utc}`;

function duration(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `${m} minuti`;
  return `${h} ${h === 1 ? 'ora' : 'ore'} e ${m} minuti`;
}

/** The PDF with an empty signature placeholder: sign it with `@signpdf/signpdf`. */
export async function renderCertificatePdf(payload: DowntimeCertificatePayload): Promise<Buffer> {
  const issuedAt = new Date(payload.issuedAt.utc);
  const pdf = new PDFDocument({
    size: 'A4',
    margins: MARGINS,
    lang: 'it-IT',
    displayTitle: true,
    info: {
      Title: `Attestazione di disservizio ${payload.id}`,
      Subject: toWinAnsi(payload.subject.title),
      Author: toWinAnsi(payload.issuer.name),
      Creator: 'gara',
      CreationDate: issuedAt,
    },
  });
  const chunks: Buffer[] = [];
  pdf.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    pdf.on('end', resolve);
    pdf.on('error', reject);
  });
  const left = MARGINS.left;
  const heading = (text: string) => {
    pdf
      .moveDown(0.6)
      .font('Helvetica-Bold')
      .fontSize(11)
      .fillColor(HEAD)
      .text(toWinAnsi(text), left, pdf.y, { width: WIDTH });
    pdf.moveDown(0.2).font('Helvetica').fontSize(10).fillColor(INK);
  };
  const line = (label: string, value: string) =>
    pdf
      .font('Helvetica-Bold')
      .fontSize(10)
      .fillColor(INK)
      .text(toWinAnsi(`${label}: `), left, pdf.y, { width: WIDTH, continued: true })
      .font('Helvetica')
      .text(toWinAnsi(value));

  pdf
    .font('Helvetica-Bold')
    .fontSize(15)
    .fillColor(HEAD)
    .text(toWinAnsi(payload.issuer.name), left, MARGINS.top, { width: WIDTH });
  pdf.font('Helvetica').fontSize(9.5).fillColor(MUTED).text(toWinAnsi(payload.issuer.unit), { width: WIDTH });
  pdf.moveDown(1);
  pdf
    .font('Helvetica-Bold')
    .fontSize(14)
    .fillColor(INK)
    .text('ATTESTAZIONE DI DISSERVIZIO', { width: WIDTH, align: 'center' });
  pdf
    .font('Helvetica')
    .fontSize(10)
    .text(toWinAnsi(`n. ${payload.id}`), { width: WIDTH, align: 'center' });
  pdf.moveDown(1);
  const s = payload.subject;
  pdf
    .font('Helvetica')
    .fontSize(10)
    .text(
      toWinAnsi(
        s.kind === 'incident'
          ? `Si attesta che i servizi indicati di seguito non sono stati disponibili, o lo sono stati in modo degradato, nell'intervallo riportato, come registrato dall'incidente ${s.code}.`
          : `Si attesta che i servizi indicati di seguito non sono stati disponibili nell'intervallo riportato, per la manutenzione programmata descritta.`,
      ),
      { width: WIDTH, align: 'justify' },
    );

  heading(s.kind === 'incident' ? 'Incidente' : 'Manutenzione programmata');
  if (s.kind === 'incident') {
    line('Codice', s.code);
    line('Titolo', s.title);
    line('Impatto', impactIt[s.impact] ?? s.impact);
    line(
      'Rilevazione',
      s.source === 'probe' ? 'automatica, dai controlli del servizio' : 'registrata dal personale',
    );
  } else {
    line('Titolo', s.title);
    if (s.description) line('Descrizione', s.description);
  }

  heading('Servizi interessati');
  for (const service of payload.services)
    pdf.text(toWinAnsi(`- ${service.name} (${service.code})`), left, pdf.y, { width: WIDTH });

  heading('Intervallo del disservizio');
  line('Inizio', when(payload.start));
  line('Fine', when(payload.end));
  line('Durata', duration(payload.durationMinutes));

  heading('Evidenze dei controlli automatici');
  if (payload.evidence.length === 0) {
    pdf.text('Nessuna: l’intervallo è stato registrato dal personale.'.replace('’', "'"), left, pdf.y, {
      width: WIDTH,
    });
  }
  for (const e of payload.evidence) {
    pdf.text(
      toWinAnsi(
        `- controllo "${e.probe}": primo errore ${formatDateTimeIt(new Date(e.firstFailureAt), { seconds: true })}, ultimo errore ${formatDateTimeIt(new Date(e.lastFailureAt), { seconds: true })}, ${e.failures} ${e.failures === 1 ? 'controllo fallito' : 'controlli falliti'}`,
      ),
      left,
      pdf.y,
      { width: WIDTH },
    );
  }

  heading('Comunicati collegati');
  if (payload.notices.length === 0) pdf.text('Nessun comunicato collegato.', left, pdf.y, { width: WIDTH });
  for (const n of payload.notices) {
    const protocol =
      n.protocolNumbers.length > 0 ? `protocollo ${n.protocolNumbers.join(', ')}` : 'senza protocollo';
    pdf.text(
      toWinAnsi(`- ${n.title} (${n.noticeDate.split('-').reverse().join('/')}; ${protocol})`),
      left,
      pdf.y,
      { width: WIDTH },
    );
  }

  pdf.moveDown(1.2);
  pdf
    .font('Helvetica')
    .fontSize(9)
    .fillColor(MUTED)
    .text(
      toWinAnsi(
        `Emessa il ${formatDateTimeIt(issuedAt, { joiner: ' ore ', seconds: true })} (UTC ${payload.issuedAt.utc}). Documento firmato digitalmente (PAdES); la stessa attestazione è disponibile in formato JSON firmato (JWS). Per verificarla: pagina /stato/attestazioni/verifica oppure "gara attestazione verify FILE". Utilizzabile per la proroga dei termini (d.lgs. 36/2023, art. 25, c. 2) o per l'ammissione di un versamento tardivo.`,
      ),
      left,
      pdf.y,
      { width: WIDTH, align: 'justify' },
    );

  pdfkitAddPlaceholder({
    pdf,
    pdfBuffer: Buffer.alloc(0),
    reason: `Attestazione di disservizio ${payload.id}`,
    contactInfo: '',
    name: toWinAnsi(payload.issuer.name),
    location: 'Italia',
    signingTime: issuedAt,
    signatureLength: SIGNATURE_LENGTH,
    subFilter: SUBFILTER_ETSI_CADES_DETACHED,
  });
  pdf.end();
  await done;
  return Buffer.concat(chunks);
}

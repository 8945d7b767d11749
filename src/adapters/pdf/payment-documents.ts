import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import { groupNoticeNumber } from '../../domain/payments/notice-number.js';
import { formatDateIt, formatDateTimeIt } from '../../domain/shared/dates.js';
import { formatAmountIt } from '../../domain/shared/money.js';
import type { NoticeDocument, ReceiptDocument } from '../../services/payments/ports.js';

/**
 * The pagoPA payment notice ("avviso di pagamento") and the payment receipt, as one-page A4 PDFs in
 * Italian. Standard Helvetica only (WinAnsi encoding): text is reduced to that character set first.
 * The output is deterministic: the PDF creation date (and the file id derived from it) is the notice's
 * issue instant or the payment instant.
 */

/** The documents' contents are declared by the port they serve (services/payments/ports.ts). */
export type PaymentNoticeDocument = NoticeDocument;
export type PaymentReceiptDocument = ReceiptDocument;

const MARGIN = 40;
const WIDTH = 595.28 - 2 * MARGIN; // A4 width less the margins
const PAGE_HEIGHT = 841.89;
/** pagoPA: QR version 4, error correction M; 35 modules of 8 px, shown 4 cm wide (about 3.2 pt a module). */
const QR_OPTIONS = { errorCorrectionLevel: 'M', version: 4 } as const;

/**
 * Draws the QR code as vector squares (one filled rectangle per run of dark modules, with a quiet
 * zone of one module): sharper than an embedded bitmap at any zoom and about three times faster to
 * produce than encoding and embedding a PNG.
 */
function drawQr(pdf: PDFKit.PDFDocument, payload: string, x: number, y: number, size: number): void {
  const { modules } = QRCode.create(payload, QR_OPTIONS);
  const count = modules.size;
  const cell = size / (count + 2);
  pdf.save().rect(x, y, size, size).fill('#FFFFFF');
  pdf.fillColor('#000000');
  for (let row = 0; row < count; row++) {
    for (let col = 0; col < count;) {
      if (!modules.get(row, col)) {
        col += 1;
        continue;
      }
      const start = col;
      while (col < count && modules.get(row, col)) col += 1;
      pdf.rect(x + (start + 1) * cell, y + (row + 1) * cell, (col - start) * cell, cell);
    }
  }
  pdf.fill().restore();
}
const QR_SIZE = 113;
const SUBJECT_MAX = 90;
const WHERE_TO_PAY =
  'Puoi pagare presso banche, uffici postali e altri prestatori di servizi di pagamento aderenti al circuito ' +
  "pagoPA, anche con la loro app o il loro sito: inquadra il codice QR oppure digita il Codice avviso e il codice fiscale dell'Ente creditore.";
const INK = '#17324D';
const MUTED = '#5C6F82';
const ACCENT = '#0066CC';
const RULE = '#C5CED8';

/** Characters of WinAnsi beyond Latin-1, which the standard fonts can show. */
const WIN_ANSI_EXTRA = '€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ';
const TRANSLITERATE: Record<string, string> = { ł: 'l', Ł: 'L', đ: 'd', Đ: 'D', ı: 'i' };
const showable = (c: string) => /[\x20-\x7e\xa0-\xff]/.test(c) || WIN_ANSI_EXTRA.includes(c);

/** One line of text the standard fonts can show: accents dropped only where the font lacks the letter. */
export function toWinAnsi(text: string): string {
  return Array.from(text.replace(/\s+/g, ' ').trim().normalize('NFC'), (c) => {
    if (showable(c)) return c;
    const plain = TRANSLITERATE[c] ?? c.normalize('NFD').replace(/\p{M}/gu, '');
    return Array.from(plain).every(showable) && plain !== '' ? plain : '?';
  }).join('');
}

export function truncateSubject(subject: string): string {
  const chars = Array.from(subject.replace(/\s+/g, ' ').trim());
  if (chars.length <= SUBJECT_MAX) return chars.join('');
  const head = chars.slice(0, SUBJECT_MAX - 1).join('');
  return `${head.trimEnd()}…`;
}

const euro = (cents: number) => `${formatAmountIt(cents)} €`;

export async function renderPaymentNotice(doc: PaymentNoticeDocument): Promise<Buffer> {
  const subject = truncateSubject(doc.subject);
  const code = groupNoticeNumber(doc.noticeNumber);
  const amount = euro(doc.amountCents);
  const due = formatDateIt(doc.dueDate);
  const pdf = newDocument(
    { title: 'Avviso di pagamento pagoPA', subject, author: doc.creditor.name },
    doc.issuedAt,
  );
  const half = (WIDTH - 20) / 2;

  heading(pdf, 'AVVISO DI PAGAMENTO', MARGIN);
  field(pdf, {
    label: 'Oggetto del pagamento',
    value: subject,
    x: MARGIN,
    y: 80,
    width: WIDTH,
    size: 13,
    lines: 2,
  });

  let y = 140;
  party(pdf, { label: 'Ente creditore', ...doc.creditor, x: MARGIN, y, width: half });
  party(pdf, { label: "Destinatario dell'avviso", ...doc.debtor, x: MARGIN + half + 20, y, width: half });

  y = 225;
  rule(pdf, y);
  section(pdf, 'Quanto e quando pagare?', y + 12);
  field(pdf, { label: 'Importo', value: amount, x: MARGIN, y: y + 36, width: half, size: 22 });
  field(pdf, { label: 'Entro il', value: due, x: MARGIN + half + 20, y: y + 36, width: half, size: 22 });

  y = 330;
  rule(pdf, y);
  section(pdf, 'Dove pagare?', y + 12);
  paragraph(pdf, WHERE_TO_PAY, y + 36);

  // The payment slip: what the payer keys in or scans.
  y = 450;
  pdf.lineWidth(1).roundedRect(MARGIN, y, WIDTH, 260, 6).stroke(RULE);
  section(pdf, 'Banche e altri canali', y + 14, MARGIN + 16);
  drawQr(pdf, doc.qrPayload, MARGIN + 16, y + 40, QR_SIZE);
  const x = MARGIN + 16 + QR_SIZE + 24;
  const w = WIDTH - (x - MARGIN) - 16;
  field(pdf, { label: 'Destinatario', value: doc.debtor.name, x, y: y + 40, width: w });
  field(pdf, { label: 'Ente creditore', value: doc.creditor.name, x, y: y + 78, width: w });
  field(pdf, { label: 'Oggetto del pagamento', value: subject, x, y: y + 116, width: w, lines: 2 });
  field(pdf, { label: 'Codice avviso', value: code, x, y: y + 166, width: w / 2, size: 13 });
  field(pdf, {
    label: 'Cod. fiscale Ente creditore',
    value: doc.creditor.fiscalCode,
    x: x + w / 2,
    y: y + 166,
    width: w / 2,
    size: 13,
  });
  field(pdf, { label: 'Importo', value: amount, x, y: y + 206, width: w / 2, size: 13 });
  field(pdf, { label: 'Entro il', value: due, x: x + w / 2, y: y + 206, width: w / 2, size: 13 });

  footer(pdf, `Avviso emesso il ${formatDateIt(doc.issuedAt)} da ${doc.creditor.name}.`);
  return finish(pdf);
}

export async function renderPaymentReceipt(doc: PaymentReceiptDocument): Promise<Buffer> {
  const subject = truncateSubject(doc.subject);
  const pdf = newDocument(
    { title: 'Ricevuta di pagamento pagoPA', subject, author: doc.creditor.name },
    doc.paidAt,
  );

  heading(pdf, 'Ricevuta di pagamento', MARGIN);
  pdf.font('Helvetica').fontSize(11).fillColor(MUTED);
  pdf.text('Pagamento eseguito sul circuito pagoPA.', MARGIN, 72, { width: WIDTH });

  const rows: [string, string][] = [
    ['Oggetto del pagamento', subject],
    ['Importo pagato', euro(doc.amountCents)],
    ['Data e ora del pagamento', formatDateTimeIt(doc.paidAt, { joiner: ', ore ' })],
    ['Prestatore di servizi di pagamento', doc.psp.name],
    ['Codice del prestatore (PSP)', doc.psp.id],
    ['Identificativo della ricevuta', doc.receiptId],
    ['Codice avviso', groupNoticeNumber(doc.noticeNumber)],
    ['Codice IUV', doc.iuv],
    ['Ente creditore', `${doc.creditor.name}\nCodice fiscale ${doc.creditor.fiscalCode}`],
    ['Debitore', `${doc.debtor.name}\nCodice fiscale ${doc.debtor.fiscalCode}`],
    ...(doc.cig ? [['CIG', doc.cig] as [string, string]] : []),
  ];
  let y = 110;
  for (const [label, value] of rows) {
    rule(pdf, y);
    pdf
      .font('Helvetica')
      .fontSize(10)
      .fillColor(MUTED)
      .text(toWinAnsi(label), MARGIN, y + 10, { width: 170 });
    const labelEnd = pdf.y;
    pdf.font('Helvetica-Bold').fontSize(11).fillColor(INK);
    let valueEnd = y + 10;
    for (const line of value.split('\n')) {
      pdf.text(toWinAnsi(line), MARGIN + 180, valueEnd, { width: WIDTH - 180, height: 28, ellipsis: true });
      valueEnd = pdf.y;
    }
    y = Math.max(labelEnd, valueEnd) + 8;
  }
  rule(pdf, y);

  footer(pdf, `Ricevuta emessa da ${doc.creditor.name} sulla base della ricevuta telematica pagoPA.`);
  return finish(pdf);
}

function newDocument(info: { title: string; subject: string; author: string }, createdAt: Date) {
  return new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    lang: 'it-IT',
    displayTitle: true,
    info: {
      Title: info.title,
      Subject: info.subject,
      Author: info.author,
      Creator: 'gara',
      CreationDate: createdAt,
    },
  });
}

function heading(pdf: PDFKit.PDFDocument, text: string, y: number): void {
  pdf.font('Helvetica-Bold').fontSize(20).fillColor(ACCENT).text(text, MARGIN, y, { width: WIDTH });
}

function section(pdf: PDFKit.PDFDocument, text: string, y: number, x = MARGIN): void {
  pdf.font('Helvetica-Bold').fontSize(12).fillColor(ACCENT).text(text.toUpperCase(), x, y, { width: WIDTH });
}

function paragraph(pdf: PDFKit.PDFDocument, text: string, y: number): void {
  pdf.font('Helvetica').fontSize(10.5).fillColor(INK).text(toWinAnsi(text), MARGIN, y, { width: WIDTH });
}

function rule(pdf: PDFKit.PDFDocument, y: number): void {
  pdf
    .moveTo(MARGIN, y)
    .lineTo(MARGIN + WIDTH, y)
    .lineWidth(0.5)
    .stroke(RULE);
}

/** A small grey label above a bold value, kept within `lines` lines so the page never overflows. */
function field(
  pdf: PDFKit.PDFDocument,
  f: { label: string; value: string; x: number; y: number; width: number; size?: number; lines?: number },
): void {
  const size = f.size ?? 11;
  pdf.font('Helvetica').fontSize(9).fillColor(MUTED).text(toWinAnsi(f.label), f.x, f.y, { width: f.width });
  pdf.font('Helvetica-Bold').fontSize(size).fillColor(INK);
  pdf.text(toWinAnsi(f.value), f.x, f.y + 12, {
    width: f.width,
    height: size * 1.25 * (f.lines ?? 1),
    ellipsis: true,
  });
}

function party(
  pdf: PDFKit.PDFDocument,
  p: { label: string; name: string; fiscalCode: string; x: number; y: number; width: number },
): void {
  field(pdf, { label: p.label, value: p.name, x: p.x, y: p.y, width: p.width, size: 12, lines: 2 });
  pdf.font('Helvetica').fontSize(10).fillColor(INK);
  pdf.text(toWinAnsi(`Codice fiscale ${p.fiscalCode}`), p.x, p.y + 46, { width: p.width });
}

function footer(pdf: PDFKit.PDFDocument, text: string): void {
  pdf.font('Helvetica').fontSize(8).fillColor(MUTED);
  pdf.text(toWinAnsi(text), MARGIN, PAGE_HEIGHT - MARGIN - 20, { width: WIDTH, height: 20, ellipsis: true });
}

function finish(pdf: PDFKit.PDFDocument): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    pdf.on('data', (chunk: Buffer) => chunks.push(chunk));
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
    pdf.end();
  });
}

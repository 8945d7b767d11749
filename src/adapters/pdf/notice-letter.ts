import PDFDocument from 'pdfkit';
import type { DailyRegister, TransmissionLetter } from '../../domain/notices/documents.js';
import {
  formatDateIt,
  formatDateTimeIt,
  formatLongDateIt as formatLongDate,
  formatTimeIt,
} from '../../domain/shared/dates.js';
import { toWinAnsi } from './payment-documents.js';

/**
 * The transmission letter with which a regional section of the Osservatorio relays an Authority notice
 * ("comunicato") to the RUPs by certified e-mail, and the AOO's daily protocol register, as A4 PDFs in
 * Italian. Same conventions as the payment documents: standard Helvetica/Courier only (text reduced to
 * WinAnsi with `toWinAnsi`), deterministic output (the PDF creation date, and the file id derived from
 * it, is an instant given in the input).
 *
 * The letter follows the structure of the May 2021 seed letter: letterhead, city and date, protocol
 * label and direction, art. 47 CAD transmission clause, salutation, subject, introduction, the
 * comunicato (title, paragraphs, bullet items), link to the source, signature block, site address.
 */

export type { DailyRegister, TransmissionLetter } from '../../domain/notices/documents.js';

/** "2021-05-07" -> "07 maggio 2021": the letters' style of domain/shared/dates.ts formatLongDateIt. */
export function formatLongDateIt(date: string): string {
  return formatLongDate(date, { twoDigitDay: true });
}

/** Protocol numbers have at least 7 digits (DPR 445/2000, art. 57). */
export const protocolNumber = (n: number): string => String(n).padStart(7, '0');

export type BodyBlock = { kind: 'paragraph' | 'bullet'; text: string };

/**
 * Splits a notice body into paragraphs (separated by blank lines; single line breaks are soft) and
 * bullet items (lines starting with "- "; following lines without the dash continue the item).
 */
export function parseBody(body: string): BodyBlock[] {
  const blocks: BodyBlock[] = [];
  for (const chunk of body.replace(/\r\n?/g, '\n').split(/\n[ \t]*\n/)) {
    let current: BodyBlock | null = null;
    for (const raw of chunk.split('\n')) {
      const line = raw.trim();
      if (line === '') continue;
      const bullet = /^-\s+(.*)$/.exec(line);
      if (bullet) {
        current = { kind: 'bullet', text: bullet[1] ?? '' };
        blocks.push(current);
      } else if (current) {
        current.text += ` ${line}`;
      } else {
        current = { kind: 'paragraph', text: line };
        blocks.push(current);
      }
    }
  }
  return blocks;
}

const INK = '#000000';
const HEAD = '#17324D';
const MUTED = '#5C6F82';
const LINK = '#0B4FA8';
const RULE = '#9AA8B6';
const ALERT = '#A61B1B';

/* ------------------------------------------------------------------------------------------------ */
/* Transmission letter                                                                               */
/* ------------------------------------------------------------------------------------------------ */

const A4_WIDTH = 595.28;
const A4_HEIGHT = 841.89;
const LETTER_MARGINS = { top: 56, bottom: 92, left: 64, right: 56 };
const LETTER_WIDTH = A4_WIDTH - LETTER_MARGINS.left - LETTER_MARGINS.right;
const BODY_SIZE = 10.5;
const BULLET_INDENT = 18;
const LINK_SIZE = 9.5;

export async function renderTransmissionLetter(letter: TransmissionLetter): Promise<Buffer> {
  const date = formatLongDateIt(letter.date);
  const left = LETTER_MARGINS.left;
  const width = LETTER_WIDTH;
  const pdf = new PDFDocument({
    size: 'A4',
    margins: LETTER_MARGINS,
    bufferPages: true,
    lang: 'it-IT',
    displayTitle: true,
    info: {
      Title: toWinAnsi(`${letter.notice.title} - ${letter.protocol.label}`),
      Subject: toWinAnsi(letter.subject),
      Author: toWinAnsi(letter.letterhead.at(-1) ?? letter.signature.office),
      Creator: 'gara',
      CreationDate: letter.issuedAt,
    },
  });

  // Letterhead: the region large and bold, the offices bold, the issuing section (last of 3+) regular.
  pdf.y = LETTER_MARGINS.top;
  letter.letterhead.forEach((line, i, all) => {
    const regular = i > 0 && i === all.length - 1 && all.length >= 3;
    pdf
      .font(regular ? 'Helvetica' : 'Helvetica-Bold')
      .fontSize(i === 0 ? 16 : 9.5)
      .fillColor(HEAD)
      .text(toWinAnsi(line), left, pdf.y, { width });
    if (i === 0) pdf.y += 4;
  });
  pdf.y += 6;
  rule(pdf, left, pdf.y, width);
  pdf.y += 18;

  // City and date, protocol label and direction, the transmission clause in a narrow column.
  pdf.font('Helvetica').fontSize(10).fillColor(INK);
  pdf.text(toWinAnsi(`${letter.city}, ${date}`), left, pdf.y, { width });
  pdf.font('Helvetica-Bold').text(toWinAnsi(letter.protocol.label), left, pdf.y, { width });
  pdf.font('Helvetica').fontSize(9).text(toWinAnsi(letter.protocol.direction), left, pdf.y, { width });
  pdf.y += 12;
  pdf
    .font('Helvetica-Oblique')
    .fontSize(9)
    .fillColor(MUTED)
    .text(toWinAnsi(letter.transmissionClause), left, pdf.y, { width: 170 });
  pdf.y += 14;

  // Salutation on the addressee side, then the subject.
  const addressee = left + width * 0.55;
  pdf
    .font('Helvetica-Bold')
    .fontSize(11)
    .fillColor(INK)
    .text(toWinAnsi(letter.salutation), addressee, pdf.y, { width: width * 0.45 });
  pdf.y += 18;
  const subject = letter.subject.replace(/^\s*oggetto\s*:\s*/i, '');
  pdf
    .font('Helvetica-Bold')
    .fontSize(BODY_SIZE)
    .text('Oggetto: ', left, pdf.y, { width, continued: true })
    .font('Helvetica')
    .text(toWinAnsi(subject));
  pdf.y += 12;

  paragraph(pdf, letter.introduction);

  // The comunicato: title kept with what follows, paragraphs and bullet items.
  pdf.y += 6;
  keepRoom(pdf, 60);
  pdf.font('Helvetica-Bold').fontSize(12).fillColor(INK).text(toWinAnsi(letter.notice.title), left, pdf.y, {
    width,
    align: 'center',
  });
  pdf.y += 8;
  for (const block of parseBody(letter.notice.body)) {
    if (block.kind === 'paragraph') paragraph(pdf, block.text);
    else bullet(pdf, block.text);
  }

  if (letter.notice.sourceUrl) {
    const url = letter.notice.sourceUrl.trim();
    keepRoom(pdf, 30);
    pdf.y += 2;
    const shown = toWinAnsi(url);
    // One line if it can be read at 6.5 pt or more (a wrapped address is easily mistyped), else wrapped.
    pdf.font('Helvetica').fontSize(LINK_SIZE);
    const size = Math.max(6.5, Math.min(LINK_SIZE, (LINK_SIZE * width) / pdf.widthOfString(shown)));
    pdf
      .fontSize(size)
      .fillColor(LINK)
      .text(shown, left, pdf.y, { width, link: linkTarget(url), underline: true });
    pdf.y += 10;
  }

  // Signature block on the right, kept on one page.
  const sigX = left + width * 0.5;
  const sigWidth = width * 0.5;
  keepRoom(pdf, 90);
  pdf.y += 18;
  pdf
    .font('Helvetica')
    .fontSize(10)
    .fillColor(INK)
    .text(toWinAnsi(letter.signature.office), sigX, pdf.y, { width: sigWidth, align: 'center' });
  pdf.y += 10;
  pdf.text(toWinAnsi(letter.signature.role), sigX, pdf.y, { width: sigWidth, align: 'center' });
  if (letter.signature.name) {
    pdf.y += 4;
    pdf
      .font('Helvetica-Bold')
      .text(toWinAnsi(letter.signature.name), sigX, pdf.y, { width: sigWidth, align: 'center' });
  }

  // Footer of every page: protocol label, page number, site address.
  const { start, count } = pdf.bufferedPageRange();
  for (let i = 0; i < count; i++) {
    pdf.switchToPage(start + i);
    pdf.page.margins.bottom = 0; // the footer sits below the text area: no automatic page break
    const y = A4_HEIGHT - 70;
    rule(pdf, left, y - 8, width);
    pdf.font('Helvetica').fontSize(8).fillColor(MUTED);
    pdf.text(toWinAnsi(`${letter.protocol.label} - ${letter.protocol.direction}`), left, y, {
      width: width / 2,
      lineBreak: false,
    });
    pdf.text(`pagina ${i + 1} di ${count}`, left + width / 2, y, {
      width: width / 2,
      align: 'right',
      lineBreak: false,
    });
    if (letter.website) {
      pdf
        .font('Helvetica-Bold')
        .fontSize(9)
        .fillColor(HEAD)
        .text(toWinAnsi(letter.website), left, y + 16, { width, align: 'center', lineBreak: false });
    }
  }
  return finish(pdf);
}

function paragraph(pdf: PDFKit.PDFDocument, text: string): void {
  keepRoom(pdf, 2 * BODY_SIZE * 1.3);
  pdf.font('Helvetica').fontSize(BODY_SIZE).fillColor(INK).text(toWinAnsi(text), LETTER_MARGINS.left, pdf.y, {
    width: LETTER_WIDTH,
    align: 'justify',
    lineGap: 1.5,
  });
  pdf.y += 7;
}

function bullet(pdf: PDFKit.PDFDocument, text: string): void {
  keepRoom(pdf, 2 * BODY_SIZE * 1.3);
  const x = LETTER_MARGINS.left + BULLET_INDENT;
  const y = pdf.y;
  pdf.font('Helvetica').fontSize(BODY_SIZE).fillColor(INK);
  pdf.text('•', LETTER_MARGINS.left + 6, y, { lineBreak: false });
  pdf.text(toWinAnsi(text), x, y, { width: LETTER_WIDTH - BULLET_INDENT, align: 'justify', lineGap: 1.5 });
  pdf.y += 5;
}

/** Starts a new page unless `height` points fit above the bottom margin. */
function keepRoom(pdf: PDFKit.PDFDocument, height: number): void {
  if (pdf.y + height > pdf.page.height - pdf.page.margins.bottom) pdf.addPage();
}

/** The annotation's target: an absolute URL normalised (non-ASCII escaped), else the text as given. */
function linkTarget(url: string): string {
  try {
    return new URL(url).href;
  } catch {
    return url;
  }
}

/* ------------------------------------------------------------------------------------------------ */
/* Daily protocol register                                                                           */
/* ------------------------------------------------------------------------------------------------ */

const REG_MARGIN = 36;
const REG_PAGE = { width: A4_HEIGHT, height: A4_WIDTH }; // landscape
const REG_WIDTH = REG_PAGE.width - 2 * REG_MARGIN;
const REG_BOTTOM = REG_PAGE.height - REG_MARGIN - 24; // the footer below
const CELL_PAD = 3;
const CELL_SIZE = 8;
/** Shortened fingerprints in the table: the first 16 hex digits (64 bits). */
const SHORT_HASH = 16;

interface Column {
  title: string;
  width: number;
  mono?: boolean;
}
interface Cell {
  text: string;
  bold?: boolean;
  color?: string;
}

const REGISTRATION_COLUMNS: Column[] = [
  { title: 'Numero', width: 62 },
  { title: 'Ora', width: 48 },
  { title: 'Tipo', width: 44 },
  { title: 'Oggetto', width: 262 },
  { title: 'Mittente / destinatari', width: 214 },
  { title: 'Impronta SHA-256', width: 140, mono: true },
];
const ANNULMENT_COLUMNS: Column[] = [
  { title: 'Numero annullato', width: 84 },
  { title: 'Data e ora', width: 96 },
  { title: 'Operatore', width: 150 },
  { title: 'Provvedimento di autorizzazione', width: 210 },
  { title: 'Motivo', width: 230 },
];

const when = (at: Date): string => formatDateTimeIt(at, { seconds: true });

export async function renderDailyRegister(register: DailyRegister): Promise<Buffer> {
  const day = formatLongDateIt(register.date);
  const x = REG_MARGIN;
  const pdf = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    margin: REG_MARGIN,
    bufferPages: true,
    lang: 'it-IT',
    displayTitle: true,
    info: {
      Title: toWinAnsi(`Registro giornaliero di protocollo ${register.aoo.code} del ${day}`),
      Subject: toWinAnsi(`${register.aoo.name} - registro ${register.register}`),
      Author: toWinAnsi(register.aoo.name),
      Creator: 'gara',
      CreationDate: register.generatedAt,
    },
  });

  pdf
    .font('Helvetica-Bold')
    .fontSize(16)
    .fillColor(HEAD)
    .text('Registro giornaliero di protocollo', x, REG_MARGIN, { width: REG_WIDTH });
  pdf.font('Helvetica').fontSize(10).fillColor(INK);
  pdf.text(toWinAnsi(`AOO: ${register.aoo.code} - ${register.aoo.name}`), x, pdf.y + 4, { width: REG_WIDTH });
  pdf.text(toWinAnsi(`Registro: ${register.register}`), x, pdf.y, { width: REG_WIDTH });
  pdf.text(`Data: ${day} (${formatDateIt(register.date)})`, x, pdf.y, { width: REG_WIDTH });
  pdf.y += 12;

  // The day's registrations.
  sectionTitle(pdf, `Registrazioni del giorno (${register.registrations.length})`);
  if (register.registrations.length === 0) note(pdf, 'Nessuna registrazione nel giorno.');
  else
    table(
      pdf,
      REGISTRATION_COLUMNS,
      register.registrations.map((r) => {
        const dim = r.annulled ? MUTED : INK;
        return [
          {
            text: r.annulled ? `${protocolNumber(r.number)}\nANNULLATA` : protocolNumber(r.number),
            bold: true,
            color: r.annulled ? ALERT : INK,
          },
          { text: formatTimeIt(r.at, { seconds: true }), color: dim },
          { text: r.direction === 'U' ? 'Uscita' : 'Entrata', color: dim },
          { text: r.subject, color: dim },
          { text: r.correspondents, color: dim },
          { text: `${r.sha256.slice(0, SHORT_HASH)}…`, color: dim },
        ];
      }),
    );

  // The day's annulments.
  pdf.y += 14;
  keepRegisterRoom(pdf, 60);
  sectionTitle(pdf, `Annullamenti del giorno (${register.annulments.length})`);
  if (register.annulments.length === 0) note(pdf, 'Nessun annullamento nel giorno.');
  else
    table(
      pdf,
      ANNULMENT_COLUMNS,
      register.annulments.map((a) => [
        { text: protocolNumber(a.number), bold: true },
        { text: when(a.at) },
        { text: a.operator },
        { text: a.measure },
        { text: a.reason },
      ]),
    );

  // Totals and the fingerprint of the JSON export.
  const outgoing = register.registrations.filter((r) => r.direction === 'U').length;
  const annulled = register.registrations.filter((r) => r.annulled).length;
  pdf.y += 14;
  keepRegisterRoom(pdf, 130);
  sectionTitle(pdf, 'Totali');
  pdf.font('Helvetica').fontSize(10).fillColor(INK);
  for (const line of [
    `Registrazioni: ${register.registrations.length} (in uscita: ${outgoing}, in entrata: ${register.registrations.length - outgoing})`,
    `Registrazioni del giorno annullate: ${annulled}`,
    `Annullamenti registrati nel giorno: ${register.annulments.length}`,
  ])
    pdf.text(line, x, pdf.y, { width: REG_WIDTH });
  pdf.y += 14;
  pdf
    .font('Helvetica-Bold')
    .fontSize(10)
    .text("Impronta SHA-256 dell'esportazione JSON del registro giornaliero:", x, pdf.y, {
      width: REG_WIDTH,
    });
  pdf
    .font('Courier')
    .fontSize(10)
    .text(toWinAnsi(register.jsonSha256), x, pdf.y + 2, { width: REG_WIDTH });
  pdf.y += 8;
  pdf
    .font('Helvetica')
    .fontSize(8)
    .fillColor(MUTED)
    .text(`Generato il ${when(register.generatedAt)}`, x, pdf.y, { width: REG_WIDTH });

  const { start, count } = pdf.bufferedPageRange();
  for (let i = 0; i < count; i++) {
    pdf.switchToPage(start + i);
    pdf.page.margins.bottom = 0;
    const y = REG_PAGE.height - REG_MARGIN - 10;
    rule(pdf, x, y - 6, REG_WIDTH);
    pdf.font('Helvetica').fontSize(8).fillColor(MUTED);
    pdf.text(
      toWinAnsi(
        `Registro giornaliero ${register.aoo.code} ${register.register} - ${formatDateIt(register.date)}`,
      ),
      x,
      y,
      { width: REG_WIDTH / 2, lineBreak: false },
    );
    pdf.text(`pagina ${i + 1} di ${count}`, x + REG_WIDTH / 2, y, {
      width: REG_WIDTH / 2,
      align: 'right',
      lineBreak: false,
    });
  }
  return finish(pdf);
}

function sectionTitle(pdf: PDFKit.PDFDocument, text: string): void {
  pdf.font('Helvetica-Bold').fontSize(11).fillColor(HEAD).text(text, REG_MARGIN, pdf.y, { width: REG_WIDTH });
  pdf.y += 4;
}

function note(pdf: PDFKit.PDFDocument, text: string): void {
  pdf
    .font('Helvetica-Oblique')
    .fontSize(9)
    .fillColor(MUTED)
    .text(text, REG_MARGIN, pdf.y, { width: REG_WIDTH });
}

function keepRegisterRoom(pdf: PDFKit.PDFDocument, height: number): void {
  if (pdf.y + height > REG_BOTTOM) {
    pdf.addPage();
    pdf.y = REG_MARGIN;
  }
}

/** A table that grows row by row, its header repeated on each page it continues on. */
function table(pdf: PDFKit.PDFDocument, columns: Column[], rows: Cell[][]): void {
  const font = (column: Column | undefined, cell: Cell | undefined) =>
    column?.mono ? 'Courier' : cell?.bold ? 'Helvetica-Bold' : 'Helvetica';
  const heightOf = (cells: Cell[]) =>
    Math.max(
      ...columns.map((column, i) => {
        const cell = cells[i];
        pdf.font(font(column, cell)).fontSize(CELL_SIZE);
        return pdf.heightOfString(text(cell), { width: column.width - 2 * CELL_PAD });
      }),
    ) +
    2 * CELL_PAD;
  const text = (cell: Cell | undefined) => (cell?.text ?? '').split('\n').map(toWinAnsi).join('\n');
  const draw = (cells: Cell[], height: number, header: boolean) => {
    const y = pdf.y;
    if (header) pdf.rect(REG_MARGIN, y, REG_WIDTH, height).fill('#E8EDF2');
    let cx = REG_MARGIN;
    columns.forEach((column, i) => {
      const cell = cells[i];
      pdf
        .font(header ? 'Helvetica-Bold' : font(column, cell))
        .fontSize(CELL_SIZE)
        .fillColor(header ? HEAD : (cell?.color ?? INK))
        .text(text(cell), cx + CELL_PAD, y + CELL_PAD, {
          width: column.width - 2 * CELL_PAD,
          height: height - 2 * CELL_PAD + 1,
          ellipsis: true,
        });
      cx += column.width;
    });
    rule(pdf, REG_MARGIN, y + height, REG_WIDTH);
    pdf.y = y + height;
  };
  const headerCells = columns.map((c) => ({ text: c.title, bold: true }));
  const header = () => {
    const height = heightOf(headerCells);
    draw(headerCells, height, true);
  };
  keepRegisterRoom(pdf, heightOf(headerCells) + 24);
  header();
  for (const row of rows) {
    const height = Math.min(heightOf(row), REG_BOTTOM - REG_MARGIN - 40);
    if (pdf.y + height > REG_BOTTOM) {
      pdf.addPage();
      pdf.y = REG_MARGIN;
      header();
    }
    draw(row, height, false);
  }
}

/* ------------------------------------------------------------------------------------------------ */

function rule(pdf: PDFKit.PDFDocument, x: number, y: number, width: number): void {
  pdf
    .moveTo(x, y)
    .lineTo(x + width, y)
    .lineWidth(0.5)
    .stroke(RULE);
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

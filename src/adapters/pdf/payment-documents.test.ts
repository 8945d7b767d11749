import jsqr from 'jsqr';
import * as mupdf from 'mupdf';
import { describe, expect, it } from 'vitest';
import {
  renderPaymentNotice,
  renderPaymentReceipt,
  toWinAnsi,
  truncateSubject,
  type PaymentNoticeDocument,
  type PaymentReceiptDocument,
} from './payment-documents.js';

// jsqr is CommonJS (module.exports = jsQR) but its types declare an ES default export.
const jsQR = jsqr as unknown as typeof jsqr.default;

const creditor = { name: 'Autorità Nazionale Anticorruzione', fiscalCode: '97584460584' };
const debtor = { name: 'Costruzioni Edili Città di Castello S.r.l.', fiscalCode: '01234567890' };

const notice: PaymentNoticeDocument = {
  subject: 'Contributo gara CIG B1234567AB - partecipazione operatore economico',
  creditor,
  debtor,
  amountCents: 102099,
  dueDate: '2025-06-30',
  noticeNumber: '301202500000122805',
  qrPayload: 'PAGOPA|002|301202500000122805|97584460584|102099',
  issuedAt: new Date('2025-05-07T08:15:00Z'),
};

const receipt: PaymentReceiptDocument = {
  subject: notice.subject,
  creditor,
  debtor,
  amountCents: 102099,
  noticeNumber: notice.noticeNumber,
  iuv: '01202500000122805',
  receiptId: 'c3f1a2b4e5d64f7a8b9c0d1e2f3a4b5c',
  // 22:45 UTC on 31 May is 00:45 on 1 June in Rome (CEST).
  paidAt: new Date('2025-05-31T22:45:00Z'),
  psp: { id: 'ABI03069', name: 'Intesa Sanpaolo S.p.A.' },
  cig: 'B1234567AB',
};

function firstPage(pdf: Buffer) {
  const doc = mupdf.Document.openDocument(pdf, 'application/pdf');
  return { pages: doc.countPages(), page: doc.loadPage(0) };
}

const pageText = (pdf: Buffer): string =>
  firstPage(pdf).page.toStructuredText('preserve-whitespace').asText();

/** Renders page 1 at 144 dpi and decodes the first QR code found on it. */
function decodeQr(pdf: Buffer) {
  const pix = firstPage(pdf).page.toPixmap(mupdf.Matrix.scale(2, 2), mupdf.ColorSpace.DeviceRGB, false, true);
  const [width, height, stride, n] = [
    pix.getWidth(),
    pix.getHeight(),
    pix.getStride(),
    pix.getNumberOfComponents(),
  ];
  const samples = pix.getPixels();
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const from = y * stride + x * n;
      const to = (y * width + x) * 4;
      rgba.set(samples.subarray(from, from + 3), to);
      rgba[to + 3] = 255;
    }
  return jsQR(rgba, width, height);
}

describe('payment notice PDF', () => {
  it('carries a QR code (pagoPA payload) that decodes from the rendered page', async () => {
    const pdf = await renderPaymentNotice(notice);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(firstPage(pdf).pages).toBe(1);
    const qr = decodeQr(pdf);
    expect(qr?.data).toBe('PAGOPA|002|301202500000122805|97584460584|102099');
    expect(qr?.version).toBe(4);
  });

  it('prints amount, due date, grouped notice code, creditor and debtor in Italian', async () => {
    const text = pageText(await renderPaymentNotice(notice));
    for (const expected of [
      'AVVISO DI PAGAMENTO',
      'Oggetto del pagamento',
      notice.subject,
      '1.020,99 €',
      'Entro il',
      '30/06/2025',
      'Codice avviso',
      '3012 0250 0000 1228 05',
      'Ente creditore',
      'Autorità Nazionale Anticorruzione',
      '97584460584',
      "Destinatario dell'avviso",
      'Costruzioni Edili Città di Castello S.r.l.',
      '01234567890',
      'DOVE PAGARE?',
      'Avviso emesso il 07/05/2025',
    ])
      expect(text).toContain(expected);
  });

  it('truncates a long subject to 90 characters with an ellipsis', async () => {
    const long = `Contributo per la partecipazione alla procedura aperta ${'lavori di manutenzione '.repeat(5)}`;
    const shown = truncateSubject(long);
    expect(Array.from(shown)).toHaveLength(90);
    expect(shown.endsWith('…')).toBe(true);
    const text = pageText(await renderPaymentNotice({ ...notice, subject: long }));
    expect(text).toContain(shown.slice(0, 40));
    expect(text).not.toContain(long.trim());
  });

  it('keeps characters outside the standard fonts readable', async () => {
    expect(toWinAnsi('Wałęsa Sp. z o.o. – “Kraków”')).toBe('Walesa Sp. z o.o. – “Kraków”');
    expect(toWinAnsi('北京 Ltd')).toBe('?? Ltd');
    const text = pageText(
      await renderPaymentNotice({ ...notice, debtor: { ...debtor, name: 'Wałęsa Sp. z o.o.' } }),
    );
    expect(text).toContain('Walesa Sp. z o.o.');
  });

  it('is deterministic and carries Italian metadata', async () => {
    const [a, b] = [await renderPaymentNotice(notice), await renderPaymentNotice(notice)];
    expect(a.equals(b)).toBe(true);
    const doc = mupdf.Document.openDocument(a, 'application/pdf');
    expect(doc.getMetaData('info:Title')).toBe('Avviso di pagamento pagoPA');
    expect(doc.getMetaData('info:Creator')).toBe('gara');
  });

  it('renders 20 notices well within a second each', async () => {
    const start = performance.now();
    for (let i = 0; i < 20; i++)
      await renderPaymentNotice({ ...notice, amountCents: notice.amountCents + i });
    const perNotice = (performance.now() - start) / 20;
    console.log(`payment notice: ${perNotice.toFixed(1)} ms each`);
    expect(perNotice * 20).toBeLessThan(10_000);
  });
});

describe('payment receipt PDF', () => {
  it('prints receipt id, amount, PSP, payment time in Rome and the references', async () => {
    const pdf = await renderPaymentReceipt(receipt);
    expect(firstPage(pdf).pages).toBe(1);
    const text = pageText(pdf);
    for (const expected of [
      'Ricevuta di pagamento',
      receipt.receiptId,
      '1.020,99 €',
      'Intesa Sanpaolo S.p.A.',
      'ABI03069',
      '01/06/2025, ore 00:45',
      '01202500000122805',
      '3012 0250 0000 1228 05',
      'Autorità Nazionale Anticorruzione',
      'Codice fiscale 97584460584',
      'Costruzioni Edili Città di Castello S.r.l.',
      'Codice fiscale 01234567890',
    ])
      expect(text).toContain(expected);
    expect(text).toMatch(/^CIG\nB1234567AB$/m);
  });

  it('omits the CIG row when there is none', async () => {
    const text = pageText(await renderPaymentReceipt({ ...receipt, cig: undefined }));
    expect(text).not.toMatch(/^CIG$/m);
    expect(text).toContain(receipt.receiptId);
  });
});

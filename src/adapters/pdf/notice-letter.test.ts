import * as mupdf from 'mupdf';
import { describe, expect, it } from 'vitest';
import {
  formatLongDateIt,
  parseBody,
  renderDailyRegister,
  renderTransmissionLetter,
  type DailyRegister,
  type TransmissionLetter,
} from './notice-letter.js';

// The seed letter of 7 May 2021 (AOO_092/0001228), with its real text.
const BULLET_CIG =
  "per quanto riguarda l'acquisizione dei CIG e SmartCIG, per gli affidamenti urgenti e non rinviabili, si invitano le stazioni appaltanti ad avviare le procedure e pubblicare gli atti di gara procedendo successivamente alla regolarizzazione dell'acquisizione del CIG e alla comunicazione all'Autorità dei dati di pubblicazione; a tal fine, la stazione appaltante indicherà negli atti di gara che il CIG è in fase di acquisizione, provvedendo successivamente alla sua pubblicazione;";
const BULLET_PAYMENT =
  'con riferimento ai servizi per il pagamento della contribuzione in sede di gara, si invitano le stazioni appaltanti ad ammettere alle procedure in scadenza gli operatori economici che manifestassero o avessero manifestato difficoltà nel pagamento del contributo, con riserva di regolarizzazione della posizione contributiva appena la piattaforma di pagamento sarà nuovamente disponibile.';
const BODY = [
  "A seguito di un guasto tecnico al sistema di alimentazione elettrica della sede dell'Autorità Nazionale Anticorruzione, i servizi online dell'ANAC hanno subito diverse interruzioni a partire dal 3 maggio u.s..",
  '',
  "L'Autorità sta lavorando per risolvere la problematica quanto prima. Alcune stazioni appaltanti ed operatori economici sono comunque riusciti ad acquisire il CIG ovvero ad effettuare il pagamento del contributo in sede di gara anche dopo il 3 maggio, pertanto gli stessi restano pienamente validi ed utilizzabili.",
  '',
  'Per gli utenti che invece si siano collegati nei momenti di interruzione del servizio, si forniscono le seguenti indicazioni:',
  '',
  `- ${BULLET_CIG}`,
  `- ${BULLET_PAYMENT}`,
  '',
  'Seguirà nuovo avviso ad avvenuto ripristino dei servizi.',
].join('\n');
const SOURCE =
  'http://www.anticorruzione.it/portal/public/classic/Comunicazione/News/news?id=4260f0350a7780420ece5b805831d681';

const letter: TransmissionLetter = {
  letterhead: [
    'REGIONE PUGLIA',
    'SEGRETERIA GENERALE DELLA PRESIDENZA',
    'SEZIONE GESTIONE INTEGRATA ACQUISTI',
    'Sezione regionale Osservatorio Contratti Pubblici',
  ],
  city: 'Bari',
  date: '2021-05-07',
  protocol: { label: 'AOO_092/0001228', direction: 'Protocollo Uscita' },
  transmissionClause: "Trasmissione a mezzo posta elettronica ai sensi dell'art.47 del D. Lgs n. 82/2005",
  salutation: 'Gentile RUP',
  subject: "interruzione dei servizi on line dell'Autorità.",
  introduction:
    "L'Autorità Nazionale Anticorruzione, causa interruzione dei propri servizi on line, comunica quanto segue tramite le sezioni regionali dell'Osservatorio dei contratti Pubblici",
  notice: { title: 'Comunicato del 6 maggio 2021', body: BODY, sourceUrl: SOURCE },
  signature: { office: 'sezione regionale osservatorio contratti pubblici', role: 'il dirigente' },
  website: 'www.regione.puglia.it',
  issuedAt: new Date('2021-05-07T09:30:00Z'),
};

/** Page texts, whitespace (line breaks of wrapped text, justification gaps) reduced to single spaces. */
function pages(pdf: Buffer): string[] {
  const doc = mupdf.Document.openDocument(pdf, 'application/pdf');
  return Array.from({ length: doc.countPages() }, (_, i) =>
    doc.loadPage(i).toStructuredText('preserve-whitespace').asText().replace(/\s+/g, ' '),
  );
}
const allText = (pdf: Buffer) => pages(pdf).join(' ');

/** Asserts each expected string occurs after the previous one. */
function expectInOrder(text: string, expected: string[]): void {
  let from = 0;
  for (const item of expected) {
    const at = text.indexOf(item, from);
    expect(at, `"${item}" after position ${from}`).toBeGreaterThanOrEqual(0);
    from = at + item.length;
  }
}

describe('transmission letter PDF', () => {
  it('renders every element of the seed letter, in order', async () => {
    const pdf = await renderTransmissionLetter(letter);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const text = allText(pdf);
    // Dates are written with the month in lower case: "07 maggio 2021" (the seed has "07 Maggio 2021").
    expectInOrder(text, [
      'REGIONE PUGLIA',
      'SEGRETERIA GENERALE DELLA PRESIDENZA',
      'SEZIONE GESTIONE INTEGRATA ACQUISTI',
      'Sezione regionale Osservatorio Contratti Pubblici',
      'Bari, 07 maggio 2021',
      'AOO_092/0001228',
      'Protocollo Uscita',
      "Trasmissione a mezzo posta elettronica ai sensi dell'art.47 del D. Lgs n. 82/2005",
      'Gentile RUP',
      "Oggetto: interruzione dei servizi on line dell'Autorità.",
      letter.introduction,
      'Comunicato del 6 maggio 2021',
      'A seguito di un guasto tecnico',
      'restano pienamente validi ed utilizzabili.',
      'si forniscono le seguenti indicazioni:',
      BULLET_CIG,
      BULLET_PAYMENT,
      'Seguirà nuovo avviso ad avvenuto ripristino dei servizi.',
      SOURCE,
      'sezione regionale osservatorio contratti pubblici',
      'il dirigente',
      'www.regione.puglia.it',
    ]);
    expect(text).not.toContain('Maggio');
    expect(text).not.toContain('- per quanto'); // bullet items lose their dash (a bullet glyph instead)
  });

  it('fits the seed letter on one page with its footer, and links the source', async () => {
    const pdf = await renderTransmissionLetter(letter);
    const [first, ...rest] = pages(pdf);
    expect(rest).toHaveLength(0);
    expect(first).toContain('AOO_092/0001228 - Protocollo Uscita');
    expect(first).toContain('pagina 1 di 1');
    const doc = mupdf.Document.openDocument(pdf, 'application/pdf');
    const links = doc
      .loadPage(0)
      .getLinks()
      .map((l) => l.getURI());
    expect(links.length).toBeGreaterThan(0);
    expect(new Set(links)).toEqual(new Set([SOURCE]));
    expect(doc.getMetaData('info:Creator')).toBe('gara');
    expect(doc.getMetaData('info:Title')).toBe('Comunicato del 6 maggio 2021 - AOO_092/0001228');
  });

  it('prints the optional signatory name and omits a missing source link and site', async () => {
    const text = allText(
      await renderTransmissionLetter({
        ...letter,
        notice: { ...letter.notice, sourceUrl: null },
        signature: { ...letter.signature, name: 'dott. Mario Rossi' },
        website: null,
      }),
    );
    expectInOrder(text, ['il dirigente', 'dott. Mario Rossi']);
    expect(text).not.toContain('anticorruzione.it');
    expect(text).not.toContain('www.regione.puglia.it');
  });

  it('runs a long body over several pages, numbered, with the protocol label on each', async () => {
    const paragraphs = Array.from(
      { length: 30 },
      (_, i) => `Paragrafo ${i + 1}. ${'Le stazioni appaltanti regolarizzano la posizione. '.repeat(6)}`,
    );
    const pdf = await renderTransmissionLetter({
      ...letter,
      notice: { ...letter.notice, body: `${paragraphs.join('\n\n')}\n\n- ultimo punto` },
    });
    const texts = pages(pdf);
    expect(texts.length).toBeGreaterThanOrEqual(2);
    texts.forEach((page, i) => {
      expect(page).toContain(`pagina ${i + 1} di ${texts.length}`);
      expect(page).toContain('AOO_092/0001228');
      expect(page).toContain('www.regione.puglia.it');
    });
    expect(texts[0]).toContain('pagina 1 di');
    const text = texts.join(' ');
    expectInOrder(text, ['Gentile RUP', 'Paragrafo 1.', 'Paragrafo 30.', 'ultimo punto', 'il dirigente']);
  });

  it('keeps characters outside WinAnsi from breaking the PDF', async () => {
    const pdf = await renderTransmissionLetter({
      ...letter,
      salutation: 'Gentile RUP Wałęsa',
      subject: 'interruzione dei servizi — 北京 🚧 “ANAC”',
      notice: { ...letter.notice, body: 'Paragrafo con Łódź, ĳ e 😀.\n\n- punto Đakovo' },
      signature: { ...letter.signature, name: 'Zoë Œuvre Dvořák' },
    });
    const text = allText(pdf);
    for (const expected of [
      'Gentile RUP Walesa',
      'interruzione dei servizi — ?? ? “ANAC”',
      'Paragrafo con Lódz, ? e ?.', // accents kept where the font has the letter
      'punto Dakovo',
      'Zoë Œuvre Dvorák',
    ])
      expect(text).toContain(expected);
  });

  it('is deterministic', async () => {
    const [a, b] = [await renderTransmissionLetter(letter), await renderTransmissionLetter(letter)];
    expect(a.equals(b)).toBe(true);
    const later = await renderTransmissionLetter({ ...letter, issuedAt: new Date('2021-05-07T10:00:00Z') });
    expect(later.equals(a)).toBe(false);
  });

  it('rejects a date that is not a calendar day', async () => {
    await expect(renderTransmissionLetter({ ...letter, date: '2021-02-30' })).rejects.toThrow(RangeError);
    expect(formatLongDateIt('2021-12-01')).toBe('01 dicembre 2021');
  });

  it('splits the body into paragraphs and bullet items', () => {
    expect(parseBody('Uno\ncontinua.\n\n- a\n  segue a\n- b\n\n\nDue')).toEqual([
      { kind: 'paragraph', text: 'Uno continua.' },
      { kind: 'bullet', text: 'a segue a' },
      { kind: 'bullet', text: 'b' },
      { kind: 'paragraph', text: 'Due' },
    ]);
  });
});

const sha = (c: string) => c.repeat(64);
const register: DailyRegister = {
  aoo: { code: 'AOO_092', name: 'Sezione Gestione Integrata Acquisti' },
  register: 'REG_PROT',
  date: '2021-05-07',
  registrations: [
    {
      number: 1227,
      at: new Date('2021-05-07T07:12:05Z'),
      direction: 'E',
      subject: 'Comunicato ANAC del 6 maggio 2021: interruzione dei servizi on line',
      correspondents: 'Autorità Nazionale Anticorruzione',
      sha256: sha('a'),
      annulled: false,
    },
    {
      number: 1228,
      at: new Date('2021-05-07T08:30:00Z'),
      direction: 'U',
      subject: "Interruzione dei servizi on line dell'Autorità",
      correspondents: '2.431 destinatari (RUP)',
      sha256: 'b3'.repeat(32),
      annulled: false,
    },
    {
      number: 1229,
      at: new Date('2021-05-07T09:45:30Z'),
      direction: 'U',
      subject: 'Trasmissione errata',
      correspondents: 'Comune di Bari',
      sha256: sha('c'),
      annulled: true,
    },
  ],
  annulments: [
    {
      number: 1229,
      at: new Date('2021-05-07T11:02:00Z'),
      operator: 'Maria Bianchi',
      measure: 'Determinazione dirigenziale n. 45/2021',
      reason: 'Documento trasmesso per errore',
    },
  ],
  jsonSha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  generatedAt: new Date('2021-05-07T22:00:00Z'),
};

describe('daily protocol register PDF', () => {
  it('lists the registrations, the annulments, the totals and the JSON fingerprint', async () => {
    const text = allText(await renderDailyRegister(register));
    expectInOrder(text, [
      'Registro giornaliero di protocollo',
      'AOO_092',
      'Sezione Gestione Integrata Acquisti',
      'REG_PROT',
      '07 maggio 2021',
      'Registrazioni del giorno (3)',
      '0001227',
      '09:12:05', // Rome time (CEST)
      'Entrata',
      'Comunicato ANAC del 6 maggio 2021: interruzione dei servizi on line',
      'Autorità Nazionale Anticorruzione',
      'aaaaaaaaaaaaaaaa…',
      '0001228',
      '10:30:00',
      'Uscita',
      "Interruzione dei servizi on line dell'Autorità",
      '2.431 destinatari (RUP)',
      'b3b3b3b3b3b3b3b3…',
      '0001229 ANNULLATA',
      'Trasmissione errata',
      'Annullamenti del giorno (1)',
      '0001229',
      '07/05/2021 13:02:00',
      'Maria Bianchi',
      'Determinazione dirigenziale n. 45/2021',
      'Documento trasmesso per errore',
      'Totali',
      'Registrazioni: 3 (in uscita: 2, in entrata: 1)',
      'Registrazioni del giorno annullate: 1',
      'Annullamenti registrati nel giorno: 1',
      register.jsonSha256,
    ]);
    expect(text).not.toContain(sha('a')); // registration fingerprints are shortened
    expect(text).toContain('pagina 1 di 1');
  });

  it('says so when the day has no registrations or annulments', async () => {
    const text = allText(await renderDailyRegister({ ...register, registrations: [], annulments: [] }));
    expectInOrder(text, [
      'Nessuna registrazione nel giorno.',
      'Nessun annullamento nel giorno.',
      'Registrazioni: 0',
      register.jsonSha256,
    ]);
  });

  it('continues a long day over several pages, repeating the table header', async () => {
    const registrations = Array.from({ length: 120 }, (_, i) => ({
      ...register.registrations[1]!,
      number: 2000 + i,
      at: new Date(Date.UTC(2021, 4, 7, 6, i)),
    }));
    const texts = pages(await renderDailyRegister({ ...register, registrations }));
    expect(texts.length).toBeGreaterThanOrEqual(3);
    texts.forEach((page, i) => expect(page).toContain(`pagina ${i + 1} di ${texts.length}`));
    for (const page of texts.slice(0, -1)) expect(page).toContain('Impronta SHA-256');
    const text = texts.join(' ');
    expectInOrder(text, ['0002000', '0002119', 'Registrazioni: 120', register.jsonSha256]);
  });

  it('is deterministic', async () => {
    const [a, b] = [await renderDailyRegister(register), await renderDailyRegister(register)];
    expect(a.equals(b)).toBe(true);
  });
});

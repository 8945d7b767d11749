/// <reference lib="dom" />
/**
 * The portal in a real browser (Playwright driving the system Chromium): public CIG check, demo sign-in,
 * a RUP creating a tender (inline errors, then the CIG), CSRF refusal, keyboard use, 320 px width and
 * axe-core on every page visited. Screenshots go to artifacts/screenshots/.
 *
 * Needs Chromium (`apt-get install -y chromium`, as .ci/run does, or CHROMIUM_PATH): skipped, saying
 * so, when there is none.
 */
import { mkdirSync } from 'node:fs';
import { bearer } from '../support/harness.js';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { executable, pdfText, screenshots, seriousViolations } from './support.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateCig } from '../../src/domain/cig/cig.js';
import { createNodeSandbox } from '../../src/adapters/pagopa/node-sandbox.js';
import { buildApp } from '../../src/http/app.js';
import { TokenAuthenticator } from '../../src/services/auth/authenticate.js';
import { StatusMonitor } from '../../src/services/status/status-monitor.js';
import { createHarness, testCreditor, testNodeKey, type Harness } from '../support/harness.js';
import { bidderAndLot } from '../payments/support.js';
import { fileMailer } from '../../src/adapters/mail/mailer.js';
import { dispatchDue } from '../../src/services/notices/dispatch.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

describe.skipIf(!executable)('portal in Chromium', () => {
  let h: Harness;
  let browser: Browser;
  let context: BrowserContext;
  let base: string;
  let rupName: string;
  let rupActor: Awaited<ReturnType<Harness['factories']['rup']>>['actor'];

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    h = await createHarness({ demoSignIn: true });
    const { user, actor } = await h.factories.rup();
    rupName = user.name;
    rupActor = actor;
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
    h.deps.paymentNode = createNodeSandbox({
      baseUrl: () => base,
      creditor: testCreditor,
      clock: h.clock,
      subscriptionKey: testNodeKey,
    });
    browser = await chromium.launch({ executablePath: executable, args: ['--no-sandbox'] });
    context = await browser.newContext({ locale: 'it-IT' });
  });

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('public: the home page and a CIG check, with the reason of an invalid code, accessible', async () => {
    const page = await context.newPage();
    await page.goto(`${base}/`);
    expect(await page.locator('h1').innerText()).toBe('Servizi per i contratti pubblici');
    expect(await page.locator('footer').innerText()).toMatch(
      /Dichiarazione di accessibilità[\s\S]*Ultimo aggiornamento: \d{2}\/\d{2}\/\d{4}/,
    );
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(screenshots, 'home.png'), fullPage: true });

    await page.fill('#codice', 'BC1B001599');
    await page.click('button:has-text("Verifica")');
    await page.waitForURL(/\/cig\?codice=BC1B001599/);
    expect(await page.getByRole('alert').innerText()).toContain('non è un CIG valido');
    expect(await page.getByRole('alert').innerText()).toContain('caratteri di controllo non corrispondono');
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  });

  it('keyboard: the skip link comes first and the CIG form works without a mouse', async () => {
    const page = await context.newPage();
    await page.goto(`${base}/cig`);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Vai al contenuto');
    await page.keyboard.press('Enter');
    expect(page.url()).toMatch(/#contenuto$/);
    await page.focus('#codice');
    await page.keyboard.type('9050626CD6');
    await page.keyboard.press('Enter');
    await page.waitForURL(/codice=9050626CD6/);
    expect(await page.getByRole('status').innerText()).toContain('formalmente valido');
    await page.close();
  });

  it('a RUP signs in, gets an inline error naming the field, then the CIG; the CIG checks out publicly', async () => {
    const page = await context.newPage();
    await page.goto(`${base}/area-personale/gare/nuova`);
    await page.waitForURL(/\/accedi\?dopo=/);
    expect(await seriousViolations(page)).toEqual([]);
    await page.click(`button:has-text("Accedi come ${rupName}")`);
    await page.waitForURL(/\/area-personale\/gare\/nuova$/);
    expect(await page.locator('header').innerText()).toContain(rupName);

    await page.fill('#oggetto', 'Manutenzione delle strade comunali');
    await page.selectOption('#procedura', '3');
    await page.selectOption('#settore', 'ordinary');
    await page.selectOption('#oggetto_contratto', 'works');
    await page.fill('#lotto_oggetto', 'Lotto unico');
    await page.fill('#importo', '250.000,00');
    await page.fill('#cpv', '1234');
    await page.fill('#luogo', '016072006');
    await page.click('button:has-text("Crea la gara")');

    // Refused by the service: the form comes back with what was typed and the error beside the field.
    expect(await page.locator('#cpv').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#cpv-errore').innerText()).toContain('codice CPV');
    expect(await page.getByRole('alert').innerText()).toContain('codice CPV');
    expect(await page.inputValue('#oggetto')).toBe('Manutenzione delle strade comunali');
    expect(await page.inputValue('#importo')).toBe('250.000,00');
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(screenshots, 'nuova-gara-errore.png'), fullPage: true });

    await page.fill('#cpv', '45233140');
    await page.click('button:has-text("Crea la gara")');
    await page.waitForURL(/\/area-personale\/gare\/\d{7}\?creata=1$/);
    expect(await page.getByRole('status').innerText()).toContain('CIG è stato acquisito');
    const cig = (await page.locator('td .cig-code').first().innerText()).trim();
    expect(validateCig(cig)).toMatchObject({ valid: true, family: 'pcp' });
    expect(await page.locator('table').innerText()).toContain('€ 250.000,00');
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(screenshots, 'gara.png'), fullPage: true });

    // The same code, stored: the public check finds it.
    const lot = await h.deps.store.lots.findByCig(cig);
    expect(lot?.object).toBe('Lotto unico');
    await page.goto(`${base}/cig?codice=${cig}`);
    expect(await page.getByRole('status').innerText()).toContain('Lotto unico');

    await page.goto(`${base}/area-personale/gare`);
    expect(await page.locator('tbody').innerText()).toContain('Manutenzione delle strade comunali');
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  });

  it('the RUP perfects a lot (a deadline before publication is refused beside the field) and cancels another', async () => {
    const { lots } = await h.factories.tender(rupActor, { procedureType: '3' });
    const cig = lots[0]!.cig;
    const page = await context.newPage();
    await page.goto(`${base}/area-personale/lotti/${cig}`);
    expect(await page.locator('h1').innerText()).toContain(cig);
    expect(await seriousViolations(page)).toEqual([]);
    await page.fill('#data_pubblicazione', '2026-03-02');
    await page.fill('#scadenza_data', '2026-03-01');
    await page.fill('#scadenza_ora', '12:00');
    await page.click('button:has-text("Perfeziona")');
    expect(await page.locator('#scadenza_data').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#scadenza_data-errore').innerText()).toContain(
      'successiva alla pubblicazione',
    );
    expect((await h.deps.store.lots.findByCig(cig))?.state).toBe('issued');
    expect(await seriousViolations(page)).toEqual([]);

    await page.fill('#scadenza_data', '2026-03-20');
    await page.click('button:has-text("Perfeziona")');
    expect(await page.getByRole('status').innerText()).toContain('CIG perfezionato');
    expect(await page.locator('main dl').innerText()).toMatch(
      /Scadenza delle offerte\s+20\/03\/2026 ore 12:00/,
    );
    const perfected = await h.deps.store.lots.findByCig(cig);
    expect(perfected).toMatchObject({ state: 'perfected', publicationDate: '2026-03-02' });
    expect(perfected?.bidDeadline?.toISOString()).toBe('2026-03-20T11:00:00.000Z');

    const other = (await h.factories.tender(rupActor)).lots[0]!.cig;
    await page.goto(`${base}/area-personale/lotti/${other}`);
    await page.selectOption('#motivo', '4');
    await page.click('button:has-text("Cancella il CIG")');
    expect(await page.locator('#nota-errore').innerText()).toContain('«Altro»');
    expect((await h.deps.store.lots.findByCig(other))?.state).toBe('issued');
    await page.fill('#nota', 'Gara accorpata ad altra procedura');
    await page.click('button:has-text("Cancella il CIG")');
    expect(await page.getByRole('status').innerText()).toContain('CIG cancellato');
    expect(await h.deps.store.lots.findByCig(other)).toMatchObject({
      state: 'cancelled',
      cancelReason: 4,
      cancelNote: 'Gara accorpata ad altra procedura',
    });
    await page.close();
  });

  it('a bidder sees what is owed, gets the pagoPA notice, pays in the sandbox and downloads the receipt', async () => {
    const { lot, bidder } = await bidderAndLot(h, { amount: '480000.00' });
    const own = await browser.newContext({ locale: 'it-IT' });
    const page = await own.newPage();
    await page.goto(`${base}/cig?codice=${lot.cig}`);
    expect(await page.getByRole('status').innerText()).toMatch(/Contributo di ciascun partecipante\s+€ \d/);

    await page.goto(`${base}/area-personale/contributi`);
    await page.waitForURL(/\/accedi\?dopo=/);
    await page.click(`button:has-text("Accedi come ${bidder.user.name}")`);
    await page.waitForURL(/\/area-personale\/contributi$/);
    expect(await seriousViolations(page)).toEqual([]);

    await page.fill('#cig', 'BC1B001599');
    await page.click('button:has-text("Prepara l\'avviso")');
    expect(await page.locator('#cig-errore').innerText()).toContain('non è valido');

    await page.fill('#cig', lot.cig);
    await page.click('button:has-text("Prepara l\'avviso")');
    await page.waitForURL(/\/area-personale\/contributi\/3\d{17}$/);
    const nav = page.url().split('/').pop()!;
    const position = await h.deps.store.payments.findByNoticeNumber(nav);
    expect(position).toMatchObject({ state: 'open', cig: lot.cig });
    expect(await page.locator('main dl').innerText()).toContain('Da pagare');
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(screenshots, 'avviso.png'), fullPage: true });

    const notice = await own.request.get(`${base}/area-personale/contributi/${nav}/avviso.pdf`);
    expect(notice.headers()['content-type']).toBe('application/pdf');
    expect((await notice.body()).subarray(0, 5).toString()).toBe('%PDF-');

    await page.click('button:has-text("Paga nell\'ambiente di prova")');
    await page.waitForURL(/pagato=1$/);
    expect(await page.getByRole('status').innerText()).toContain('Pagamento ricevuto');
    expect(await page.locator('main dl').innerText()).toContain('Pagato');
    expect((await h.deps.store.payments.findByNoticeNumber(nav))?.state).toBe('paid');
    const receipt = await own.request.get(`${base}/area-personale/contributi/${nav}/ricevuta.pdf`);
    expect(receipt.status()).toBe(200);
    expect((await receipt.body()).subarray(0, 5).toString()).toBe('%PDF-');
    await own.close();
  });

  it('the regional office relays a comunicato to its RUPs and follows the dispatch to the end', async () => {
    const staff = await h.factories.user('authority_staff');
    const puglia = await h.factories.user('regional_staff', { regionalSectionCode: 'PUG' });
    await h.factories.rup({ place: '016072006', section: 'PUG' });
    await h.factories.rup({ place: '016075035', section: 'PUG' });
    const published = await h.app.inject({
      method: 'POST',
      url: '/api/v1/notices',
      headers: bearer(staff.token),
      payload: {
        title: "Interruzione dei servizi on line dell'Autorità",
        noticeDate: '2026-03-02',
        kind: 'outage',
        services: ['cig_issuance'],
        body: 'I servizi on line hanno subito interruzioni.\n\nSeguirà nuovo avviso ad avvenuto ripristino dei servizi.',
      },
    });
    expect(published.statusCode).toBe(201);

    const own = await browser.newContext({ locale: 'it-IT' });
    const page = await own.newPage();
    await page.goto(`${base}/area-personale/comunicati`);
    await page.waitForURL(/\/accedi\?dopo=/);
    await page.click(`button:has-text("Accedi come ${puglia.user.name}")`);
    await page.waitForURL(/\/area-personale\/comunicati$/);
    expect(await seriousViolations(page)).toEqual([]);
    await page.click('button:has-text("Inoltra ai RUP della regione")');
    await page.waitForURL(/\/area-personale\/inoltri\/[0-9a-f-]{36}$/);
    const relayId = page.url().split('/').pop()!;
    const relay = await h.deps.store.notices.findRelay(relayId);
    expect(relay?.recipientCount).toBeGreaterThanOrEqual(2);
    expect(await page.locator('h1').innerText()).toMatch(/^Inoltro AOO_\w+\/\d{7} Protocollo Uscita$/);
    expect(await page.locator('dd[data-state="queued"]').innerText()).toBe(String(relay!.recipientCount));
    expect(await seriousViolations(page)).toEqual([]);
    // The page follows the dispatch by itself, and the user can stop it (WCAG 2.2.1).
    expect((await page.reload())?.headers()['refresh']).toBe('5');
    await page.click(`a:has-text("Interrompi l'aggiornamento automatico")`);
    await page.waitForURL(/aggiornamento=no$/);
    expect((await page.reload())?.headers()['refresh']).toBeUndefined();
    await page.click(`a:has-text("Riprendi l'aggiornamento automatico")`);
    await page.waitForURL(/\/inoltri\/[0-9a-f-]{36}$/);
    // Relayed once: the section is not offered to relay the same comunicato again.
    const list = await own.newPage();
    await list.goto(`${base}/area-personale/comunicati`);
    expect(await list.locator('button:has-text("Inoltra ai RUP della regione")').count()).toBe(0);
    await list.close();

    const mailDir = mkdtempSync(join(tmpdir(), 'gara-portal-mail-'));
    try {
      await dispatchDue(h.deps, {
        mailer: fileMailer({ dir: mailDir, from: 'osservatorio@pec.test.example' }),
        webhooks: { post: () => Promise.reject(new Error('no webhook expected')) },
      });
    } finally {
      rmSync(mailDir, { recursive: true, force: true });
    }
    const after = await page.reload();
    expect(after?.headers()['refresh']).toBeUndefined();
    expect(await page.locator('dd[data-state="accepted"]').innerText()).toBe(String(relay!.recipientCount));
    expect(await page.locator('.progress-bar-label').innerText()).toContain('100% — invio concluso');
    await page.screenshot({ path: join(screenshots, 'inoltro.png'), fullPage: true });
    const letter = await own.request.get(`${base}/area-personale/inoltri/${relayId}/lettera.pdf`);
    expect(letter.headers()['content-type']).toBe('application/pdf');
    const csv = await (await own.request.get(`${base}/area-personale/inoltri/${relayId}/esito.csv`)).text();
    expect(csv.split('\r\n')).toHaveLength(relay!.recipientCount + 1);
    await own.close();
  });

  it('during an outage the RUP registers an urgent procedure, then regularises it once CIG issuance is back', async () => {
    const staff = await h.factories.user('authority_staff');
    const opened = await h.app.inject({
      method: 'POST',
      url: '/api/v1/incidents',
      headers: bearer(staff.token),
      payload: {
        title: "Interruzione dei servizi on line dell'Autorità",
        impact: 'major_outage',
        services: ['cig_issuance'],
        message: 'Guasto al sistema di alimentazione elettrica.',
      },
    });
    expect(opened.statusCode).toBe(201);
    const incident = opened.json<{ code: string }>().code;

    const page = await context.newPage();
    await page.goto(`${base}/area-personale/procedure-urgenti/nuova`);
    if (page.url().includes('/accedi')) {
      await page.click(`button:has-text("Accedi come ${rupName}")`);
      await page.waitForURL(/procedure-urgenti\/nuova$/);
    }
    await page.fill('#oggetto', 'Messa in sicurezza del ponte sul torrente');
    await page.selectOption('#procedura', '3');
    await page.selectOption('#settore', 'ordinary');
    await page.selectOption('#oggetto_contratto', 'works');
    await page.fill('#lotto_oggetto', 'Lavori urgenti');
    await page.fill('#importo', '120000,00');
    await page.fill('#cpv', '45233140');
    await page.fill('#luogo', '016072006');
    await page.fill('#data_pubblicazione', '2026-03-02');
    await page.fill('#scadenza_data', '2026-03-12');
    await page.fill('#scadenza_ora', '12:00');
    await page.selectOption('#motivo_urgenza', '2');
    await page.fill('#motivazione', 'breve');
    await page.click('button:has-text("Registra e ottieni")');
    expect(await page.locator('#motivazione').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#motivazione-errore').innerText()).toContain('almeno 10 caratteri');
    expect(await seriousViolations(page)).toEqual([]);

    await page.fill(
      '#motivazione',
      'Il ponte è chiuso al traffico: i lavori non possono attendere il ripristino.',
    );
    await page.click('button:has-text("Registra e ottieni")');
    await page.waitForURL(/procedure-urgenti\/PROV-\d{4}-\d{6}\?registrata=1$/);
    const reference = /PROV-\d{4}-\d{6}/.exec(page.url())![0];
    expect(await page.getByRole('status').innerText()).toContain(
      `CIG in fase di acquisizione — riferimento ${reference}`,
    );
    expect(await page.locator('main dl').innerText()).toContain(incident);
    expect(await page.locator('tbody').innerText()).toContain('in fase di acquisizione');
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(screenshots, 'procedura-urgente.png'), fullPage: true });

    // Anyone verifies the provisional reference printed in the tender documents.
    const check = await context.newPage();
    await check.goto(`${base}/cig?codice=${reference.toLowerCase()}`);
    expect(await check.getByRole('status').innerText()).toMatch(
      new RegExp(`${reference}: CIG in fase di acquisizione[\\s\\S]*Lavori urgenti`),
    );
    expect(await seriousViolations(check)).toEqual([]);
    await check.goto(`${base}/cig?codice=PROV-2026-999999`);
    expect(await check.getByRole('alert').innerText()).toContain('non esiste');

    // The outage is still declared, but CIGs can be issued: one click regularises at once (a declared
    // outage records the window; it does not refuse what works).
    h.clock.set('2026-03-02T10:00:00Z');
    await page.click('button:has-text("Regolarizza")');
    await page.waitForURL(/regolarizzata=1$/);
    const resolved = await h.app.inject({
      method: 'POST',
      url: `/api/v1/incidents/${incident}/updates`,
      headers: bearer(staff.token),
      payload: { state: 'resolved', message: 'Servizi ripristinati.' },
    });
    expect(resolved.statusCode).toBe(200);
    const stored = await h.deps.store.continuity.findProvisional(reference);
    expect(stored?.state).toBe('regularised');
    const cig = stored!.lots[0]!.cig!;
    expect(validateCig(cig).valid).toBe(true);
    expect(await page.locator('tbody').innerText()).toContain(cig);
    expect((await h.deps.store.lots.findByCig(cig))?.publicationDate).toBe('2026-03-02');
    await check.goto(`${base}/cig?codice=${reference}`);
    expect(await check.getByRole('status').innerText()).toMatch(
      new RegExp(`procedura regolarizzata[\\s\\S]*CIG ${cig}`),
    );
    await check.close();
    await page.close();
  });

  it('the RUP requests a SmartCIG; 40,000 EUR or more is refused beside the amount', async () => {
    const page = await context.newPage();
    await page.goto(`${base}/area-personale/smartcig`);
    if (new URL(page.url()).pathname === '/accedi') {
      await page.click(`button:has-text("Accedi come ${rupName}")`);
      await page.waitForURL(/\/area-personale\/smartcig$/);
    }
    await page.selectOption('#fattispecie', 'under_threshold');
    await page.selectOption('#oggetto_contratto', 'supplies');
    await page.selectOption('#procedura', '3');
    await page.fill('#oggetto', 'Fornitura di cancelleria');
    await page.fill('#importo', '40.000,00');
    await page.click('button:has-text("Richiedi lo SmartCIG")');
    expect(await page.locator('#importo').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#importo-errore').innerText()).toContain('inferiori a 40.000,00 euro');
    expect(await seriousViolations(page)).toEqual([]);
    await page.fill('#importo', '12.500,00');
    await page.click('button:has-text("Richiedi lo SmartCIG")');
    const code = (await page.getByRole('status').locator('.cig-code').innerText()).trim();
    expect(validateCig(code)).toMatchObject({ valid: true, family: 'smart_cig' });
    expect(await page.locator('tbody').innerText()).toContain(code);
    await page.close();
  });

  it('refuses a state-changing form without the session CSRF token, and creates nothing', async () => {
    const before = (await h.deps.store.tenders.list({ limit: 1, offset: 0 })).total;
    const response = await context.request.post(`${base}/area-personale/gare/nuova`, {
      form: {
        oggetto: 'Tentativo da un altro sito',
        procedura: '3',
        settore: 'ordinary',
        oggetto_contratto: 'works',
        lotto_oggetto: 'Lotto',
        importo: '1000,00',
        cpv: '45233140',
        luogo: '016072006',
      },
      maxRedirects: 0,
    });
    expect(response.status()).toBe(403);
    expect(await response.text()).toContain('Richiesta non valida');
    expect((await h.deps.store.tenders.list({ limit: 1, offset: 0 })).total).toBe(before);
  });

  it('the session cookie is http-only, SameSite=Lax and Secure; signing out ends it', async () => {
    const cookies = await context.cookies(base);
    const session = cookies.find((c) => c.name === 'gara_sessione');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: true });
    const page = await context.newPage();
    await page.goto(`${base}/area-personale`);
    await page.click('button:has-text("Esci")');
    await page.waitForURL(`${base}/`);
    await page.goto(`${base}/area-personale`);
    await page.waitForURL(/\/accedi/);
    // The old token no longer opens a session, even if replayed.
    const replay = await fetch(`${base}/area-personale`, {
      headers: { cookie: `gara_sessione=${session!.value}` },
      redirect: 'manual',
    });
    expect(replay.status).toBe(302);
    await page.close();
  });

  it('works at 320 px: no page scrolls sideways', async () => {
    const narrow = await browser.newContext({ viewport: { width: 320, height: 640 }, locale: 'it-IT' });
    const page = await narrow.newPage();
    for (const path of ['/', '/cig?codice=BC1B001599', '/accedi', '/dichiarazione-di-accessibilita']) {
      await page.goto(`${base}${path}`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, path).toBeLessThanOrEqual(0);
    }
    await page.goto(`${base}/`);
    await page.screenshot({ path: join(screenshots, 'home-320.png'), fullPage: true });
    // Nothing covers the page: the form and the navigation take clicks (Playwright refuses to click an
    // element another one overlays).
    await page.fill('#codice', '9050626CD6');
    await page.click('button:has-text("Verifica")', { timeout: 5000 });
    await page.waitForURL(/codice=9050626CD6/);
    await page.click('nav[aria-label="Navigazione principale"] a:has-text("Comunicati")', { timeout: 5000 });
    await page.waitForURL(`${base}/comunicati`);
    await narrow.close();
  });
});

describe.skipIf(!executable)('portal in Chromium while the database is down', () => {
  let h: Harness;
  let app: Awaited<ReturnType<typeof buildApp>>;
  let browser: Browser;
  let base: string;
  let databaseAnswers = true;
  let monitor: StatusMonitor;

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    h = await createHarness();
    // The probe says what the test decides; everything else is the real service.
    monitor = new StatusMonitor(h.deps, {
      ping: async () => {
        if (!databaseAnswers) throw new Error('connection refused');
        await h.db.ping();
      },
      failuresToOpen: 2,
      successesToClose: 2,
    });
    app = await buildApp({
      deps: h.deps,
      authenticator: new TokenAuthenticator(h.deps),
      ping: h.db.ping,
      engine: h.db.engine,
      version: 'test',
      rateLimit: { max: 1e6, windowMs: 60_000 },
      monitor,
      demoSignIn: true,
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: executable, args: ['--no-sandbox'] });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await h?.close();
  });

  it('shows the outage on the status page, answers the other pages at once with an Italian 503, and recovers', async () => {
    await monitor.tick();
    databaseAnswers = false;
    for (const t of ['09:00:01', '09:00:02', '09:00:03']) {
      h.clock.set(`2026-03-02T${t}Z`);
      await monitor.tick();
    }
    const context = await browser.newContext({ locale: 'it-IT' });
    const page = await context.newPage();
    const status = await page.goto(`${base}/stato`);
    expect(status?.status()).toBe(200);
    expect(await page.locator('body').innerText()).toMatch(/ultimo stato|base dati/i);
    expect(await page.locator('body').innerText()).toMatch(/interruzione|disservizio/i);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({
      path: join(screenshots, 'stato-banca-dati-non-raggiungibile.png'),
      fullPage: true,
    });

    // The database itself still answers here (only the probe fails): a 503 proves the page did not use it.
    const tenders = await page.goto(`${base}/area-personale/gare`);
    expect(tenders?.status()).toBe(503);
    expect(tenders?.headers()['retry-after']).toBe('5');
    expect(await page.locator('h1').innerText()).toBe('Servizio temporaneamente non disponibile');
    await page.click('a:has-text("stato dei servizi")');
    await page.waitForURL(`${base}/stato`);
    expect((await page.goto(`${base}/`))?.status()).toBe(200);

    databaseAnswers = true;
    for (const t of ['09:00:10', '09:00:11']) {
      h.clock.set(`2026-03-02T${t}Z`);
      await monitor.tick();
    }
    expect((await page.goto(`${base}/cig?codice=9050626CD6`))?.status()).toBe(200);
    await context.close();
  });
});

/**
 * The May 2021 letter, end to end in the browser: the Authority's staff record the outage and publish
 * the comunicato, the Puglia section relays it to its RUPs, a RUP registers an urgent procedure and
 * admits a bidder with reserve, staff resolve the incident and approve the restoration notice (relayed
 * to the same RUPs), the RUP regularises, the bidder pays and the reserve is lifted.
 */
describe.skipIf(!executable)('the May 2021 journey in Chromium', () => {
  let h: Harness;
  let browser: Browser;
  let base: string;
  const mailDir = mkdtempSync(join(tmpdir(), 'gara-may-2021-mail-'));
  const dispatch = () =>
    dispatchDue(h.deps, {
      mailer: fileMailer({ dir: mailDir, from: 'osservatorio@pec.test.example' }),
      webhooks: { post: () => Promise.reject(new Error('no webhook expected')) },
    });

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    h = await createHarness({ now: '2021-05-06T14:00:00Z', demoSignIn: true });
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
    h.deps.paymentNode = createNodeSandbox({
      baseUrl: () => base,
      creditor: testCreditor,
      clock: h.clock,
      subscriptionKey: testNodeKey,
    });
    browser = await chromium.launch({ executablePath: executable, args: ['--no-sandbox'] });
  });

  afterAll(async () => {
    await browser?.close();
    await h?.close();
    rmSync(mailDir, { recursive: true, force: true });
  });

  const names = new Map<Page, string>();
  async function signedInPage(name: string, path: string): Promise<Page> {
    const context = await browser.newContext({ locale: 'it-IT' });
    const page = await context.newPage();
    names.set(page, name);
    await visit(page, path);
    return page;
  }
  /** Opens `path`, signing in again when the session has ended (the test's clock moves by days). */
  async function visit(page: Page, path: string): Promise<void> {
    await page.goto(`${base}${path}`);
    if (new URL(page.url()).pathname === '/accedi') {
      await page.click(`button:has-text("Accedi come ${names.get(page)}")`);
      await page.waitForURL(`${base}${path}`);
    }
  }

  it('outage, comunicato, relay, urgent procedure, reserve, restoration, regularisation, payment', async () => {
    const staff = await h.factories.user('authority_staff');
    const puglia = await h.factories.user('regional_staff', { regionalSectionCode: 'PUG' });
    const { rup, lot, bidder, bidderFiscalCode } = await bidderAndLot(h);

    // 1. The Authority's staff record the outage, which began on 3 May.
    const staffPage = await signedInPage(staff.user.name, '/area-personale/disservizi/nuovo');
    await staffPage.fill('#titolo', "Interruzione dei servizi on line dell'Autorità");
    await staffPage.selectOption('#impatto', 'major_outage');
    await staffPage.click('label[for="servizi-cig_issuance"]');
    await staffPage.click('label[for="servizi-contribution_payments"]');
    await staffPage.fill('#messaggio', 'Guasto al sistema di alimentazione elettrica della sede.');
    await staffPage.fill('#inizio_data', '2021-05-03');
    await staffPage.fill('#inizio_ora', '10:00');
    expect(await seriousViolations(staffPage)).toEqual([]);
    await staffPage.click('button:has-text("Registra il disservizio")');
    await staffPage.waitForURL(/\/area-personale\/disservizi\/INC-/);
    const incident = staffPage.url().split('/').pop()!;
    expect(await staffPage.locator('main dl').innerText()).toContain('03/05/2021 ore 10:00');

    // 2. ... and publish the comunicato of 6 May about it.
    await visit(staffPage, `/area-personale/redazione`);
    await staffPage.fill('#titolo', "Interruzione dei servizi on line dell'Autorità");
    await staffPage.fill('#data', '2021-05-06');
    await staffPage.selectOption('#tipo', 'outage');
    await staffPage.fill('#disservizio', incident);
    await staffPage.fill(
      '#testo',
      'I servizi on line hanno subito diverse interruzioni a partire dal 3 maggio.\n\n- la stazione appaltante indicherà negli atti di gara che il CIG è in fase di acquisizione;\n- gli operatori economici sono ammessi con riserva.\n\nSeguirà nuovo avviso ad avvenuto ripristino dei servizi.',
    );
    expect(await seriousViolations(staffPage)).toEqual([]);
    await staffPage.click('button:has-text("Pubblica")');
    expect(await staffPage.getByRole('status').innerText()).toContain('Comunicato pubblicato');
    // It is public at once: in the archive, and at its own address.
    const reader = await browser.newPage();
    await reader.goto(`${base}/comunicati`);
    await reader.click(`a:has-text("Interruzione dei servizi on line dell'Autorità")`);
    await reader.waitForURL(/\/comunicati\/[0-9a-f-]{36}$/);
    expect(await reader.locator('main').innerText()).toMatch(
      /Comunicato del 6 maggio 2021[\s\S]*in fase di acquisizione/,
    );
    expect(await reader.locator('article li').count()).toBe(2);
    expect(await seriousViolations(reader)).toEqual([]);
    await reader.close();

    // 3. The Puglia section relays it to its RUPs under a protocol number.
    const sectionPage = await signedInPage(puglia.user.name, '/area-personale/comunicati');
    await sectionPage.click('button:has-text("Inoltra ai RUP della regione")');
    await sectionPage.waitForURL(/\/area-personale\/inoltri\//);
    const relayId = sectionPage.url().split('/').pop()!;
    const relay = (await h.deps.store.notices.findRelay(relayId))!;
    expect(relay.recipientCount).toBeGreaterThanOrEqual(1);
    await dispatch();
    await sectionPage.reload();
    expect(await sectionPage.locator('dd[data-state="accepted"]').innerText()).toBe(
      String(relay.recipientCount),
    );
    const protocol = (await sectionPage.locator('h1').innerText())
      .replace(/^Inoltro /, '')
      .replace(/ Protocollo Uscita$/, '');

    // 4. A RUP of the region registers an urgent procedure: "CIG in fase di acquisizione".
    const rupPage = await signedInPage(rup.user.name, '/area-personale/procedure-urgenti/nuova');
    await rupPage.fill('#oggetto', 'Lavori urgenti di messa in sicurezza');
    await rupPage.selectOption('#procedura', '3');
    await rupPage.selectOption('#settore', 'ordinary');
    await rupPage.selectOption('#oggetto_contratto', 'works');
    await rupPage.fill('#lotto_oggetto', 'Lotto unico');
    await rupPage.fill('#importo', '150.000,00');
    await rupPage.fill('#cpv', '45233140');
    await rupPage.fill('#luogo', '016072006');
    await rupPage.fill('#data_pubblicazione', '2021-05-05');
    await rupPage.fill('#scadenza_data', '2021-05-20');
    await rupPage.fill('#scadenza_ora', '12:00');
    await rupPage.selectOption('#motivo_urgenza', '2');
    await rupPage.fill('#motivazione', 'Il ponte è chiuso al traffico: i lavori non possono attendere.');
    await rupPage.click('button:has-text("Registra e ottieni")');
    await rupPage.waitForURL(/PROV-2021-\d{6}\?registrata=1$/);
    const reference = /PROV-2021-\d{6}/.exec(rupPage.url())![0];

    // 5. ... and admits a bidder who could not pay, with reserve.
    await visit(rupPage, `/area-personale/lotti/${lot.cig}`);
    await rupPage.fill('#operatore', 'Impresa di prova S.r.l.');
    await rupPage.fill('#codice_fiscale', bidderFiscalCode);
    await rupPage.click('button:has-text("Ammetti con riserva")');
    expect(await rupPage.getByRole('status').innerText()).toContain('ammesso con riserva');
    expect(await rupPage.locator(`td[data-reserve="${bidderFiscalCode}"]`).innerText()).toBe('In riserva');
    expect(await seriousViolations(rupPage)).toEqual([]);

    // 6. On 7 May the services are back: staff resolve the incident; the restoration notice is drafted.
    h.clock.set('2021-05-07T10:00:00Z');
    await visit(staffPage, `/area-personale/disservizi/${incident}`);
    await staffPage.selectOption('#stato', 'resolved');
    await staffPage.fill('#messaggio', 'I servizi sono stati ripristinati.');
    await staffPage.click('button:has-text("Pubblica l\'aggiornamento")');
    await staffPage.waitForURL(`${base}/area-personale/disservizi/${incident}`);
    expect(await staffPage.locator('main dl').innerText()).toContain('Risolto');

    // 7. Staff approve it: it goes to exactly the recipients of the first relay, citing its protocol.
    await visit(staffPage, `/area-personale/redazione`);
    expect(await staffPage.locator('section[aria-labelledby="bozze"]').innerText()).toContain('Ripristino');
    await staffPage.click('button:has-text("Approva, pubblica e inoltra")');
    expect(await staffPage.getByRole('status').innerText()).toContain(
      `inoltrato a ${relay.recipientCount} destinatari`,
    );
    const restorations = (await h.deps.store.notices.listRelays({ regionalSectionCode: 'PUG' })).filter(
      (r) => r.restorationOf === relay.id,
    );
    expect(restorations).toHaveLength(1);
    expect(restorations[0]!.recipientCount).toBe(relay.recipientCount);
    await visit(sectionPage, `/area-personale/inoltri/${restorations[0]!.id}`);
    expect(await sectionPage.locator('main').innerText()).toContain(`Destinatari: ${relay.recipientCount}`);
    const letter = await sectionPage
      .context()
      .request.get(`${base}/area-personale/inoltri/${restorations[0]!.id}/lettera.pdf`);
    expect(pdfText(await letter.body())).toContain(protocol);
    await dispatch();

    // 8. The RUP regularises the urgent procedure: a real CIG, the original publication date.
    await visit(rupPage, `/area-personale/procedure-urgenti/${reference}`);
    await rupPage.click('button:has-text("Regolarizza")');
    await rupPage.waitForURL(/regolarizzata=1$/);
    const regularised = (await h.deps.store.continuity.findProvisional(reference))!;
    expect(regularised.state).toBe('regularised');
    expect((await h.deps.store.lots.findByCig(regularised.lots[0]!.cig!))?.publicationDate).toBe(
      '2021-05-05',
    );

    // 9. The bidder pays the contribution: the reserve is lifted by the receipt.
    const bidderPage = await signedInPage(bidder.user.name, '/area-personale/contributi');
    await bidderPage.fill('#cig', lot.cig);
    await bidderPage.click('button:has-text("Prepara l\'avviso")');
    await bidderPage.waitForURL(/\/area-personale\/contributi\/3\d{17}$/);
    await bidderPage.click('button:has-text("Paga nell\'ambiente di prova")');
    await bidderPage.waitForURL(/pagato=1$/);
    await visit(rupPage, `/area-personale/lotti/${lot.cig}`);
    expect(await rupPage.locator(`td[data-reserve="${bidderFiscalCode}"]`).innerText()).toBe(
      'Sciolta (contributo pagato)',
    );
    // The RUP verifies the bidders' payments on the lot: paid, with the receipt.
    expect(await rupPage.locator(`td[data-contribution="${bidderFiscalCode}"]`).innerText()).toBe('Pagato');
    await rupPage.fill('#cf', '12345678901');
    await rupPage.click('button:has-text("Verifica il pagamento")');
    expect(await rupPage.locator('#cf-errore').innerText()).toContain('non è valido');
    expect(await seriousViolations(rupPage)).toEqual([]);
    await rupPage.screenshot({ path: join(screenshots, 'riserva-sciolta.png'), fullPage: true });
    for (const p of [staffPage, sectionPage, rupPage, bidderPage]) await p.context().close();
  });
});

/// <reference lib="dom" />
/**
 * The regional office's and the RUP's continuity pages in Chromium: the protocol register (annulment,
 * daily register), scheduled maintenance, e-mail subscription with double opt-in, the procedures whose
 * deadlines fell in an outage and the region's overdue regularisations. axe-core on every page.
 */
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openIncident, updateIncident } from '../../src/services/continuity/incidents.js';
import { registerUrgentProcedure } from '../../src/services/continuity/register-urgent-procedure.js';
import { remindRegularisations } from '../../src/services/continuity/remind-regularisations.js';
import { protocolLabel } from '../../src/services/notices/protocol-register.js';
import { registerDocument } from '../../src/services/notices/register-document.js';
import { perfectLot } from '../../src/services/tenders/perfect-lot.js';
import { sampleLot } from '../support/factories.js';
import { createHarness, type Harness } from '../support/harness.js';
import { executable, pdfText, screenshots, seriousViolations } from './support.js';

describe.skipIf(!executable)('regional office and continuity pages in Chromium', () => {
  let h: Harness;
  let browser: Browser;
  let base: string;
  let puglia: Awaited<ReturnType<Harness['factories']['user']>>;
  let lombardia: Awaited<ReturnType<Harness['factories']['user']>>;
  let rup: Awaited<ReturnType<Harness['factories']['rup']>>;

  beforeAll(async () => {
    h = await createHarness({ demoSignIn: true });
    puglia = await h.factories.user('regional_staff', { regionalSectionCode: 'PUG' });
    lombardia = await h.factories.user('regional_staff', { regionalSectionCode: 'LOM' });
    rup = await h.factories.rup({ place: '016072006', section: 'PUG' });
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: executable, args: ['--no-sandbox'] });
  });

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  /** A new browser signed in as `name` (demo sign-in), on `path`. */
  async function signedIn(name: string, path: string): Promise<Page> {
    const context = await browser.newContext({ locale: 'it-IT' });
    const page = await context.newPage();
    await page.goto(`${base}/accedi?dopo=${encodeURIComponent(path)}`);
    await page.click(`button:has-text("Accedi come ${name}")`);
    await page.waitForURL(`${base}${path}`);
    return page;
  }

  it("the protocol register: a registration, its annulment with the measure, the day's register", async () => {
    const aoo = (await h.deps.store.registry.listSections()).find((s) => s.code === 'PUG')!.aooCode;
    const { registration } = await registerDocument(
      h.deps,
      undefined,
      {
        aooCode: aoo,
        subject: 'Trasmissione del comunicato del Presidente',
        correspondents: [{ name: 'Comune di Bari', address: 'protocollo@pec.comune.bari.it' }],
        fileName: 'lettera.pdf',
        content: Buffer.from('%PDF-1.4\n% prova\n'),
      },
      puglia.actor,
    );
    const label = protocolLabel(aoo, registration.number);

    const page = await signedIn(puglia.user.name, '/area-personale/protocollo');
    expect(await page.locator('tbody').innerText()).toContain(label);
    expect(await page.locator('tbody').innerText()).toContain('Comune di Bari');
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(screenshots, 'protocollo.png'), fullPage: true });

    await page.click(`a:has-text("${label}")`);
    await page.waitForURL(/\/protocollo\/registrazioni\//);
    expect(await seriousViolations(page)).toEqual([]);
    // The measure is mandatory: refused beside the field, nothing recorded.
    await page.fill('#motivo', 'Destinatario errato');
    await page.click('button:has-text("Annulla la registrazione")');
    expect(await page.locator('#provvedimento').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#provvedimento-errore').innerText()).toContain('provvedimento');
    expect(await seriousViolations(page)).toEqual([]);
    expect((await h.deps.store.notices.findRegistration(registration.id))?.annulment).toBeNull();

    await page.fill('#provvedimento', 'Disposizione del dirigente n. 12 del 02/03/2026');
    await page.click('button:has-text("Annulla la registrazione")');
    await page.waitForURL(/annullata=1$/);
    expect(await page.getByRole('status').innerText()).toContain('Registrazione annullata');
    expect(await page.getByRole('note').innerText()).toContain('Disposizione del dirigente n. 12');
    expect((await h.deps.store.notices.findRegistration(registration.id))?.annulment?.reason).toBe(
      'Destinatario errato',
    );

    const pdf = await page.request.get(
      `${base}/area-personale/protocollo/${aoo}/registro-giornaliero/2026-03-02.pdf`,
    );
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    expect(pdfText(await pdf.body())).toContain(String(registration.number));
    const json = await page.request.get(
      `${base}/area-personale/protocollo/${aoo}/registro-giornaliero/2026-03-02.json`,
    );
    const body = await json.text();
    expect(json.headers()['x-content-sha256']).toBe(createHash('sha256').update(body).digest('hex'));
    expect(JSON.parse(body)).toMatchObject({
      registrations: [{ label, annulled: true }],
      annulments: [{ label, reason: 'Destinatario errato' }],
    });

    // Another region's officer cannot open it.
    const other = await signedIn(lombardia.user.name, '/area-personale/protocollo');
    expect(await other.locator('main').innerText()).not.toContain(label);
    const refused = await other.goto(`${base}/area-personale/protocollo/registrazioni/${registration.id}`);
    expect(refused?.status()).toBe(404);
    await other.context().close();
    await page.context().close();
  });

  it('staff schedule maintenance (an end before the start is refused beside it), it shows on the status page, and is cancelled', async () => {
    const page = await signedIn(puglia.user.name, '/area-personale/manutenzioni');
    await page.fill('#titolo', 'Aggiornamento del sistema di pagamento');
    await page.fill('#descrizione', 'Pagamenti dei contributi non disponibili.');
    await page.click('label[for="servizi-contribution_payments"]');
    await page.fill('#inizio_data', '2026-03-05');
    await page.fill('#inizio_ora', '20:00');
    await page.fill('#fine_data', '2026-03-05');
    await page.fill('#fine_ora', '18:00');
    await page.click('button:has-text("Programma la manutenzione")');
    expect(await page.locator('#fine_data').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#fine_data-errore').innerText()).toContain("seguire l'inizio");
    expect(await page.locator('#titolo').inputValue()).toBe('Aggiornamento del sistema di pagamento');
    expect(await seriousViolations(page)).toEqual([]);
    expect(await h.deps.store.continuity.listMaintenances({ since: new Date(0) })).toHaveLength(0);

    await page.fill('#fine_ora', '23:00');
    await page.click('button:has-text("Programma la manutenzione")');
    await page.waitForURL(/esito=programmata$/);
    expect(await page.locator('tbody').innerText()).toMatch(
      /Aggiornamento del sistema di pagamento[\s\S]*Programmata/,
    );
    expect(await seriousViolations(page)).toEqual([]);

    const status = await page.context().newPage();
    await status.goto(`${base}/stato`);
    expect(await status.locator('body').innerText()).toContain('Aggiornamento del sistema di pagamento');
    expect(await seriousViolations(status)).toEqual([]);
    await status.goto(`${base}/comunicati`);
    expect(await seriousViolations(status)).toEqual([]);
    await status.goto(`${base}/stato`);

    await page.click('button:has-text("Annulla la manutenzione")');
    await page.waitForURL(/esito=annullata$/);
    expect(await page.locator('tbody').innerText()).toContain('Annullata');
    await status.reload();
    expect(await status.locator('body').innerText()).not.toContain('Aggiornamento del sistema di pagamento');
    await page.context().close();
  });

  it('anyone subscribes to the status notices by e-mail: inline error, then the link confirms with a button', async () => {
    const context = await browser.newContext({ locale: 'it-IT' });
    const page = await context.newPage();
    await page.goto(`${base}/stato`);
    await page.click('a:has-text("Ricevi gli avvisi")');
    await page.waitForURL(`${base}/iscrizioni`);
    expect(await seriousViolations(page)).toEqual([]);
    await page.fill('#email', 'rup.bari-chiocciola-comune.example');
    await page.click('label[for="servizi-cig_issuance"]');
    await page.click('button:has-text("Iscriviti")');
    expect(await page.locator('#email').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#email-errore').innerText()).toContain(
      'indirizzo di posta elettronica valido',
    );
    expect(await page.locator('input[name="servizi"]:checked').count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);

    await page.fill('#email', 'Rup.Bari@Comune.Example.it');
    await page.click('button:has-text("Iscriviti")');
    expect(await page.locator('h1').innerText()).toBe('Controlla la tua posta');
    const outbox = await h.deps.store.notices.listOutbox({ kind: 'confirmation', limit: 100, offset: 0 });
    const message = outbox.find((m) => m.address === 'rup.bari@comune.example.it')!;
    const link = /(http\S+\/iscrizioni\/conferma\?token=\S+)/.exec(message.body)![1]!;
    expect(link.startsWith(base)).toBe(true);

    // Opening the link changes nothing by itself (mail scanners open links); the button confirms.
    await page.goto(link);
    const token = new URL(link).searchParams.get('token')!;
    const subscription = () =>
      h.deps.store.notices.findSubscriptionByToken(createHash('sha256').update(token).digest('hex'));
    expect((await subscription())?.state).toBe('pending');
    expect(await seriousViolations(page)).toEqual([]);
    await page.click('button:has-text("Conferma l’iscrizione")');
    expect(await page.locator('main').innerText()).toContain('Iscrizione confermata');
    expect((await subscription())?.state).toBe('active');

    await page.goto(`${base}/iscrizioni/conferma?token=non-valido-affatto`);
    await page.click('button:has-text("Conferma l’iscrizione")');
    expect(await page.locator('h1').innerText()).toBe('Collegamento non valido');

    await page.goto(link.replace('/conferma?', '/annulla?'));
    await page.click('button:has-text("Annulla l’iscrizione")');
    expect(await page.locator('main').innerText()).toContain('Iscrizione annullata');
    expect((await subscription())?.state).toBe('unsubscribed');
    await context.close();
  });

  it('after an outage: the RUP sees the lot whose bids closed in it, the region its overdue regularisations', async () => {
    const staff = await h.factories.user('authority_staff');
    const { lots } = await h.factories.tender(rup.actor, {
      lots: [sampleLot({ object: 'Pulizia degli uffici' })],
    });
    const lot = lots[0]!;
    await perfectLot(
      h.deps,
      { cig: lot.cig, publicationDate: '2026-03-02', bidDeadline: new Date('2026-03-10T11:00:00Z') },
      rup.actor,
    );
    h.clock.set('2026-03-10T08:00:00Z');
    const incident = await openIncident(
      h.deps,
      {
        title: 'Interruzione del rilascio dei CIG',
        impact: 'major_outage',
        services: ['cig_issuance', 'contribution_payments'],
        message: 'Il servizio non risponde.',
      },
      staff.actor,
    );
    const urgent = await registerUrgentProcedure(
      h.deps,
      {
        object: 'Riparazione urgente della rete idrica',
        procedureType: '3',
        sector: 'ordinary',
        contractObject: 'works',
        urgencyReason: '2',
        motivation: 'La rete perde: i lavori non possono attendere il ripristino del servizio.',
        lots: [
          {
            ...sampleLot({ object: 'Lavori sulla rete idrica' }),
            publicationDate: '2026-03-10',
            bidDeadline: new Date('2026-03-20T11:00:00Z'),
          },
        ],
      },
      rup.actor,
    );
    h.clock.set('2026-03-11T08:00:00Z');
    await updateIncident(
      h.deps,
      { incident: incident.code, state: 'resolved', message: 'Servizio ripristinato.' },
      staff.actor,
    );
    // Three days past the regularisation deadline, still not regularised.
    const deadline = new Date(`${urgent.regularisationDeadline}T12:00:00Z`);
    h.clock.set(new Date(deadline.getTime() + 3 * 86_400_000).toISOString());

    // The daily reminder: in the RUP's personal area (and by e-mail, see test/continuity).
    expect(await remindRegularisations(h.deps)).toEqual({ reminded: 1 });
    const home = await signedIn(rup.user.name, '/area-personale');
    const note = home.getByRole('note');
    expect(await note.innerText()).toMatch(
      new RegExp(`Promemoria[\\s\\S]*${urgent.reference}[\\s\\S]*scaduta da 3 giorni`),
    );
    await note.locator('a').first().click();
    await home.waitForURL(new RegExp(`/procedure-urgenti/${urgent.reference}$`));
    expect(await seriousViolations(home)).toEqual([]);
    await home.context().close();

    const rupPage = await signedIn(rup.user.name, '/area-personale/scadenze-nei-disservizi');
    const affected = await rupPage.locator('tbody').innerText();
    expect(affected).toContain(lot.cig);
    expect(affected).toContain(incident.code);
    expect(affected).toContain('scadenza delle offerte è caduta durante il disservizio');
    expect(await seriousViolations(rupPage)).toEqual([]);

    const region = await signedIn(puglia.user.name, '/area-personale/procedure-urgenti?scadute=1');
    const row = region.locator('tbody tr', { hasText: urgent.reference });
    expect(await row.innerText()).toContain('Riparazione urgente della rete idrica');
    expect((await row.locator('td').last().innerText()).trim()).toBe('3');
    expect(await seriousViolations(region)).toEqual([]);
    await region.screenshot({ path: join(screenshots, 'regolarizzazioni-scadute.png'), fullPage: true });

    const elsewhere = await signedIn(lombardia.user.name, '/area-personale/procedure-urgenti?scadute=1');
    expect(await elsewhere.locator('main').innerText()).toContain('Nessuna regolarizzazione scaduta.');
    for (const p of [rupPage, region, elsewhere]) await p.context().close();
  });

  it('these pages work at 320 px: none scrolls sideways', async () => {
    const context = await browser.newContext({ viewport: { width: 320, height: 640 }, locale: 'it-IT' });
    const page = await context.newPage();
    await page.goto(`${base}/accedi?dopo=%2Farea-personale`);
    await page.click(`button:has-text("Accedi come ${puglia.user.name}")`);
    await page.waitForURL(`${base}/area-personale`);
    for (const path of [
      '/area-personale',
      '/area-personale/protocollo?data=2026-03-02',
      '/area-personale/manutenzioni',
      '/area-personale/procedure-urgenti?scadute=1',
      '/iscrizioni',
      '/stato',
      '/comunicati',
    ]) {
      await page.goto(`${base}${path}`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, path).toBeLessThanOrEqual(0);
    }
    await context.close();
  });
});

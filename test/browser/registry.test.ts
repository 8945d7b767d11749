/// <reference lib="dom" />
/**
 * The administrator's registry in a real browser (Playwright driving the system Chromium): a contracting
 * authority refused for its codice fiscale then registered, a cost centre, a RUP with an API token that
 * is revoked and who is then deactivated (and cannot sign in), an economic operator refused for its
 * partita IVA then registered, a regional section's PEC; a RUP gets 403. axe-core on every page visited.
 *
 * Needs Chromium (`apt-get install -y chromium`, or CHROMIUM_PATH): skipped, saying so, when there is none.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withNumericCheckDigit } from '../../src/domain/registry/fiscal-code.js';
import type { UserActor } from '../../src/services/context.js';
import { listContractingAuthorities } from '../../src/services/registry/list-contracting-authorities.js';
import { listEconomicOperators } from '../../src/services/registry/list-economic-operators.js';
import { hashToken } from '../../src/services/registry/token-hash.js';
import { listUsers } from '../../src/services/registry/list-users.js';
import { uniqueNumericFiscalCode } from '../support/factories.js';
import { createHarness, type Harness } from '../support/harness.js';
import { executable, screenshots, seriousViolations } from './support.js';

const base = '/area-personale/anagrafica';
const UUID = '[0-9a-f-]{36}';

/** axe-core finds no serious or critical violation on the page as it is. */
async function accessible(page: Page) {
  expect(await seriousViolations(page)).toEqual([]);
}

describe.skipIf(!executable)('administrator registry in Chromium', () => {
  let h: Harness;
  let browser: Browser;
  let admin: BrowserContext;
  let url: string;
  let adminActor: UserActor;
  let adminName: string;
  let rupName: string;

  /** A context signed in through the demo sign-in page as `name`, left on `path`. */
  const signedIn = async (name: string, path: string) => {
    const context = await browser.newContext({ locale: 'it-IT' });
    const page = await context.newPage();
    await page.goto(`${url}/accedi?dopo=${encodeURIComponent(path)}`);
    await page.click(`button:has-text("Accedi come ${name}")`);
    await page.waitForURL((u) => u.pathname === path);
    return { context, page };
  };

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    h = await createHarness({ demoSignIn: true });
    const a = await h.factories.user('admin');
    adminActor = a.actor;
    adminName = a.user.name;
    rupName = (await h.factories.rup()).user.name;
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: executable, args: ['--no-sandbox'] });
    admin = await browser.newContext({ locale: 'it-IT' });
  });

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('the administrator registers an authority (a wrong check digit is refused beside the field), a cost centre, a RUP; revokes the RUP token and deactivates the RUP', async () => {
    const page = await admin.newPage();
    await page.goto(`${url}/area-personale`);
    await page.waitForURL(/\/accedi\?dopo=/);
    await page.click(`button:has-text("Accedi come ${adminName}")`);
    await page.waitForURL(/\/area-personale$/);
    await page.click('a:has-text("Anagrafica")');
    await page.waitForURL(new RegExp(`${base}$`));
    expect(await page.locator('main ul').innerText()).toMatch(
      /Sezioni regionali[\s\S]*Stazioni appaltanti[\s\S]*Utenti[\s\S]*Operatori economici/,
    );
    await accessible(page);

    await page.click('a:has-text("Stazioni appaltanti")');
    await page.waitForURL(new RegExp(`${base}/stazioni-appaltanti$`));
    await accessible(page);
    await page.click('a:has-text("Registra una stazione appaltante")');
    await page.waitForURL(/\/nuova$/);
    await accessible(page);

    const count = async () =>
      (await listContractingAuthorities(h.deps, { limit: 1, offset: 0 }, adminActor)).total;
    const before = await count();
    const fiscalCode = uniqueNumericFiscalCode();
    const wrong = fiscalCode.slice(0, 10) + String((Number(fiscalCode[10]) + 1) % 10);
    await page.fill('#codice_fiscale', wrong);
    await page.fill('#codice_ausa', `2${fiscalCode.slice(2, 11)}`);
    await page.fill('#denominazione', 'Comune di Prova del Registro');
    await page.fill('#luogo', '016072006');
    await page.fill('#pec', 'protocollo@pec.comune-prova.example.it');
    await page.click('button:has-text("Registra la stazione appaltante")');

    expect(await page.locator('#codice_fiscale').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#codice_fiscale').getAttribute('aria-describedby')).toContain(
      'codice_fiscale-errore',
    );
    expect(await page.locator('#codice_fiscale-errore').innerText()).toContain('cifra di controllo');
    expect(await page.getByRole('alert').innerText()).toContain('Il codice fiscale');
    expect(await page.locator('#denominazione').getAttribute('aria-invalid')).toBeNull();
    expect(await page.inputValue('#denominazione')).toBe('Comune di Prova del Registro');
    expect(await count()).toBe(before);
    expect(await h.deps.store.registry.findContractingAuthorityByFiscalCode(wrong)).toBeUndefined();
    await accessible(page);

    await page.fill('#codice_fiscale', fiscalCode);
    await page.click('button:has-text("Registra la stazione appaltante")');
    await page.waitForURL(new RegExp(`${base}/stazioni-appaltanti/${UUID}\\?esito=creata$`));
    expect(await page.getByRole('status').innerText()).toContain('Stazione appaltante registrata');
    expect(await page.locator('h1').innerText()).toBe('Comune di Prova del Registro');
    const authority = await h.deps.store.registry.findContractingAuthorityByFiscalCode(fiscalCode);
    expect(authority).toMatchObject({ name: 'Comune di Prova del Registro', regionalSectionCode: 'PUG' });
    expect(page.url()).toContain(authority!.id);
    expect(await count()).toBe(before + 1);
    await accessible(page);

    // The list finds it by codice fiscale.
    await page.goto(`${url}${base}/stazioni-appaltanti?q=${fiscalCode}`);
    expect(await page.locator('tbody').innerText()).toContain('Comune di Prova del Registro');
    expect(await page.locator('tbody tr').count()).toBe(1);
    await accessible(page);
    await page.click('a:has-text("Comune di Prova del Registro")');
    await page.waitForURL(new RegExp(`/stazioni-appaltanti/${authority!.id}$`));

    // A cost centre: a code with a space is refused beside the field, then one is added.
    await page.fill('#cdc_codice', 'LAV 01');
    await page.fill('#cdc_nome', 'Ufficio lavori pubblici');
    await page.click('button:has-text("Aggiungi il centro di costo")');
    expect(await page.locator('#cdc_codice').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#cdc_codice-errore').innerText()).toContain('centro di costo');
    expect((await h.deps.store.registry.findContractingAuthority(authority!.id))?.costCentres).toEqual([]);
    await accessible(page);
    await page.fill('#cdc_codice', 'LAV-01');
    await page.click('button:has-text("Aggiungi il centro di costo")');
    await page.waitForURL(/\?esito=centro$/);
    expect(await page.getByRole('status').innerText()).toContain('Centro di costo aggiunto');
    expect(await page.locator('table').first().innerText()).toContain('Ufficio lavori pubblici');
    expect((await h.deps.store.registry.findContractingAuthority(authority!.id))?.costCentres).toMatchObject([
      { code: 'LAV-01', name: 'Ufficio lavori pubblici', active: true },
    ]);
    await accessible(page);

    // A RUP for it, from the authority's page (role and authority already filled in).
    await page.click('a:has-text("Aggiungi un RUP")');
    await page.waitForURL(/\/utenti\/nuovo\?/);
    expect(await page.inputValue('#ruolo')).toBe('rup');
    expect(await page.inputValue('#stazione')).toBe(fiscalCode);
    await accessible(page);
    await page.fill('#nome', 'Anna Abbate');
    await page.fill('#email', 'anna.abbate@comune-prova.example.it');
    await page.click('button:has-text("Crea l\'utente")');
    await page.waitForURL(new RegExp(`${base}/utenti/${UUID}\\?esito=creato$`));
    expect(await page.getByRole('status').innerText()).toContain('Utente creato');
    expect(await page.locator('main dl').innerText()).toContain('Comune di Prova del Registro');
    const users = await listUsers(
      h.deps,
      { limit: 10, offset: 0, contractingAuthorityId: authority!.id },
      adminActor,
    );
    expect(users.items).toMatchObject([{ name: 'Anna Abbate', role: 'rup', active: true }]);
    const rup = users.items[0]!;
    expect(page.url()).toContain(rup.id);
    await accessible(page);

    // An API token, shown once; then "revoca i token API".
    await page.fill('#etichetta', 'Piattaforma di prova');
    await page.click('button:has-text("Rilascia un token")');
    const token = (await page.locator('[role="status"] code').innerText()).trim();
    expect(token).toMatch(/^gara_/);
    expect((await h.deps.store.registry.findUserByToken(hashToken(token), h.clock.now()))?.id).toBe(rup.id);
    // Used once on the API: the authenticator now remembers it.
    const api = () => h.app.inject({ url: '/api/v1/tenders', headers: { authorization: `Bearer ${token}` } });
    expect((await api()).statusCode).toBe(200);
    await accessible(page);
    await page.click('button:has-text("Revoca i token API")');
    await page.waitForURL(/\?esito=revocati&revocati=1$/);
    expect(await page.getByRole('status').innerText()).toContain('Token API revocati: 1.');
    expect(await h.deps.store.registry.findUserByToken(hashToken(token), h.clock.now())).toBeUndefined();
    // ...and the API refuses it at once, not when the authenticator's memory of it expires.
    expect((await api()).statusCode).toBe(401);
    await accessible(page);

    // The RUP can sign in... until deactivated: the sign-in page opened before refuses, a new one hides them.
    const rupBrowser = await browser.newContext({ locale: 'it-IT' });
    const signIn = await rupBrowser.newPage();
    await signIn.goto(`${url}/accedi`);
    expect(await signIn.locator('button:has-text("Accedi come Anna Abbate")').count()).toBe(1);

    await page.goto(`${url}${base}/stazioni-appaltanti/${authority!.id}`);
    expect(await page.locator('table').nth(1).innerText()).toMatch(/Anna Abbate[\s\S]*Attivo/);
    await page.screenshot({ path: join(screenshots, 'anagrafica.png'), fullPage: true });
    await page.click('a:has-text("Anna Abbate")');
    await page.waitForURL(new RegExp(`/utenti/${rup.id}$`));
    await page.click('button:has-text("Disattiva l\'utente")');
    await page.waitForURL(/\?esito=disattivato$/);
    expect(await page.getByRole('status').innerText()).toContain('Utente disattivato');
    expect(await page.locator('main dl').innerText()).toContain('Disattivato');
    expect((await h.deps.store.registry.findUser(rup.id))?.active).toBe(false);
    await accessible(page);

    const refused = signIn.waitForResponse(
      (r) => r.url().endsWith('/accedi') && r.request().method() === 'POST',
    );
    await signIn.click('button:has-text("Accedi come Anna Abbate")');
    expect((await refused).status()).toBe(422);
    expect(await signIn.locator('main').innerText()).toContain('non attivo');
    await signIn.goto(`${url}/area-personale`);
    await signIn.waitForURL(/\/accedi\?dopo=/);
    expect(await signIn.locator('button:has-text("Accedi come Anna Abbate")').count()).toBe(0);
    expect(await signIn.locator(`button:has-text("Accedi come ${rupName}")`).count()).toBe(1);
    await rupBrowser.close();

    // The users list, filtered by role.
    await page.goto(`${url}${base}/utenti?ruolo=admin`);
    expect(await page.locator('tbody').innerText()).toContain(adminName);
    expect(await page.locator('tbody').innerText()).not.toContain('Anna Abbate');
    await accessible(page);
    await page.close();
  });

  it('the administrator registers an economic operator: an invalid partita IVA is refused beside the field', async () => {
    const page = await admin.newPage();
    await page.goto(`${url}${base}/operatori-economici`);
    expect(await page.locator('h1').innerText()).toBe('Operatori economici');
    await accessible(page);
    await page.click('a:has-text("Registra un operatore economico")');
    await page.waitForURL(/\/operatori-economici\/nuovo$/);
    await accessible(page);

    const count = async () =>
      (await listEconomicOperators(h.deps, { limit: 1, offset: 0 }, adminActor)).total;
    const before = await count();
    const fiscalCode = uniqueNumericFiscalCode();
    const vat = withNumericCheckDigit(`${fiscalCode.slice(1, 8)}001`);
    const wrongVat = vat.slice(0, 10) + String((Number(vat[10]) + 1) % 10);
    await page.fill('#codice_fiscale', fiscalCode);
    await page.fill('#partita_iva', wrongVat);
    await page.fill('#denominazione', 'Costruzioni Prova S.r.l.');
    await page.click('button:has-text("Registra l\'operatore economico")');

    expect(await page.locator('#partita_iva').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#partita_iva').getAttribute('aria-describedby')).toContain(
      'partita_iva-errore',
    );
    expect(await page.locator('#partita_iva-errore').innerText()).toContain('La partita IVA');
    expect(await page.getByRole('alert').innerText()).toContain('La partita IVA');
    expect(await page.locator('#codice_fiscale').getAttribute('aria-invalid')).toBeNull();
    expect(await count()).toBe(before);
    expect(await h.deps.store.registry.findEconomicOperatorByFiscalCode(fiscalCode)).toBeUndefined();
    await accessible(page);

    await page.fill('#partita_iva', vat);
    await page.click('button:has-text("Registra l\'operatore economico")');
    await page.waitForURL(new RegExp(`${base}/operatori-economici/${UUID}\\?esito=creato$`));
    expect(await page.getByRole('status').innerText()).toContain('Operatore economico registrato');
    expect(await h.deps.store.registry.findEconomicOperatorByFiscalCode(fiscalCode)).toMatchObject({
      vatNumber: vat,
      name: 'Costruzioni Prova S.r.l.',
      pec: null,
    });
    expect(await count()).toBe(before + 1);
    await accessible(page);

    // Edit: a PEC.
    await page.fill('#pec', 'gare@pec.costruzioni-prova.example.it');
    await page.click('button:has-text("Salva le modifiche")');
    await page.waitForURL(/\?esito=modificato$/);
    expect(await page.locator('main dl').innerText()).toContain('gare@pec.costruzioni-prova.example.it');
    expect((await h.deps.store.registry.findEconomicOperatorByFiscalCode(fiscalCode))?.pec).toBe(
      'gare@pec.costruzioni-prova.example.it',
    );
    await accessible(page);
    await page.close();
  });

  it("the administrator changes a regional section's PEC (an invalid one is refused beside the field)", async () => {
    const page = await admin.newPage();
    await page.goto(`${url}${base}/sezioni`);
    expect(await page.locator('tbody tr').count()).toBe(21);
    await accessible(page);
    await page.click('a:has-text("PUG")');
    await page.waitForURL(new RegExp(`${base}/sezioni/PUG$`));
    await accessible(page);
    const before = await h.deps.store.registry.findSection('PUG');

    await page.fill('#pec', 'non è una pec');
    await page.click('button:has-text("Salva le modifiche")');
    expect(await page.locator('#pec').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#pec-errore').innerText()).toContain('PEC');
    expect((await h.deps.store.registry.findSection('PUG'))?.pec).toBe(before?.pec);
    await accessible(page);

    // The letterhead of the section's letters: an address that is not a site is refused beside the field.
    await page.fill('#pec', 'osservatorio.puglia@pec.regione.example.it');
    await page.fill(
      '#uffici',
      'SEGRETERIA GENERALE DELLA PRESIDENZA\n\nSEZIONE GESTIONE INTEGRATA ACQUISTI\n',
    );
    await page.fill('#sito', 'non un sito');
    await page.click('button:has-text("Salva le modifiche")');
    expect(await page.locator('#sito').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#sito-errore').innerText()).toContain('www.regione.puglia.it');
    expect((await h.deps.store.registry.findSection('PUG'))?.website).toBeNull();
    await accessible(page);
    await page.fill('#sito', 'www.regione.puglia.it');
    await page.click('button:has-text("Salva le modifiche")');
    await page.waitForURL(/\/sezioni\/PUG\?esito=modificata$/);
    expect(await page.getByRole('status').innerText()).toContain('Dati della sezione aggiornati');
    expect(await h.deps.store.registry.findSection('PUG')).toMatchObject({
      pec: 'osservatorio.puglia@pec.regione.example.it',
      aooCode: before?.aooCode,
      letterheadOffices: ['SEGRETERIA GENERALE DELLA PRESIDENZA', 'SEZIONE GESTIONE INTEGRATA ACQUISTI'],
      website: 'www.regione.puglia.it',
    });
    expect(await page.locator('#uffici').inputValue()).toBe(
      'SEGRETERIA GENERALE DELLA PRESIDENZA\nSEZIONE GESTIONE INTEGRATA ACQUISTI',
    );
    await page.goto(`${url}${base}/sezioni`);
    expect(await page.locator('tbody').innerText()).toContain('osservatorio.puglia@pec.regione.example.it');
    await page.close();
  });

  it('a RUP opening the registry gets the 403 page', async () => {
    const { context, page } = await signedIn(rupName, '/area-personale');
    expect(await page.locator('main').innerText()).not.toContain('Anagrafica');
    for (const path of [base, `${base}/utenti`, `${base}/stazioni-appaltanti/nuova`]) {
      const response = await page.goto(`${url}${path}`);
      expect(response?.status()).toBe(403);
      expect(await page.locator('h1').innerText()).toBe('Accesso non consentito');
      await accessible(page);
    }
    await context.close();
  });
});

describe.skipIf(!executable)('administrator registry in Chromium: the other forms', () => {
  let h: Harness;
  let browser: Browser;
  let url: string;
  let adminName: string;

  beforeAll(async () => {
    h = await createHarness({ demoSignIn: true });
    adminName = (await h.factories.user('admin')).user.name;
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: executable, args: ['--no-sandbox'] });
  });

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('a user linked to nothing the role needs, or to an unknown authority, is refused beside that field; an authority is edited', async () => {
    const context = await browser.newContext({ locale: 'it-IT' });
    const page = await context.newPage();
    await page.goto(`${url}/accedi?dopo=${encodeURIComponent(`${base}/utenti/nuovo`)}`);
    await page.click(`button:has-text("Accedi come ${adminName}")`);
    await page.waitForURL(new RegExp(`${base}/utenti/nuovo$`));
    const count = async () => (await h.deps.store.registry.listUsers({ limit: 1, offset: 0 })).total;
    const before = await count();

    await page.fill('#nome', 'Bruno Bassi');
    await page.fill('#email', 'bruno.bassi@regione.example.it');
    await page.selectOption('#ruolo', 'regional_staff');
    await page.click('button:has-text("Crea l\'utente")');
    expect(await page.locator('#sezione').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#sezione').getAttribute('aria-describedby')).toContain('sezione-errore');
    expect(await page.locator('#sezione-errore').innerText()).toContain('sezione regionale');
    expect(await page.inputValue('#ruolo')).toBe('regional_staff');
    await accessible(page);

    await page.selectOption('#ruolo', 'rup');
    await page.fill('#stazione', uniqueNumericFiscalCode());
    await page.click('button:has-text("Crea l\'utente")');
    expect(await page.locator('#stazione').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#stazione-errore').innerText()).toContain('stazione appaltante registrata');
    expect(await page.locator('#sezione').getAttribute('aria-invalid')).toBeNull();
    expect(await count()).toBe(before);
    await accessible(page);

    const authority = await h.factories.contractingAuthority({ name: 'Comune da Modificare' });
    await page.goto(`${url}${base}/stazioni-appaltanti/${authority.id}/modifica`);
    expect(await page.inputValue('#sezione')).toBe('PUG');
    await accessible(page);
    await page.fill('#luogo', '12345');
    await page.click('button:has-text("Salva le modifiche")');
    expect(await page.locator('#luogo-errore').innerText()).toContain('codice ISTAT');
    expect((await h.deps.store.registry.findContractingAuthority(authority.id))?.istatPlaceCode).toBe(
      authority.istatPlaceCode,
    );
    await page.fill('#luogo', authority.istatPlaceCode);
    await page.fill('#denominazione', 'Comune Modificato');
    await page.selectOption('#stato', 'non_attiva');
    await page.click('button:has-text("Salva le modifiche")');
    await page.waitForURL(new RegExp(`/stazioni-appaltanti/${authority.id}\\?esito=modificata$`));
    expect(await page.locator('main dl').innerText()).toMatch(/Stato\s+Non attiva/);
    expect(await h.deps.store.registry.findContractingAuthority(authority.id)).toMatchObject({
      name: 'Comune Modificato',
      active: false,
      regionalSectionCode: 'PUG',
    });
    await accessible(page);
    await context.close();
  });
});

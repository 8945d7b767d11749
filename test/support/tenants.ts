import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { fileMailer } from '../../src/adapters/mail/mailer.js';
import { parseResponse, sendRtV2Request, type Receipt } from '../../src/adapters/pagopa/pa-for-node-soap.js';
import { dispatchDue } from '../../src/services/notices/dispatch.js';
import type { Role } from '../../src/services/ports.js';
import { sampleLot, uniqueNumericFiscalCode } from './factories.js';
import { bearer, testCreditor, type Harness } from './harness.js';
import { caller, soap } from '../payments/support.js';

export type TenantRole = Extract<Role, 'rup' | 'regional_staff' | 'economic_operator'>;
export const tenantRoles: readonly TenantRole[] = ['rup', 'regional_staff', 'economic_operator'];

export interface Person {
  userId: string;
  token: string;
  /** The portal session (demo sign-in): cookie header and CSRF token. */
  portal: { cookie: string; csrf: string };
}

/** One tenant of each kind at once: a contracting authority, a regional section, a bidder. */
export interface Tenant {
  section: string;
  aoo: string;
  authorityId: string;
  operatorId: string;
  operatorFiscalCode: string;
  people: Record<TenantRole, Person>;
  tenderNumber: string;
  cig: string;
  smartCig: string;
  provisionalReference: string;
  noticeNumber: string;
  relayId: string;
  registrationId: string;
  outboxId: string;
  pecReceiptId: string;
}

const call = async (
  h: Harness,
  method: 'GET' | 'POST',
  url: string,
  token: string,
  payload?: unknown,
  contentType?: string,
) => {
  const res = await h.app.inject({
    method,
    url,
    headers: { ...bearer(token), ...(contentType ? { 'content-type': contentType } : {}) },
    ...(payload === undefined ? {} : { payload: payload as string }),
  });
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
  return res.json<Record<string, unknown>>();
};

/** A receipt of the pagoPA node for a position, as a PSP sends it (paSendRTV2). */
function receiptFor(nav: string, amount: string, payerFiscalCode: string): Receipt {
  return {
    receiptId: `R${nav}`,
    noticeNumber: nav,
    fiscalCode: testCreditor.fiscalCode,
    outcome: 'OK',
    creditorReferenceId: nav.slice(1),
    paymentAmount: amount,
    description: 'Contributo ANAC',
    companyName: testCreditor.name,
    debtor: { type: 'G', fiscalCode: payerFiscalCode, fullName: 'Impresa' },
    transferList: [
      {
        idTransfer: 1,
        amount,
        fiscalCodePA: testCreditor.fiscalCode,
        iban: testCreditor.iban,
        remittanceInformation: 'Contributo',
        transferCategory: '9/0301109AP',
      },
    ],
    idPSP: 'PSPTEST01',
    pspCompanyName: 'PSP di test',
    idChannel: 'PSPTEST01_01',
    channelDescription: 'app',
    paymentMethod: 'creditCard',
    paymentDateTime: '2026-03-02T11:00:00',
  };
}

/** Signs in on the portal with the demo sign-in (the harness needs `demoSignIn: true`). */
export async function portalSession(h: Harness, userId: string): Promise<Person['portal']> {
  const page = await h.app.inject({ url: '/accedi' });
  const loginCsrf = /name="csrf" value="([^"]+)"/.exec(page.body)![1]!;
  const loginCookie = page.cookies.find((c) => c.name === 'gara_csrf_accesso')!.value;
  const signed = await h.app.inject({
    method: 'POST',
    url: '/accedi',
    headers: { cookie: `gara_csrf_accesso=${loginCookie}` },
    payload: { csrf: loginCsrf, utente: userId, dopo: '/area-personale' },
  });
  expect(signed.statusCode).toBe(303);
  const cookie = `gara_sessione=${signed.cookies.find((c) => c.name === 'gara_sessione')!.value}`;
  const home = await h.app.inject({ url: '/area-personale', headers: { cookie } });
  return { cookie, csrf: /name="csrf" value="([^"]+)"/.exec(home.body)![1]! };
}

/**
 * What every tenant-scoped route can be asked about, made through the API as the tenant's own people
 * do it. `shared` holds what the Authority makes once for everybody: an administrator's token, the
 * published notice the sections relay, the open incident of CIG issuance (for urgent procedures).
 */
export async function makeTenant(
  h: Harness,
  shared: { adminToken: string; noticeId: string },
  where: { section: string; aoo: string; place: string },
): Promise<Tenant> {
  const rup = await h.factories.rup({ place: where.place, section: where.section });
  const officer = await h.factories.user('regional_staff', { regionalSectionCode: where.section });
  const operatorFiscalCode = uniqueNumericFiscalCode();
  const operator = await call(h, 'POST', '/api/v1/economic-operators', shared.adminToken, {
    fiscalCode: operatorFiscalCode,
    name: `Impresa ${where.section} S.r.l.`,
  });
  const bidder = await h.factories.user('economic_operator', { economicOperatorId: String(operator.id) });

  const { tender, lots } = await h.factories.tender(rup.actor, { lots: [sampleLot({ place: where.place })] });
  const cig = lots[0]!.cig;
  const now = h.clock.now();
  await call(h, 'POST', `/api/v1/lots/${cig}/perfection`, rup.token, {
    publicationDate: now.toISOString().slice(0, 10),
    bidDeadline: new Date(now.getTime() + 30 * 86_400_000).toISOString(),
  });
  const position = await call(h, 'POST', `/api/v1/lots/${cig}/payment-positions`, bidder.token);
  // Paid through the node (a receipt exists to be read).
  const paid = await soap(
    h,
    sendRtV2Request(
      caller,
      receiptFor(String(position.noticeNumber), String(position.amount), operatorFiscalCode),
    ),
    'paSendRTV2',
  );
  expect(parseResponse(paid.body).outcome, paid.body).toBe('OK');
  const smartCig = await call(h, 'POST', '/api/v1/smart-cigs', rup.token, {
    contractType: 'under_threshold',
    contractObject: 'supplies',
    procedureType: '10',
    object: 'Cancelleria',
    amount: '39999.99',
  });
  const procedure = await call(h, 'POST', '/api/v1/provisional-procedures', rup.token, {
    object: 'Fornitura urgente',
    procedureType: '5',
    sector: 'ordinary',
    contractObject: 'supplies',
    urgencyReason: '4',
    motivation: 'Fornitura indifferibile per una emergenza in corso',
    lots: [
      {
        ...sampleLot({ place: where.place }),
        invitationDate: now.toISOString().slice(0, 10),
        bidDeadline: new Date(now.getTime() + 20 * 86_400_000).toISOString(),
      },
    ],
  });
  await call(
    h,
    'POST',
    `/api/v1/provisional-procedures/${String(procedure.reference)}/regularisation`,
    rup.token,
  );
  const relay = await call(h, 'POST', `/api/v1/notices/${shared.noticeId}/relays`, officer.token, {});
  // The relay's letter is the section's only registration of the day.
  const register = await call(
    h,
    'GET',
    `/api/v1/protocol/${where.aoo}/registrations?date=${now.toISOString().slice(0, 10)}`,
    officer.token,
  );
  const registrations = register.items as { id: string }[];
  expect(registrations).toHaveLength(1);
  const registrationId = registrations[0]!.id;
  await call(
    h,
    'POST',
    '/api/v1/pec-receipts',
    officer.token,
    [
      'From: posta-certificata@pec.test.example',
      `To: osservatorio.${where.section.toLowerCase()}@pec.test.example`,
      `Subject: ANOMALIA MESSAGGIO: prova ${where.section}`,
      `Message-ID: <${h.deps.ids.uuid()}@pec.test.example>`,
      'Date: Mon, 2 Mar 2026 10:00:00 +0100',
      '',
      'Ricevuta non firmata, conservata per la verifica.',
      '',
    ].join('\r\n'),
    'message/rfc822',
  );
  const receipts = await call(h, 'GET', '/api/v1/pec-receipts', officer.token);
  const receipt = (receipts.items as { id: string }[])[0]!;

  const people = {} as Record<TenantRole, Person>;
  for (const [role, person] of [
    ['rup', rup],
    ['regional_staff', officer],
    ['economic_operator', bidder],
  ] as const)
    people[role] = {
      userId: person.user.id,
      token: person.token,
      portal: await portalSession(h, person.user.id),
    };

  return {
    section: where.section,
    aoo: where.aoo,
    authorityId: rup.authority.id,
    operatorId: String(operator.id),
    operatorFiscalCode,
    people,
    tenderNumber: String(tender.tenderNumber),
    cig,
    smartCig: String(smartCig.cig),
    provisionalReference: String(procedure.reference),
    noticeNumber: String(position.noticeNumber),
    relayId: String(relay.id),
    registrationId,
    outboxId: '', // set by `deliverRelays`, once every tenant's relay is queued
    pecReceiptId: String(receipt.id),
  };
}

/** Sends the queued relay messages into .eml files, and gives each tenant one of its section's. */
export async function deliverRelays(h: Harness, mailDir: string, tenants: Tenant[]): Promise<void> {
  await dispatchDue(h.deps, {
    mailer: fileMailer({ dir: mailDir, from: 'osservatorio@pec.test.example' }),
    webhooks: { post: () => Promise.reject(new Error('no webhook in this test')) },
  });
  for (const tenant of tenants) {
    const outbox = await call(h, 'GET', '/api/v1/outbox?kind=relay', tenant.people.regional_staff.token);
    const mine = (outbox.items as { id: string; relayId: string | null; eml: string | null }[]).find(
      (m) => m.relayId === tenant.relayId && m.eml,
    );
    expect(mine, `an .eml of ${tenant.section}'s relay`).toBeDefined();
    tenant.outboxId = mine!.id;
  }
}

export const tempMailDir = () => mkdtempSync(join(tmpdir(), 'gara-cross-tenant-'));

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withNumericCheckDigit } from '../../src/domain/registry/fiscal-code.js';
import { createHarness, bearer, type Harness } from '../support/harness.js';
import { uniqueNumericFiscalCode, uniquePersonalFiscalCode } from '../support/factories.js';
import { engineName } from '../support/test-db.js';

describe(`registry administration (${engineName()})`, () => {
  let h: Harness;
  let admin: Awaited<ReturnType<Harness['factories']['user']>>;

  beforeAll(async () => {
    h = await createHarness();
    admin = await h.factories.user('admin');
  });
  afterAll(() => h.close());

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, token: string, payload?: unknown) =>
    h.app.inject({
      method,
      url,
      headers: bearer(token),
      ...(payload === undefined ? {} : { payload: payload as object }),
    });

  it('lists the 21 regional sections publicly', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/regional-sections' });
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toHaveLength(21);
    expect(res.json().items.find((s: { code: string }) => s.code === 'PUG')).toMatchObject({
      aooCode: 'AOO_092',
      regionIstat: '016',
    });
  });

  it('registers a contracting authority: fiscal code check digit, AUSA, place and region', async () => {
    const base = {
      ausaCode: '0000243178',
      name: 'Comune di Lecce',
      istatPlace: '016075035',
      pec: 'protocollo@pec.comune.lecce.example',
    };
    const badCf = await call('POST', '/api/v1/contracting-authorities', admin.token, {
      ...base,
      fiscalCode: '80008510755',
    });
    expect(badCf.statusCode).toBe(400);
    expect(badCf.json()).toMatchObject({ field: 'fiscalCode', detail: expect.stringMatching(/check digit/) });
    const badAusa = await call('POST', '/api/v1/contracting-authorities', admin.token, {
      ...base,
      fiscalCode: uniqueNumericFiscalCode(),
      ausaCode: '12345',
    });
    expect(badAusa.json().field).toBe('ausaCode');

    const fiscalCode = uniqueNumericFiscalCode();
    const ok = await call('POST', '/api/v1/contracting-authorities', admin.token, {
      ...base,
      fiscalCode,
      costCentres: [{ code: 'LLPP', name: 'Lavori pubblici' }],
    });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({
      fiscalCode,
      regionalSection: 'PUG',
      placeName: 'LECCE',
      costCentres: [{ code: 'LLPP' }],
    });
    const dup = await call('POST', '/api/v1/contracting-authorities', admin.token, { ...base, fiscalCode });
    expect(dup.statusCode).toBe(409);

    const id = ok.json().id as string;
    const centre = await call('POST', `/api/v1/contracting-authorities/${id}/cost-centres`, admin.token, {
      code: 'SERV',
      name: 'Servizi sociali',
    });
    expect(centre.json().costCentres.map((c: { code: string }) => c.code)).toEqual(['LLPP', 'SERV']);
    const moved = await call('PATCH', `/api/v1/contracting-authorities/${id}`, admin.token, {
      istatPlace: '004022205',
    });
    expect(moved.json()).toMatchObject({ regionalSection: 'TN', placeName: 'TRENTO' });
  });

  it('only administrators change the registry; a RUP sees only their own authority', async () => {
    const rup = await h.factories.rup();
    const res = await call('POST', '/api/v1/contracting-authorities', rup.token, {
      fiscalCode: uniqueNumericFiscalCode(),
      ausaCode: '0000243179',
      name: 'X',
      istatPlace: '016075035',
      pec: 'a@b.example',
    });
    expect(res.statusCode).toBe(403);
    const list = await call('GET', '/api/v1/contracting-authorities', rup.token);
    expect(list.json().items.map((c: { id: string }) => c.id)).toEqual([rup.authority.id]);
    const other = await h.factories.contractingAuthority();
    expect((await call('GET', `/api/v1/contracting-authorities/${other.id}`, rup.token)).statusCode).toBe(
      404,
    );
  });

  it('economic operators: codice fiscale or partita IVA, validated', async () => {
    const vat = withNumericCheckDigit('0987654072');
    const ok = await call('POST', '/api/v1/economic-operators', admin.token, {
      fiscalCode: vat,
      name: 'Impresa Test S.r.l.',
    });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ fiscalCode: vat, vatNumber: vat });
    const person = await call('POST', '/api/v1/economic-operators', admin.token, {
      fiscalCode: 'RSSMRA80A01H501U',
      vatNumber: withNumericCheckDigit('0123999072'),
      name: 'Mario Rossi ditta individuale',
    });
    expect(person.statusCode).toBe(201);
    const bad = await call('POST', '/api/v1/economic-operators', admin.token, {
      fiscalCode: 'RSSMRA80A01H501A',
      name: 'X',
    });
    expect(bad.json()).toMatchObject({ code: 'validation_failed', field: 'fiscalCode' });
  });

  it('users and tokens: a new RUP token works; deactivation revokes it at once', async () => {
    const ca = await h.factories.contractingAuthority();
    const created = await call('POST', '/api/v1/users', admin.token, {
      name: 'Giulia Verdi',
      email: `giulia.${Date.now()}@comune.example`,
      fiscalCode: uniquePersonalFiscalCode(),
      role: 'rup',
      contractingAuthorityId: ca.id,
    });
    expect(created.statusCode).toBe(201);
    const missingLink = await call('POST', '/api/v1/users', admin.token, {
      name: 'X',
      email: `x.${Date.now()}@a.example`,
      role: 'rup',
    });
    expect(missingLink.json()).toMatchObject({ field: 'contractingAuthorityId' });
    const id = created.json().id as string;
    const token = (await call('POST', `/api/v1/users/${id}/tokens`, admin.token, { label: 'portale' })).json()
      .token as string;
    const me = await call('GET', '/api/v1/me', token);
    expect(me.json()).toMatchObject({ id, role: 'rup', contractingAuthorityId: ca.id });
    await call('PATCH', `/api/v1/users/${id}`, admin.token, { active: false });
    expect((await call('GET', '/api/v1/me', token)).statusCode).toBe(401);
  });

  it('a token stops working at its expiresAt even while its actor is cached', async () => {
    const staff = await h.factories.user('authority_staff');
    const expiresAt = new Date(h.clock.now().getTime() + 1_000).toISOString();
    const issued = await call('POST', `/api/v1/users/${staff.user.id}/tokens`, admin.token, {
      label: 'breve',
      expiresAt,
    });
    expect(issued.statusCode).toBe(201);
    const token = issued.json().token as string;
    expect((await call('GET', '/api/v1/me', token)).statusCode).toBe(200); // now cached (10 s)
    h.clock.advance(1_500);
    const late = await call('GET', '/api/v1/me', token);
    expect(late.statusCode).toBe(401);
  });

  it('every registry change is in the audit log', async () => {
    const rows = await h.db.db
      .selectFrom('audit_log')
      .select(['action', 'actor_user_id'])
      .where('actor_user_id', '=', admin.user.id)
      .execute();
    const actions = new Set(rows.map((r) => r.action));
    for (const a of [
      'contracting_authority.created',
      'contracting_authority.cost_centre_added',
      'contracting_authority.updated',
      'economic_operator.created',
      'user.created',
      'user.token_issued',
      'user.updated',
    ]) {
      expect(actions).toContain(a);
    }
  });
});

import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pcpCigFromOrdinal, smartCigFromOrdinal } from '../../src/domain/cig/cig.js';
import { bearer, createHarness, type Harness } from '../support/harness.js';
import { routeTable, type RouteEntry } from '../support/route-table.js';
import {
  deliverRelays,
  makeTenant,
  tempMailDir,
  tenantRoles,
  type Tenant,
  type TenantRole,
} from '../support/tenants.js';
import { engineName } from '../support/test-db.js';

/**
 * Issue 11, point 1: every route that takes an id, asked by one tenant (a contracting authority's RUP,
 * a regional section's officer, a bidder) about another tenant's resource, answers 404 — exactly as
 * for a resource that does not exist, never 403 nor the resource.
 *
 * The routes come from the app's own route table (API and portal; the SOAP service takes no id), so a
 * new route is covered without editing this file. Each path segment holding a parameter is looked up
 * in PARAMETERS (`lots/:cig`, `inoltri/:id`, ...): how to get a tenant's value, and which tenant roles
 * own such a resource. An unknown segment fails the test, naming the route: add it to PARAMETERS, or
 * there as `notTenantScoped` with the reason (public routes of a tenant's resource: PUBLIC_ROUTES).
 *
 * Two tenants A and B are made alike (tenants.ts: each an authority with its RUP, a section with its
 * officer, a bidder; a tender, a perfected lot, a paid position, a SmartCIG, a regularised urgent
 * procedure, a relay with its registration and .eml, a PEC receipt). For every route and every role
 * owning one of its parameters, A's person asks with A's own values (the control) and with B's:
 * - A's own answers 2xx (GET) or anything but 400/401/403/404 (a change): the role may act, so B's
 *   must be 404;
 * - A's own answers 401/403: the role may not act at all, so B's answers the same or 404;
 * - a read whose control fails cannot be judged, and fails the test (CONTROL_NOT_POSSIBLE to excuse it).
 * Roles owning none of the route's resources (a bidder asking about a tender) must get 403 or 404,
 * unless the route is open to them by design (OPEN_TO, or a kind's `readers`).
 * Changes are sent to B's resources first, all of them, and to A's own (the controls) only afterwards,
 * so a refused change leaves A's resources as they were for the later requests.
 */

type Kind =
  | {
      owners: readonly TenantRole[];
      value: (t: Tenant, role: TenantRole) => string;
      /** Roles that read every tenant's such resource by design (the others must get 403 or 404). */
      readers?: readonly TenantRole[];
    }
  /** A parameter that belongs to nobody (a day, a file format): the same value for both tenants. */
  | { owners: readonly []; value: () => string }
  | { notTenantScoped: string };

const TODAY = '2026-03-02';
const authorityOwners = ['rup', 'regional_staff'] as const;
const sectionOwners = ['regional_staff'] as const;

/** Path segments with a parameter, keyed `<segment before>/<segment>` (API and portal alike). */
const PARAMETERS: Record<string, Kind> = {
  'tenders/:tenderNumber': { owners: authorityOwners, value: (t) => t.tenderNumber },
  'gare/:n': { owners: authorityOwners, value: (t) => t.tenderNumber },
  'lots/:cig': { owners: authorityOwners, value: (t) => t.cig },
  'lotti/:cig': { owners: authorityOwners, value: (t) => t.cig },
  'smart-cigs/:cig': { owners: authorityOwners, value: (t) => t.smartCig },
  'provisional-procedures/:reference': { owners: authorityOwners, value: (t) => t.provisionalReference },
  'procedure-urgenti/:ref': { owners: authorityOwners, value: (t) => t.provisionalReference },
  'contracting-authorities/:id': { owners: authorityOwners, value: (t) => t.authorityId },
  'stazioni-appaltanti/:id': { owners: authorityOwners, value: (t) => t.authorityId },
  // A payment position is the bidder's, and its lot's authority and section see it too.
  'payment-positions/:noticeNumber': {
    owners: ['economic_operator', ...authorityOwners],
    value: (t) => t.noticeNumber,
  },
  'contributi/:nav': { owners: ['economic_operator', ...authorityOwners], value: (t) => t.noticeNumber },
  'contributions/:fiscalCode': { owners: ['economic_operator'], value: (t) => t.operatorFiscalCode },
  // The registry of economic operators is open to authorities and sections (they check their bidders).
  'economic-operators/:id': {
    owners: ['economic_operator'],
    readers: authorityOwners,
    value: (t) => t.operatorId,
  },
  'operatori-economici/:id': {
    owners: ['economic_operator'],
    readers: authorityOwners,
    value: (t) => t.operatorId,
  },
  // A user sees their own record only (administrators see all).
  'users/:id': { owners: tenantRoles, value: (t, role) => t.people[role].userId },
  'utenti/:id': { owners: tenantRoles, value: (t, role) => t.people[role].userId },
  'regional-sections/:code': { owners: sectionOwners, value: (t) => t.section },
  'protocol/:aoo': { owners: sectionOwners, value: (t) => t.aoo },
  'protocollo/:aoo': { owners: sectionOwners, value: (t) => t.aoo },
  'registrations/:id': { owners: sectionOwners, value: (t) => t.registrationId },
  'registrazioni/:id': { owners: sectionOwners, value: (t) => t.registrationId },
  'relays/:id': { owners: sectionOwners, value: (t) => t.relayId },
  'inoltri/:id': { owners: sectionOwners, value: (t) => t.relayId },
  'outbox/:id': { owners: sectionOwners, value: (t) => t.outboxId },
  'pec-receipts/:id': { owners: sectionOwners, value: (t) => t.pecReceiptId },
  'daily-registers/:date': { owners: [], value: () => TODAY },
  'registro-giornaliero/:date.:format': { owners: [], value: () => `${TODAY}.json` },

  'cigs/:code': { notTenantScoped: 'the public CIG lookup (open data)' },
  'cig-validations/:code': { notTenantScoped: 'checks the form of any string; reads nothing stored' },
  'notices/:id': {
    notTenantScoped:
      "the Authority's comunicati: drafted by its staff, public once published, relayed by every section",
  },
  'comunicati/:id': {
    notTenantScoped: "the Authority's comunicati (public page; every section relays them)",
  },
  'redazione/:id': { notTenantScoped: "drafts of the Authority's comunicati (its staff only)" },
  'incidents/:code': { notTenantScoped: "the Authority's incidents, public on the status page" },
  'disservizi/:code': { notTenantScoped: "the Authority's incidents, public on the status page" },
  'maintenances/:id': { notTenantScoped: "the Authority's maintenance windows, public on the status page" },
  'manutenzioni/:id': { notTenantScoped: "the Authority's maintenance windows, public on the status page" },
  'reporting-flows/:flowId': {
    notTenantScoped: "pagoPA's reporting flows to the Authority (its staff only)",
  },
  'sezioni/:code': { notTenantScoped: 'the 21 regional sections, maintained by administrators' },
  'attestazioni/:name': {
    notTenantScoped: "the Authority's downtime certificates, public (status page, verification by anyone)",
  },
};

/**
 * Routes that anyone may read whatever their parameter (open data), though a parameter is a tenant's:
 * the public directory of the 21 regional sections (name, PEC, AOO) is read by every caller.
 */
const PUBLIC_ROUTES = new Set([
  'GET /api/v1/regional-sections/:code',
  // A provisional reference is printed on the tender's documents "CIG in fase di acquisizione" so that
  // anyone can verify it (the API route is `auth: 'public'`); the portal's page shows the same data
  // to any signed-in user. Regularising it stays the owning RUP's (POST .../regularisation, judged here).
  'GET /api/v1/provisional-procedures/:reference',
  'GET /area-personale/procedure-urgenti/:ref',
]);

/**
 * Routes that answer B's resource with something other than 404 today: defects for the lanes that move
 * the routes behind use cases (issue 11). Printed on every run; an entry that no longer leaks fails the
 * test, so the list only shrinks. `<METHOD> <path> as <role>`.
 */
const KNOWN_LEAKS_TO_FIX = new Set<string>([]);

/** Routes open by design to roles that own none of their resources (not asked the stranger's question). */
const OPEN_TO: Record<string, { roles: readonly TenantRole[]; reason: string }> = {
  'POST /api/v1/lots/:cig/payment-positions': {
    roles: ['economic_operator'],
    reason: 'any bidder pays the contribution for the lot it bids on, whoever the authority',
  },
};

/**
 * GET routes whose control cannot succeed with the data this test makes, and why: their 404 for B is
 * asserted all the same, but not proved meaningful.
 */
const CONTROL_NOT_POSSIBLE: Record<string, string> = {};

/** Bodies of changes, so that a change gets past its schema to the lookup (`{}` otherwise). */
const BODIES: Record<string, Record<string, unknown>> = {
  'POST /api/v1/tenders/:tenderNumber/lots': {
    object: 'Lotto aggiuntivo',
    amount: '100000.00',
    cpv: '50700000',
    place: '016072006',
  },
  'POST /api/v1/tenders/:tenderNumber/cancellation': { reason: 5 },
  'POST /api/v1/lots/:cig/cancellation': { reason: 1 },
  'POST /api/v1/lots/:cig/perfection': { publicationDate: TODAY, bidDeadline: '2026-04-30T12:00:00Z' },
  'POST /api/v1/lots/:cig/reserves': { fiscalCode: '01234567890', bidderName: 'Impresa con riserva' },
  'POST /api/v1/payment-positions/:noticeNumber/cancellation': { note: 'Annullata per prova' },
  'POST /api/v1/protocol/registrations/:id/annulment': { measure: 'Provvedimento 1', reason: 'Errore' },
  'POST /api/v1/protocol/:aoo/registrations': {
    subject: 'Registrazione di prova',
    correspondents: [{ name: 'Comune di Prova', address: 'protocollo@pec.test.example' }],
    document: {
      fileName: 'lettera.pdf',
      contentBase64: Buffer.from('%PDF-1.4 prova\n%%EOF\n').toString('base64'),
    },
  },
  'POST /api/v1/contracting-authorities/:id/cost-centres': { code: 'CDC-99', name: 'Ufficio prova' },
  'PATCH /api/v1/regional-sections/:code': { city: 'Roma' },
  'PATCH /api/v1/contracting-authorities/:id': { name: 'Comune di Prova rinominato' },
  'PATCH /api/v1/economic-operators/:id': { name: 'Impresa rinominata S.r.l.' },
  'PATCH /api/v1/users/:id': { name: 'Utente rinominato' },
  'POST /api/v1/users/:id/tokens': { label: 'prova' },
};

/** Query strings a route needs to get past its schema. */
const QUERIES: Record<string, string> = {
  'GET /api/v1/protocol/:aoo/registrations': `?date=${TODAY}`,
};

interface Outcome {
  route: string;
  role: TenantRole;
  own: number;
  other: number;
  verdict: 'ok' | 'leak' | 'unjudged';
  note?: string;
}

const segmentKeys = (path: string): string[] => {
  const segments = path.split('/');
  return segments.flatMap((s, i) => (s.includes(':') ? [`${segments[i - 1]}/${s}`] : []));
};

describe(`another tenant's resource answers 404 on every route that takes an id (${engineName()})`, () => {
  let h: Harness;
  let mailDir: string;
  let a: Tenant;
  let b: Tenant;

  beforeAll(async () => {
    mailDir = tempMailDir();
    h = await createHarness({ demoSignIn: true, mailDir });
    const admin = await h.factories.user('admin');
    const staff = await h.factories.user('authority_staff');
    // CIG issuance declared down: RUPs may register urgent procedures (provisional references).
    const incident = await h.app.inject({
      method: 'POST',
      url: '/api/v1/incidents',
      headers: bearer(staff.token),
      payload: {
        title: 'Rilascio dei CIG non disponibile',
        impact: 'major_outage',
        services: ['cig_issuance', 'smart_cig'],
        startedAt: '2026-03-02T08:00:00Z',
        message: 'Il servizio di rilascio dei CIG non è disponibile.',
      },
    });
    expect(incident.statusCode, incident.body).toBe(201);
    const notice = await h.app.inject({
      method: 'POST',
      url: '/api/v1/notices',
      headers: bearer(staff.token),
      payload: {
        title: 'Nuova versione del servizio SmartCIG',
        noticeDate: TODAY,
        kind: 'information',
        body: 'Dal 10 marzo il servizio SmartCIG è disponibile nella nuova versione.',
      },
    });
    expect(notice.statusCode, notice.body).toBe(201);
    const shared = { adminToken: admin.token, noticeId: notice.json<{ id: string }>().id };
    a = await makeTenant(h, shared, { section: 'PUG', aoo: 'AOO_092', place: '016072006' });
    b = await makeTenant(h, shared, { section: 'LAZ', aoo: 'AOO_T_LAZ', place: '012058091' });
    await deliverRelays(h, mailDir, [a, b]);
  }, 180_000);
  afterAll(async () => {
    await h?.close();
    rmSync(mailDir, { recursive: true, force: true });
  });

  const portal = (path: string) => !path.startsWith('/api/');

  const send = (route: RouteEntry, url: string, role: TenantRole, tenant: Tenant) => {
    const person = tenant.people[role];
    const body = BODIES[`${route.method} ${route.path}`] ?? {};
    url += QUERIES[`${route.method} ${route.path}`] ?? '';
    if (portal(route.path))
      return h.app.inject({
        method: route.method as 'GET',
        url,
        headers: { cookie: person.portal.cookie },
        ...(route.method === 'GET' ? {} : { payload: { csrf: person.portal.csrf, ...body } }),
      });
    return h.app.inject({
      method: route.method as 'GET',
      url,
      headers: bearer(person.token),
      ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { payload: body }),
    });
  };

  it('every route with a parameter, asked about the other tenant, answers as for a missing resource (404)', async () => {
    const routes = routeTable(h.app).filter(
      (r) => r.params.length > 0 && r.path !== '/pagopa/paForNode' && !r.path.startsWith('/docs'),
    );
    expect(routes.length).toBeGreaterThan(60);

    const unknown: string[] = [];
    const plans: {
      route: RouteEntry;
      name: string;
      roles: TenantRole[];
      strangers: TenantRole[];
      url: (t: Tenant, r: TenantRole) => string;
    }[] = [];
    const skipped: string[] = [];
    for (const route of routes) {
      const name = `${route.method} ${route.path}`;
      const keys = segmentKeys(route.path);
      const kinds = keys.map((k) => PARAMETERS[k]);
      const missing = keys.filter((k) => !PARAMETERS[k]);
      if (missing.length) {
        unknown.push(`${name}: no entry for ${missing.join(', ')} in PARAMETERS`);
        continue;
      }
      const notScoped = kinds.find((k) => k && 'notTenantScoped' in k);
      if (notScoped && 'notTenantScoped' in notScoped) {
        skipped.push(`${name} (${notScoped.notTenantScoped})`);
        continue;
      }
      if (PUBLIC_ROUTES.has(name)) {
        skipped.push(`${name} (public)`);
        continue;
      }
      const has = (role: TenantRole, field: 'owners' | 'readers') =>
        kinds.some(
          (k) =>
            k &&
            'owners' in k &&
            ((k as Record<string, unknown>)[field] as TenantRole[] | undefined)?.includes(role),
        );
      const roles = tenantRoles.filter((role) => has(role, 'owners'));
      const strangers = tenantRoles.filter(
        (role) => !has(role, 'owners') && !has(role, 'readers') && !OPEN_TO[name]?.roles.includes(role),
      );
      if (!roles.length) {
        unknown.push(`${name}: none of its parameters belongs to a tenant; mark one NOT tenant-scoped`);
        continue;
      }
      const segments = route.path.split('/');
      plans.push({
        route,
        name,
        roles,
        strangers,
        url: (t, role) =>
          segments
            .map((s, i) => {
              if (!s.includes(':')) return s;
              const kind = PARAMETERS[`${segments[i - 1]}/${s}`]!;
              return encodeURIComponent(
                (kind as { value: (t: Tenant, r: TenantRole) => string }).value(t, role),
              );
            })
            .join('/'),
      });
    }
    expect(unknown, 'routes whose parameters this test does not know').toEqual([]);

    const outcomes: Outcome[] = [];
    const judge = (plan: (typeof plans)[number], role: TenantRole, own: number, other: number): Outcome => {
      const outcome = (verdict: Outcome['verdict'], note?: string): Outcome => ({
        route: plan.name,
        role,
        own,
        other,
        verdict,
        ...(note ? { note } : {}),
      });
      const reading = plan.route.method === 'GET';
      if (own === 401 || own === 403)
        // The role may not do this at all: B's resource may answer the same, or as absent (404).
        return other === own || other === 404
          ? outcome('ok', 'role refused')
          : outcome('leak', 'the role is refused, yet the other tenant is answered differently');
      // The control shows the role acting on its own resource (a change may end in a conflict).
      const acted = reading ? own >= 200 && own < 300 : own < 400 || own === 409 || own === 422;
      if (acted) return other === 404 ? outcome('ok') : outcome('leak');
      if (reading) return outcome('unjudged', 'the control did not read its own resource');
      // A change refused (400) on A's own resource: judged only when B's got past it to the lookup.
      if (other === 404) return outcome('ok', `own change refused ${own}`);
      return other === own ? outcome('unjudged', 'refused before the lookup') : outcome('leak');
    };

    /** A role that owns no such resource asks about B's: refused (403) or not found (404), nothing else. */
    const stranger = async (plan: (typeof plans)[number], role: TenantRole) => {
      const other = (await send(plan.route, plan.url(b, role), role, a)).statusCode;
      outcomes.push({
        route: plan.name,
        role,
        own: 0,
        other,
        verdict: other === 403 || other === 404 ? 'ok' : 'leak',
        note: 'owns no such resource',
      });
    };

    // Reads: the control first, then the other tenant's resource.
    for (const plan of plans.filter((p) => p.route.method === 'GET')) {
      for (const role of plan.strangers) await stranger(plan, role);
      for (const role of plan.roles) {
        const own = await send(plan.route, plan.url(a, role), role, a);
        const other = await send(plan.route, plan.url(b, role), role, a);
        outcomes.push(judge(plan, role, own.statusCode, other.statusCode));
      }
    }
    // Changes: every request on B's resources first, then the controls on A's own.
    const changes = plans
      .filter((p) => p.route.method !== 'GET')
      // Token revocation and user changes last: they may sign A's people out.
      .sort(
        (x, y) =>
          Number(/\/(users|utenti)\//.test(x.route.path)) - Number(/\/(users|utenti)\//.test(y.route.path)),
      );
    const others = new Map<string, number>();
    for (const plan of changes) {
      for (const role of plan.strangers) await stranger(plan, role);
      for (const role of plan.roles)
        others.set(
          `${plan.name} as ${role}`,
          (await send(plan.route, plan.url(b, role), role, a)).statusCode,
        );
    }
    for (const plan of changes)
      for (const role of plan.roles) {
        const own = await send(plan.route, plan.url(a, role), role, a);
        outcomes.push(judge(plan, role, own.statusCode, others.get(`${plan.name} as ${role}`)!));
      }

    const line = (o: Outcome) =>
      `${o.route} as ${o.role}: ${o.own ? `own ${o.own}, ` : ''}other tenant's ${o.other}${o.note ? ` (${o.note})` : ''}`;
    const leaks = outcomes.filter((o) => o.verdict === 'leak');
    const unjudged = outcomes.filter((o) => o.verdict === 'unjudged');
    console.log(
      [
        `cross-tenant (${engineName()}): ${plans.length} routes, ${outcomes.length} requests judged, ` +
          `${outcomes.filter((o) => o.verdict === 'ok').length} ok, ${leaks.length} leaks, ${unjudged.length} unjudged`,
        `not tenant-scoped or public (${skipped.length}):\n  ${skipped.join('\n  ')}`,
        `KNOWN_LEAKS_TO_FIX (${KNOWN_LEAKS_TO_FIX.size}), to fix in the routes' use cases:\n  ${leaks
          .filter((o) => KNOWN_LEAKS_TO_FIX.has(`${o.route} as ${o.role}`))
          .map(line)
          .join('\n  ')}`,
        `new leaks:\n  ${leaks
          .filter((o) => !KNOWN_LEAKS_TO_FIX.has(`${o.route} as ${o.role}`))
          .map(line)
          .join('\n  ')}`,
        `open by design to roles owning none of their resources:\n  ${Object.entries(OPEN_TO)
          .map(([r, o]) => `${r} (${o.roles.join(', ')}: ${o.reason})`)
          .join('\n  ')}`,
        `unjudged (${unjudged.length}):\n  ${unjudged.map(line).join('\n  ')}`,
        `ok:\n  ${outcomes
          .filter((o) => o.verdict === 'ok')
          .map(line)
          .join('\n  ')}`,
      ].join('\n'),
    );

    const newLeaks = leaks.filter((o) => !KNOWN_LEAKS_TO_FIX.has(`${o.route} as ${o.role}`)).map(line);
    const fixed = [...KNOWN_LEAKS_TO_FIX].filter((k) => !leaks.some((o) => `${o.route} as ${o.role}` === k));
    expect(newLeaks, "routes that answer another tenant's resource with something other than 404").toEqual(
      [],
    );
    expect(fixed, 'no longer leaking: remove from KNOWN_LEAKS_TO_FIX').toEqual([]);
    // A read whose control fails proves nothing: the test's values or the route are wrong.
    const unproved = unjudged
      .filter((o) => o.route.startsWith('GET ') && !(o.route in CONTROL_NOT_POSSIBLE))
      .map(line);
    expect(unproved, "reads the tenant's own person cannot make (see CONTROL_NOT_POSSIBLE)").toEqual([]);
    // So every read is, for each owning role, either made on the role's own resource (and B's answers
    // 404) or refused to the role (and B's answers the same): no read is left unjudged.
    const refusedToAll = plans
      .filter((p) => p.route.method === 'GET')
      .filter((p) => !outcomes.some((o) => o.route === p.name && o.own >= 200 && o.own < 300))
      .map((p) => p.name);
    console.log(
      `reads refused to every tenant role (staff/administrators only):\n  ${refusedToAll.join('\n  ')}`,
    );
  }, 300_000);

  it('values the other tenant does not have are unknown: the routes answer 404 for them too', async () => {
    // The "missing resource" half of the comparison, on a few kinds, so that 404 is what absence means.
    const missing = [
      `/api/v1/lots/${pcpCigFromOrdinal(16 ** 6 * 20 + 4242)}`,
      `/api/v1/smart-cigs/${smartCigFromOrdinal(2 * 16 ** 7 + 4242)}`,
      `/api/v1/relays/${randomUUID()}`,
      `/api/v1/payment-positions/399999999999999999`,
    ];
    for (const url of missing) {
      const res = await h.app.inject({ url, headers: bearer(a.people.regional_staff.token) });
      expect(res.statusCode, url).toBe(404);
    }
  });
});

import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createHarness, type Harness } from '../support/harness.js';
import { uniqueNumericFiscalCode } from '../support/factories.js';
import { engineName } from '../support/test-db.js';

/**
 * Every creating endpoint of the API (POST, PUT, PATCH under /api/v1), taken from the OpenAPI document
 * the routes generate — a new route is fuzzed without editing this file — gets bodies generated from its
 * schema, valid ones and hostile mutations of them (U+0000, lone surrogates, 1e308, -1, huge strings,
 * years 0000/1970/9999, wrong types, extra and missing fields, deep nesting, cut JSON). Never a 5xx,
 * and a refused (4xx) request writes nothing: a row trigger on every table of the schema counts the
 * rows that committed transactions insert, update or delete.
 *
 * The role each route needs is found by asking: a valid body is sent with each role's token and the
 * first one that is not answered 401/403 is used. A route no role can reach fails the test. Path
 * parameters come from what earlier creating requests answered (`POST /notices` -> `notices/{id}`),
 * shallow paths being fuzzed first, or from a few seeded rows; otherwise from the parameter's schema.
 */
const BODIES_PER_RUN = 5_000;

type Schema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  format?: string;
  examples?: unknown[];
};
interface Operation {
  parameters?: { in: string; name: string; schema: Schema }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}
interface Route {
  method: 'POST' | 'PUT' | 'PATCH';
  path: string;
  pathParams: { name: string; schema: Schema }[];
  body: Schema | undefined;
}

const day = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-12-31T23:59:59Z'), noInvalidDate: true })
  .map((d) => d.toISOString());

/** Values that satisfy the schema (as far as a generator can: patterns, formats, bounds, enums). */
function valid(schema: Schema, depth = 0): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) return fc.oneof(...branches.map((b) => valid(b, depth)));
  if (Array.isArray(schema.type))
    return fc.oneof(...schema.type.map((type) => valid({ ...schema, type }, depth)));
  switch (schema.type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1_000_000, max: schema.maximum ?? 1_000_000 });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true });
    case 'array':
      return fc.array(valid(schema.items ?? {}, depth + 1), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 3, Math.max(schema.minItems ?? 0, 3)),
      });
    case 'object': {
      const properties = schema.properties ?? {};
      return fc.record(
        Object.fromEntries(Object.entries(properties).map(([k, s]) => [k, valid(s, depth + 1)])),
        { requiredKeys: (schema.required ?? []).filter((k) => k in properties) },
      );
    }
    case 'string':
      return validString(schema);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function validString(schema: Schema): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = Math.min(schema.maxLength ?? 40, 40);
  const fitting = (a: fc.Arbitrary<string>) =>
    a.filter((s) => s.length >= min && s.length <= (schema.maxLength ?? 1e9));
  let base: fc.Arbitrary<string>;
  if (schema.format === 'uuid') base = fc.uuid();
  else if (schema.format === 'date') base = day.map((d) => d.slice(0, 10));
  else if (schema.format === 'date-time') base = day;
  else if (schema.format === 'year-month') base = day.map((d) => d.slice(0, 7));
  else if (schema.format === 'byte')
    base = fc
      .uint8Array({ minLength: Math.ceil((min * 3) / 4), maxLength: 64 })
      .map((b) => Buffer.from(b).toString('base64'));
  else if (schema.pattern) base = fitting(fc.stringMatching(new RegExp(schema.pattern)));
  else base = fc.string({ minLength: min, maxLength: Math.max(min, max), unit: 'grapheme' });
  return schema.examples?.length
    ? fc.oneof(base, fc.constantFrom(...schema.examples.filter((e): e is string => typeof e === 'string')))
    : base;
}

const NUL = '\u0000';
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    NUL,
    `a${NUL}b`,
    '\ud800',
    'x\udc00',
    '\ud83d',
    1e308,
    -1e308,
    -1,
    0,
    2 ** 63,
    9_007_199_254_740_993,
    1.5,
    '1e308',
    '-1',
    'x'.repeat(100_000),
    '0000-01-01',
    '9999-12-31',
    '1970-01-01',
    '0001-01-01T00:00:00Z',
    '0000-01-01T00:00:00Z',
    '9999-12-31T23:59:59Z',
    '1970-01-01T00:00:00Z',
    '2026-02-30',
    '0000-01',
    true,
    null,
    [],
    {},
    '',
    ' ',
    '../../etc/passwd',
    "'; DROP TABLE audit_log; --",
  ),
  fc.jsonValue({ maxDepth: 3 }),
  fc.integer({ min: 1, max: 200 }).map((depth) => {
    let v: unknown = NUL;
    for (let i = 0; i < depth; i += 1) v = i % 2 ? [v] : { a: v };
    return v;
  }),
);

/** Every [path, value] of a JSON value, the root included. */
function slots(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  const out = [path];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...slots(v, [...path, i])));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) out.push(...slots(v, [...path, k]));
  return out;
}

function setAt(value: unknown, path: (string | number)[], replace: (old: unknown) => unknown): unknown {
  if (path.length === 0) return replace(value);
  const [head, ...rest] = path;
  const copy = (Array.isArray(value) ? [...(value as unknown[])] : { ...(value as object) }) as Record<
    string | number,
    unknown
  >;
  copy[head!] = setAt(copy[head!], rest, replace);
  return copy;
}

/** A valid body with one hostile change at a random place of it. */
const hostile = (body: unknown): fc.Arbitrary<unknown> => {
  const places = slots(body);
  return fc.oneof(
    fc
      .record({ at: fc.constantFrom(...places), v: hostileValue })
      .map(({ at, v }) => setAt(body, at, () => v)),
    // A valid string with U+0000 or half a surrogate pair in it.
    fc
      .record({ at: fc.constantFrom(...places), bad: fc.constantFrom(NUL, '\ud800', '\udfff') })
      .map(({ at, bad }) => setAt(body, at, (old) => (typeof old === 'string' ? `${old}${bad}` : bad))),
    fc
      .record({
        at: fc.constantFrom(...places),
        key: fc.constantFrom('extra', NUL, '\ud800', 'constructor'),
        v: hostileValue,
      })
      .map(({ at, key, v }) =>
        setAt(body, at, (old) =>
          old && typeof old === 'object' && !Array.isArray(old) ? { ...old, [key]: v } : v,
        ),
      ),
    // A field left out (or, for a body without fields, none at all).
    fc
      .constantFrom(...places.filter((p) => p.length === 1), [])
      .map((at) =>
        at.length
          ? setAt(body, [], (old) =>
              Object.fromEntries(Object.entries(old as object).filter(([k]) => k !== at[0])),
            )
          : {},
      ),
  );
};

/** A lone surrogate cannot be percent-encoded as UTF-8: it goes as the bytes of its WTF-8 form. */
const encodePathValue = (value: string): string => {
  try {
    return encodeURIComponent(value);
  } catch {
    return '%ED%A0%80';
  }
};

/** Reasons of the 400s answered before a handler runs (Ajv keywords, the text guard, the router). */
const beforeHandler = new Set([
  ...['type', 'required', 'additionalProperties', 'pattern', 'format', 'minLength', 'maxLength', 'minimum'],
  ...['maximum', 'enum', 'const', 'anyOf', 'oneOf', 'minItems', 'maxItems', 'minProperties', 'maxProperties'],
  ...['unsafe_text', 'bad_url', 'path_too_long'],
]);
const pastTheRoleCheck = (res: { statusCode: number; body: string }): boolean => {
  if (res.statusCode === 415) return false;
  if (res.statusCode !== 400) return true;
  const problem = JSON.parse(res.body) as { field?: string; reason?: string };
  return !!problem.field && !beforeHandler.has(problem.reason ?? '');
};

describe(`fuzzing every creating endpoint (${engineName()})`, () => {
  let h: Harness;
  const tokens: Record<string, string | null> = { anonymous: null };
  /** Values for path parameters, by `<collection>/<param>`, from seeds and from what creating requests answered. */
  const known = new Map<string, string[]>();
  const remember = (key: string, value: unknown) => {
    if (typeof value !== 'string' && typeof value !== 'number') return;
    const list = known.get(key) ?? [];
    if (!list.includes(String(value))) list.push(String(value));
    if (list.length > 20) list.shift();
    known.set(key, list);
  };

  beforeAll(async () => {
    h = await createHarness();
    const rup = await h.factories.rup();
    tokens.rup = rup.token;
    tokens.authority_staff = (await h.factories.user('authority_staff')).token;
    tokens.regional_staff = (await h.factories.user('regional_staff', { regionalSectionCode: 'PUG' })).token;
    tokens.admin = (await h.factories.user('admin')).token;
    const operator = await h.app.inject({
      method: 'POST',
      url: '/api/v1/economic-operators',
      headers: bearer(tokens.admin),
      payload: { fiscalCode: uniqueNumericFiscalCode(), name: 'Impresa di prova' },
    });
    expect(operator.statusCode, operator.body).toBe(201);
    tokens.economic_operator = (
      await h.factories.user('economic_operator', { economicOperatorId: operator.json<{ id: string }>().id })
    ).token;
    for (let i = 0; i < 3; i += 1) {
      const { tender, lots } = await h.factories.tender(rup.actor);
      remember('tenders/tenderNumber', tender.tenderNumber);
      for (const lot of lots) remember('lots/cig', lot.cig);
    }
    remember('regional-sections/code', 'LOM');
    remember('protocol/aoo', 'AOO_092');
    // Count every row a committed transaction writes, table by table (the counter is rolled back with
    // a transaction that fails, as the writes are).
    await sql`CREATE TABLE fuzz_writes (n bigint NOT NULL, last_table text)`.execute(h.db.db);
    await sql`INSERT INTO fuzz_writes VALUES (0, NULL)`.execute(h.db.db);
    await sql
      .raw(
        `CREATE FUNCTION fuzz_count_write() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN UPDATE fuzz_writes SET n = n + 1, last_table = TG_TABLE_NAME; RETURN NULL; END $$`,
      )
      .execute(h.db.db);
    const tables = await sql<{ table_name: string }>`
      SELECT table_name FROM information_schema.tables
      WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'fuzz_writes'`.execute(
      h.db.db,
    );
    expect(tables.rows.length).toBeGreaterThan(20);
    for (const { table_name } of tables.rows)
      await sql
        .raw(
          `CREATE TRIGGER fuzz_count_write AFTER INSERT OR UPDATE OR DELETE ON "${table_name}"
           FOR EACH ROW EXECUTE FUNCTION fuzz_count_write()`,
        )
        .execute(h.db.db);
  });
  afterAll(() => h.close());

  const writes = async () =>
    (
      await sql<{ n: string; last_table: string | null }>`SELECT n, last_table FROM fuzz_writes`.execute(
        h.db.db,
      )
    ).rows[0]!;

  /** The creating routes, from the OpenAPI document: shallow paths first (they make what deeper ones need). */
  const creatingRoutes = (): Route[] => {
    const doc = h.app.swagger() as { paths: Record<string, Record<string, Operation>> };
    const routes: Route[] = [];
    for (const [path, operations] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(operations)) {
        if (!['post', 'put', 'patch'].includes(method) || !path.startsWith('/api/v1/')) continue;
        routes.push({
          method: method.toUpperCase() as Route['method'],
          path,
          pathParams: (op.parameters ?? []).filter((p) => p.in === 'path'),
          body: op.requestBody?.content['application/json']?.schema,
        });
      }
    return routes.sort((a, b) => a.path.split('/').length - b.path.split('/').length);
  };

  const paramKey = (route: Route, name: string) => {
    const segments = route.path.split('/');
    return `${segments[segments.indexOf(`{${name}}`) - 1]}/${name}`;
  };

  const url = (route: Route, hostileParam: unknown = undefined) =>
    route.pathParams.reduce((path, p) => {
      const seen = known.get(paramKey(route, p.name));
      const value =
        hostileParam !== undefined
          ? String(hostileParam)
          : seen?.length
            ? seen[Math.floor(Math.random() * seen.length)]!
            : String(fc.sample(valid(p.schema), 1)[0]);
      return path.replace(`{${p.name}}`, encodePathValue(value));
    }, route.path);

  const send = (route: Route, token: string | null, payload: string | undefined, target = url(route)) =>
    h.app.inject({
      method: route.method,
      url: target,
      headers: {
        ...(token ? bearer(token) : {}),
        ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(payload !== undefined ? { payload } : {}),
    });

  /** What a 2xx answered becomes a path parameter of deeper routes: `POST /notices` -> `notices/{id}`. */
  const harvest = (route: Route, body: string) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return;
    }
    if (!parsed || typeof parsed !== 'object') return;
    const collection = route.path
      .split('/')
      .filter((s) => !s.startsWith('{'))
      .at(-1)!;
    for (const [k, v] of Object.entries(parsed)) remember(`${collection}/${k}`, v);
    for (const lot of (parsed as { lots?: { cig?: string }[] }).lots ?? []) remember('lots/cig', lot.cig);
  };

  it(`at least ${BODIES_PER_RUN} generated and hostile bodies: no 5xx, and a refused request writes nothing`, async () => {
    const started = Date.now();
    const routes = creatingRoutes();
    expect(routes.length).toBeGreaterThan(30);
    const perRoute = Math.ceil(BODIES_PER_RUN / routes.length);
    const histogram = new Map<number, number>();
    const roleOf = new Map<string, string>();
    const failures: { kind: string; example: string }[] = [];
    let bodies = 0;
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);

    for (const route of routes) {
      const name = `${route.method} ${route.path}`;
      const routeStarted = Date.now();
      const routeFailures = failures.length;
      const validBody = route.body ? valid(route.body) : fc.constant(undefined);
      // Which role reaches this route: the first token not answered 401/403 for valid bodies.
      const probes = fc.sample(validBody, { numRuns: 4, seed });
      // Past the role check: not 401, not a 403 without a reason (one with a reason is about something
      // else, e.g. the payment sandbox switched off), not a 400 of the schema or of the body's parser
      // (they answer before any role check); a 400 of a service names a field with no schema keyword.
      let role: string | undefined;
      let fallback: string | undefined;
      for (const [candidate, token] of Object.entries(tokens)) {
        const answers = await Promise.all(
          probes.map((b) => send(route, token, b === undefined ? undefined : JSON.stringify(b))),
        );
        for (const res of answers)
          if (res.statusCode >= 500)
            failures.push({
              kind: `${name} (probe as ${candidate}) -> ${res.statusCode}`,
              example: res.body,
            });
        const notRefused = answers.filter(
          (res) =>
            res.statusCode !== 401 && (res.statusCode !== 403 || !!res.json<{ reason?: string }>().reason),
        );
        if (notRefused.some(pastTheRoleCheck)) {
          role = candidate;
          break;
        }
        if (notRefused.length) fallback ??= candidate;
      }
      // Only 400s (a body the generator cannot make valid, e.g. XML): the first role the schema answered.
      role ??= fallback && `${fallback}?`;
      expect(
        role,
        `${name}: no role of the test can reach it (401/403 for all); teach the test its role`,
      ).toBeDefined();
      roleOf.set(name, role!);
      const token = tokens[role!.replace('?', '')]!;

      const cases = fc.sample(
        fc.tuple(
          validBody.chain((b) =>
            b === undefined
              ? fc.oneof(fc.constant(undefined), hostileValue)
              : fc.oneof({ weight: 1, arbitrary: fc.constant(b) }, { weight: 4, arbitrary: hostile(b) }),
          ),
          fc.nat(99),
        ),
        { numRuns: perRoute, seed: seed + bodies },
      );
      for (const [body, dice] of cases) {
        let payload = body === undefined ? undefined : JSON.stringify(body);
        // Some JSON cut short, some with a hostile path parameter.
        if (payload !== undefined && dice < 5) payload = payload.slice(0, -1);
        const target =
          route.pathParams.length && dice >= 95
            ? url(
                route,
                fc.sample(fc.constantFrom(NUL, '\ud800', '0000-01-01', '1e308', '-1', 'x'.repeat(300)), 1)[0],
              )
            : url(route);
        const before = await writes();
        const res = await send(route, token, payload, target);
        bodies += 1;
        histogram.set(res.statusCode, (histogram.get(res.statusCode) ?? 0) + 1);
        if (res.statusCode >= 500)
          failures.push({
            kind: `${name} -> ${res.statusCode}`,
            example: `${target} ${payload?.slice(0, 400)}`,
          });
        else if (res.statusCode >= 400) {
          if (!/application\/problem\+json/.test(String(res.headers['content-type'])))
            failures.push({ kind: `${name} -> ${res.statusCode} without problem+json`, example: res.body });
          const after = await writes();
          if (after.n !== before.n)
            failures.push({
              kind: `${name} -> ${res.statusCode} wrote rows (${after.last_table})`,
              example: `${Number(after.n) - Number(before.n)} rows; ${payload?.slice(0, 400)} -> ${res.body}`,
            });
        } else harvest(route, res.body);
      }
      if (process.env.FUZZ_VERBOSE)
        console.log(
          `${name} as ${role}: ${Date.now() - routeStarted} ms, ${failures.length - routeFailures} failures`,
        );
    }
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `fuzz (${engineName()}, seed ${seed}): ${bodies} bodies to ${routes.length} creating routes in ${seconds.toFixed(1)} s; statuses ${JSON.stringify(
        Object.fromEntries([...histogram].sort(([a], [b]) => a - b)),
      )}; roles ${JSON.stringify(Object.fromEntries(roleOf))}`,
    );
    // One line per route and kind of failure, with its first example.
    const kinds = new Map<string, string>();
    for (const { kind, example } of failures) if (!kinds.has(kind)) kinds.set(kind, `${kind}: ${example}`);
    expect([...kinds.values()]).toEqual([]);
    expect(bodies).toBeGreaterThanOrEqual(BODIES_PER_RUN);
    expect(histogram.get(201) ?? 0, 'valid bodies were accepted too').toBeGreaterThan(0);
  }, 240_000);

  it('odd content types, empty and oversized bodies are refused cleanly', async () => {
    const cases = [
      { headers: { 'content-type': 'text/plain' }, payload: 'hello' },
      { headers: { 'content-type': 'application/json' }, payload: '' },
      { headers: { 'content-type': 'application/xml' }, payload: '<a/>' },
      {
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ object: 'x'.repeat(2_000_000) }),
      },
    ];
    for (const c of cases) {
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/v1/tenders',
        headers: { ...bearer(tokens.rup!), ...c.headers },
        payload: c.payload,
      });
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      expect(res.json().code).toBeDefined();
    }
  });
});

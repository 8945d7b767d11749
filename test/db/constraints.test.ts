import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/adapters/db/migrate.js';
import { syncReferenceData } from '../../src/adapters/db/reference-data.js';
import { pcpCigFromOrdinal } from '../../src/domain/cig/cig.js';
import { createHarness, type Harness } from '../support/harness.js';
import { engineName } from '../support/test-db.js';

/** What the database itself refuses, whatever the application code does. */
describe(`database rules (${engineName()})`, () => {
  let h: Harness;
  let tenderId: string;
  let userId: string;
  let cig: string;

  beforeAll(async () => {
    h = await createHarness();
    const rup = await h.factories.rup();
    userId = rup.user.id;
    const { tender, lots } = await h.factories.tender(rup.actor);
    tenderId = tender.id;
    cig = lots[0]!.cig;
  });
  afterAll(() => h.close());

  const db = () => h.db.db;
  const refused = async (statement: Promise<unknown>, pattern: RegExp) => {
    await expect(statement).rejects.toThrow(pattern);
  };

  it('migrations and reference data are idempotent', async () => {
    expect(await migrateToLatest(db())).toEqual({ applied: [] });
    expect(await syncReferenceData(db())).toEqual({ loaded: [] });
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM cpv_codes`.execute(db());
    expect(rows[0]?.n).toBe(9454);
  });

  const lotRow = (overrides: Record<string, unknown>) => ({
    id: crypto.randomUUID(),
    tender_id: tenderId,
    lot_number: 900 + Math.floor(Math.random() * 1000),
    cig: pcpCigFromOrdinal(300_000_000 + Math.floor(Math.random() * 1_000_000)),
    object: 'x',
    amount_cents: 100,
    cpv_code: '50700000',
    istat_place_code: '016072006',
    acquired_at: new Date('2026-03-02T09:00:00Z'),
    perfection_deadline: '2026-05-31',
    created_by: userId,
    ...overrides,
  });

  it('a CIG is unique', async () => {
    await refused(db().insertInto('lots').values(lotRow({ cig })).execute(), /duplicate key|unique/i);
  });

  it('a CIG that fails the check algorithm cannot be stored', async () => {
    const good = pcpCigFromOrdinal(123_456);
    const bad = good.slice(0, 9) + (good[9] === '0' ? '1' : '0');
    await refused(
      db()
        .insertInto('lots')
        .values(lotRow({ cig: bad }))
        .execute(),
      /check constraint|lots_cig_check/i,
    );
    const { rows } = await sql<{ ok: boolean }>`SELECT is_valid_pcp_cig(${good}) AS ok`.execute(db());
    expect(rows[0]?.ok).toBe(true);
  });

  it('tender numbers are unique and 7 digits', async () => {
    const tender = await db()
      .selectFrom('tenders')
      .selectAll()
      .where('id', '=', tenderId)
      .executeTakeFirstOrThrow();
    const copy = { ...tender, id: crypto.randomUUID(), state: 'active' as const, lot_count: 0 };
    await refused(db().insertInto('tenders').values(copy).execute(), /duplicate key|unique/i);
    await refused(
      db()
        .insertInto('tenders')
        .values({ ...copy, tender_number: 123 })
        .execute(),
      /check constraint/i,
    );
  });

  it('amounts are integers of cents and positive; code lists are foreign keys', async () => {
    await refused(
      db()
        .insertInto('lots')
        .values(lotRow({ amount_cents: 0 }))
        .execute(),
      /check constraint/i,
    );
    await refused(
      db()
        .insertInto('lots')
        .values(lotRow({ cpv_code: '99999999' }))
        .execute(),
      /foreign key/i,
    );
    await refused(
      db()
        .insertInto('lots')
        .values(lotRow({ istat_place_code: '000000000' }))
        .execute(),
      /foreign key/i,
    );
    const { rows } = await sql<{
      t: string;
    }>`SELECT data_type AS t FROM information_schema.columns WHERE table_name = 'lots' AND column_name = 'amount_cents' AND table_schema = current_schema()`.execute(
      db(),
    );
    expect(rows[0]?.t).toBe('bigint');
  });

  it('a perfected lot cannot be cancelled, nor a cancelled lot perfected', async () => {
    const rup = await h.factories.rup();
    const { lots } = await h.factories.tender(rup.actor, {
      lots: [{ object: 'a', amount: '1000.00', cpv: '50700000', place: '016072006' }],
    });
    const id = lots[0]!.id;
    await db()
      .updateTable('lots')
      .set({
        state: 'perfected',
        publication_date: '2026-03-02',
        bid_deadline: new Date('2026-04-01T10:00:00Z'),
        perfected_at: new Date(),
      })
      .where('id', '=', id)
      .execute();
    await refused(
      db()
        .updateTable('lots')
        .set({ state: 'cancelled', cancel_reason: 1, cancelled_at: new Date() })
        .where('id', '=', id)
        .execute(),
      /cannot change/,
    );
  });

  it('a bid deadline must follow publication, and "other" needs a note', async () => {
    const rup = await h.factories.rup();
    const { lots } = await h.factories.tender(rup.actor);
    const id = lots[0]!.id;
    await refused(
      db()
        .updateTable('lots')
        .set({
          state: 'perfected',
          publication_date: '2026-03-02',
          bid_deadline: new Date('2026-03-02T10:00:00Z'),
          perfected_at: new Date(),
        })
        .where('id', '=', id)
        .execute(),
      /check constraint/i,
    );
    await refused(
      db()
        .updateTable('lots')
        .set({ state: 'cancelled', cancel_reason: 4, cancelled_at: new Date() })
        .where('id', '=', id)
        .execute(),
      /check constraint/i,
    );
  });

  it('a tender with a lot not cancelled cannot be cancelled, nor a cancelled tender take a lot; rows are never deleted', async () => {
    await refused(
      db()
        .updateTable('tenders')
        .set({ state: 'cancelled', cancel_reason: 5, cancelled_at: new Date() })
        .where('id', '=', tenderId)
        .execute(),
      /foreign key/i,
    );
    const rup = await h.factories.rup();
    const { tender, lots } = await h.factories.tender(rup.actor);
    await db()
      .updateTable('lots')
      .set({ state: 'cancelled', cancel_reason: 2, cancelled_at: new Date() })
      .where('id', '=', lots[0]!.id)
      .execute();
    await db()
      .updateTable('tenders')
      .set({ state: 'cancelled', cancel_reason: 5, cancelled_at: new Date() })
      .where('id', '=', tender.id)
      .execute();
    await refused(
      db()
        .insertInto('lots')
        .values(lotRow({ tender_id: tender.id }))
        .execute(),
      /foreign key/i,
    );
    await refused(db().deleteFrom('lots').where('cig', '=', cig).execute(), /never deleted/);
    await refused(db().deleteFrom('tenders').where('id', '=', tenderId).execute(), /never deleted/);
  });

  it('the audit log is append-only: no update, delete or truncate', async () => {
    const before = await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_log`.execute(db());
    expect(before.rows[0]!.n).toBeGreaterThan(0);
    await refused(sql`UPDATE audit_log SET actor = 'someone else'`.execute(db()), /append-only/);
    await refused(sql`DELETE FROM audit_log`.execute(db()), /append-only/);
    await refused(sql`TRUNCATE audit_log`.execute(db()), /append-only/);
    const after = await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_log`.execute(db());
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
  });

  it('a user role is tied to what it acts for', async () => {
    await refused(
      db()
        .insertInto('users')
        .values({
          id: crypto.randomUUID(),
          name: 'x',
          email: `x${Date.now()}@t.example`,
          fiscal_code: null,
          role: 'rup',
          contracting_authority_id: null,
          economic_operator_id: null,
          regional_section_code: null,
          created_at: new Date(),
          updated_at: new Date(),
        })
        .execute(),
      /check constraint/i,
    );
  });

  it('a SmartCIG cannot be stored at or above 40,000 EUR', async () => {
    const ca = await h.factories.contractingAuthority();
    await refused(
      db()
        .insertInto('smart_cigs')
        .values({
          id: crypto.randomUUID(),
          cig: 'Z1E31EB332',
          contracting_authority_id: ca.id,
          rup_user_id: userId,
          contract_type: 'under_threshold',
          contract_object: 'works',
          procedure_type_code: '10',
          object: 'x',
          amount_cents: 4_000_000,
          cup: null,
          created_at: new Date(),
          cancelled_at: null,
        })
        .execute(),
      /check constraint/i,
    );
  });
});

describe(`the CIG check in SQL agrees with the TypeScript algorithm (${engineName()})`, () => {
  it('on random PCP and SmartCIG codes, valid and altered', async () => {
    const { createTestDatabase } = await import('../support/test-db.js');
    const { smartCigFromOrdinal, validateCig } = await import('../../src/domain/cig/cig.js');
    const db = await createTestDatabase();
    try {
      const codes: string[] = [];
      for (let i = 0; i < 300; i++) {
        const pcp = pcpCigFromOrdinal(Math.floor(Math.random() * 21 * 16 ** 6));
        const smart = smartCigFromOrdinal(1 + Math.floor(Math.random() * 3 * (16 ** 7 - 1)));
        codes.push(
          pcp,
          smart,
          pcp.slice(0, 9) + (pcp[9] === 'F' ? '0' : 'F'),
          smart.slice(0, 2) + (smart[2] === 'A' ? 'B' : 'A') + smart.slice(3),
        );
      }
      const { rows } = await sql<{ c: string; pcp: boolean; smart: boolean }>`
        SELECT c, is_valid_pcp_cig(c) AS pcp, is_valid_smart_cig(c) AS smart FROM unnest(${codes}::text[]) AS c`.execute(
        db.db,
      );
      for (const row of rows) {
        const v = validateCig(row.c);
        expect(row.pcp, row.c).toBe(v.valid && v.family === 'pcp');
        expect(row.smart, row.c).toBe(v.valid && v.family === 'smart_cig');
      }
    } finally {
      await db.destroy();
    }
  });
});

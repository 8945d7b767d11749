import { CompiledQuery } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  issueLotsStatement,
  type BatchIssueInput,
} from '../../src/adapters/db/repositories/tender-repository.js';
import { pcpCigFromOrdinal } from '../../src/domain/cig/cig.js';
import { createHarness, type Harness } from '../support/harness.js';
import { engineName } from '../support/test-db.js';

interface PlanNode {
  'Node Type': string;
  Operation?: string;
  'Relation Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  Plans?: PlanNode[];
}

const nodes = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodes)];

/**
 * The grouped issuance statement's cost must not grow with the number of tenders: its UPDATE reaches
 * the locked tenders by primary key. (It scanned every active tender per batch: the planner, with no
 * statistics on tenders, took `state = 'active'` for one row.)
 */
describe(`issuance statement plan (${engineName()})`, () => {
  let h: Harness;
  let items: BatchIssueInput[];

  beforeAll(async () => {
    h = await createHarness();
    const rup = await h.factories.rup();
    const tenders = [];
    for (let i = 0; i < 40; i++) tenders.push((await h.factories.tender(rup.actor)).tender);
    const now = h.clock.now();
    items = tenders.slice(0, 3).map((tender, i) => {
      const cig = pcpCigFromOrdinal(200_000_000 + i);
      return {
        tenderNumber: tender.tenderNumber,
        contractingAuthorityId: rup.actor.contractingAuthorityId,
        lot: {
          id: crypto.randomUUID(),
          cig,
          object: 'Lotto',
          amountCents: 100_00,
          cpvCode: '50700000',
          istatPlaceCode: '016072006',
          acquiredAt: now,
          perfectionDeadline: '2026-06-01',
          createdBy: rup.user.id,
        },
        audit: {
          occurredAt: now,
          actorUserId: rup.user.id,
          actor: 'test',
          action: 'lot.issued',
          entityType: 'lot',
          entityId: cig,
          before: null,
          after: {},
          requestId: null,
        },
      };
    });
  });
  afterAll(() => h.close());

  it('updates the batch tenders by primary key, reading no other tender', async () => {
    const db = h.db.db;
    const compiled = issueLotsStatement(items).compile(db);
    let plan: PlanNode | undefined;
    await db
      .transaction()
      .execute(async (tx) => {
        const { rows } = await tx.executeQuery<{ 'QUERY PLAN': unknown }>(
          CompiledQuery.raw(`EXPLAIN (ANALYZE, FORMAT JSON) ${compiled.sql}`, [...compiled.parameters]),
        );
        const json = rows[0]?.['QUERY PLAN'];
        plan = (typeof json === 'string' ? JSON.parse(json) : json)[0].Plan as PlanNode;
        throw new Error('rollback');
      })
      .catch((error: unknown) => {
        if (!(error instanceof Error) || error.message !== 'rollback') throw error;
      });
    const update = nodes(plan!).find((n) => n['Node Type'] === 'ModifyTable' && n.Operation === 'Update');
    expect(update?.['Relation Name']).toBe('tenders');
    const tenderScans = nodes(update!)
      .slice(1)
      .filter((n) => n['Relation Name'] === 'tenders');
    expect(tenderScans.length).toBeGreaterThan(0);
    for (const scan of tenderScans) {
      expect(scan['Actual Rows'] * scan['Actual Loops'], scan['Node Type']).toBeLessThanOrEqual(items.length);
    }
  });
});

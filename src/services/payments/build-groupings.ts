import { saContribution } from '../../domain/contributions/contribution.js';
import { buildNoticeNumber, iuvBaseFor } from '../../domain/payments/notice-number.js';
import { addDays, romeDateOf, startOfRomeDay } from '../../domain/shared/dates.js';
import { AUTHORITY_SEAT_PLACE, deadlineAfter } from '../../domain/shared/italian-holidays.js';
import { audit, type ServiceDeps } from '../context.js';
import type { GroupableTender } from './ports.js';
import { systemActor } from '../../domain/registry/actor.js';

type Deps = Pick<ServiceDeps, 'store' | 'clock' | 'ids' | 'creditor'>;

const actor = systemActor('sa-groupings');

/** 'YYYY-MM' of the month before the one containing `now` (Rome calendar). */
export function previousPeriod(now: Date): string {
  const [y, m] = romeDateOf(now).split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

function periodBounds(period: string): { from: Date; to: Date; lastDay: string } {
  const [y, m] = period.split('-').map(Number) as [number, number];
  const first = `${period}-01`;
  const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
  return { from: startOfRomeDay(first), to: startOfRomeDay(next), lastDay: addDays(next, -1) };
}

/**
 * Groups, per contracting authority, the contributions of the tenders it started in a month into one
 * pagoPA notice (monthly groupings per administration). Safe to re-run: a grouping exists once per
 * (authority, month) and a tender joins one grouping only.
 */
export async function buildMonthlyGroupings(
  deps: Deps,
  period: string = previousPeriod(deps.clock.now()),
): Promise<{ period: string; created: number; tenders: number }> {
  const { from, to, lastDay } = periodBounds(period);
  const now = deps.clock.now();
  const tenders = await deps.store.groupings.listUngroupedTenders(from, to);
  const byAuthority = new Map<string, { tender: GroupableTender; fee: number; table: string }[]>();
  for (const tender of tenders) {
    const fee = saContribution(tender.totalCents, romeDateOf(tender.createdAt));
    if (fee.exempt) continue;
    const list = byAuthority.get(tender.contractingAuthorityId) ?? [];
    list.push({ tender, fee: fee.amountCents, table: fee.tableId });
    byAuthority.set(tender.contractingAuthorityId, list);
  }
  let created = 0;
  let grouped = 0;
  for (const [authorityId, items] of byAuthority) {
    const done = await deps.store.transaction(async (store) => {
      const authority = await store.authorities.findContractingAuthority(authorityId);
      if (!authority) return false;
      const id = deps.ids.uuid();
      const amountCents = items.reduce((sum, i) => sum + i.fee, 0);
      const inserted = await store.groupings.insertGrouping(
        {
          id,
          contractingAuthorityId: authorityId,
          period,
          amountCents,
          tenderCount: items.length,
          createdAt: now,
        },
        items.map((i) => ({
          tenderId: i.tender.tenderId,
          tenderAmountCents: i.tender.totalCents,
          feeCents: i.fee,
          feeTable: i.table,
        })),
      );
      if (!inserted) return false;
      const noticeNumber = buildNoticeNumber(
        deps.creditor.segregationCode,
        iuvBaseFor(Number(romeDateOf(now).slice(0, 4)), await store.positions.nextIuvSequence()),
      );
      await store.positions.insertPosition({
        id: deps.ids.uuid(),
        kind: 'authority_grouping',
        iuv: noticeNumber.slice(1),
        noticeNumber,
        creditorFiscalCode: deps.creditor.fiscalCode,
        debtorFiscalCode: authority.fiscalCode,
        debtorName: authority.name,
        debtorType: 'G',
        economicOperatorId: null,
        lotId: null,
        groupingId: id,
        subject: `Contributo ANAC stazione appaltante - gare avviate nel mese ${period} (${items.length})`,
        amountCents,
        // Payment to the Authority: a due date on a Sunday or holiday moves (art. 1187 c.c.).
        dueDate: deadlineAfter(lastDay, 60, AUTHORITY_SEAT_PLACE),
        feeTable: [...new Set(items.map((i) => i.table))].join(','),
        createdAt: now,
        createdBy: null,
      });
      await store.audit.append([
        audit(actor, now, 'sa_grouping.created', { type: 'sa_grouping', id }, null, {
          contractingAuthorityId: authorityId,
          period,
          amountCents,
          tenders: items.map((i) => i.tender.tenderNumber),
          noticeNumber,
        }),
      ]);
      return true;
    });
    if (done) {
      created += 1;
      grouped += items.length;
    }
  }
  return { period, created, tenders: grouped };
}

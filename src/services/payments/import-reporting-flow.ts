import { DomainError } from '../../domain/shared/errors.js';
import { instantFromRomeLocal } from '../../domain/shared/dates.js';
import { audit, requireRole, type ServiceDeps } from '../context.js';
import type { ReportingFlowDocument, ReportingFlowLine, ReportingFlowRecord } from './ports.js';
import type { Actor } from '../../domain/registry/actor.js';

/** The parsed flow (adapters/pagopa/reporting-flow.ts produces it). */
export type ImportedFlow = ReportingFlowDocument;

export type FlowReport = ReportingFlowRecord & { lines: ReportingFlowLine[]; alreadyImported: boolean };

type Deps = Pick<ServiceDeps, 'store' | 'clock' | 'creditor'>;

/**
 * Imports a pagoPA reporting flow: marks each reported payment settled, reports unknown IUVs and
 * amounts that differ. Importing the same flow again changes nothing and returns the first report.
 */
export async function importReportingFlow(
  deps: Deps,
  input: { flow: ImportedFlow; rawXml: string },
  actor: Actor,
): Promise<FlowReport> {
  const user = requireRole(actor, 'authority_staff', 'admin');
  const { flow } = input;
  if (flow.receiver.id !== deps.creditor.fiscalCode) {
    throw new DomainError(
      'rule_violation',
      `the flow is addressed to ${flow.receiver.id}, not to this creditor (${deps.creditor.fiscalCode})`,
      {
        field: 'istitutoRicevente',
        reason: 'wrong_receiver',
      },
    );
  }
  const now = deps.clock.now();
  return deps.store.transaction(async (store) => {
    const previous = await store.flows.findFlow(flow.flowId);
    if (previous) return { ...previous, alreadyImported: true };
    const positions = new Map(
      (await store.positions.findByIuvs(flow.payments.map((p) => p.iuv))).map((p) => [p.iuv, p]),
    );
    const lines: ReportingFlowLine[] = flow.payments.map((p, index) => {
      const position = positions.get(p.iuv);
      const base = {
        line: index + 1,
        iuv: p.iuv,
        receiptId: p.receiptId,
        amountCents: p.amountCents,
        outcome: p.outcome,
        outcomeDate: p.outcomeDate,
      };
      if (!position) return { ...base, positionId: null, result: 'unknown_iuv', expectedAmountCents: null };
      if (position.amountCents !== p.amountCents) {
        return {
          ...base,
          positionId: position.id,
          result: 'amount_mismatch',
          expectedAmountCents: position.amountCents,
        };
      }
      const settles = p.outcome === 0 || p.outcome === 9;
      return {
        ...base,
        positionId: position.id,
        result: settles ? 'settled' : 'not_settled',
        expectedAmountCents: position.amountCents,
      };
    });
    const record: ReportingFlowRecord = {
      flowId: flow.flowId,
      flowDateTime: instantFromRomeLocal(flow.flowDateTime),
      settlementId: flow.settlementId,
      settlementDate: flow.settlementDate,
      pspId: flow.sender.id,
      totalPayments: flow.totalPayments,
      totalAmountCents: flow.totalAmountCents,
      settledCount: lines.filter((l) => l.result === 'settled').length,
      unknownCount: lines.filter((l) => l.result === 'unknown_iuv').length,
      mismatchCount: lines.filter((l) => l.result === 'amount_mismatch').length,
      importedAt: now,
    };
    if (
      !(await store.flows.insertFlow({ ...record, rawXml: input.rawXml, importedBy: user.userId }, lines))
    ) {
      const raced = await store.flows.findFlow(flow.flowId);
      if (raced) return { ...raced, alreadyImported: true };
    }
    await store.positions.markSettled(
      lines.filter((l) => l.result === 'settled' && l.positionId).map((l) => l.positionId as string),
      flow.flowId,
      now,
    );
    await store.audit.append([
      audit(actor, now, 'reporting_flow.imported', { type: 'reporting_flow', id: flow.flowId }, null, {
        settled: record.settledCount,
        unknown: record.unknownCount,
        mismatch: record.mismatchCount,
      }),
    ]);
    return { ...record, lines, alreadyImported: false };
  });
}

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { groupNoticeNumber } from '../../domain/payments/notice-number.js';
import { formatAmount } from '../../domain/shared/money.js';
import { parseReportingFlow } from '../../adapters/pagopa/reporting-flow.js';
import { REPORTING_FLOW_LIMITS } from '../../adapters/xml/xml-limits.js';
import { DomainError } from '../../domain/shared/errors.js';
import { requireRole, type ServiceDeps } from '../../services/context.js';
import { buildMonthlyGroupings } from '../../services/payments/build-groupings.js';
import { importReportingFlow, type FlowReport } from '../../services/payments/import-reporting-flow.js';
import { openBidderPosition } from '../../services/payments/open-bidder-position.js';
import {
  getPosition,
  listOwnPositions,
  noticePdf,
  payInSandbox,
  cancelPosition,
  receiptPdf,
  positionReceipt,
} from '../../services/payments/positions.js';
import {
  lotContributions,
  verifyContribution,
  type VerificationCache,
  type ContributionStatus,
} from '../../services/payments/verify-contribution.js';
import type { PaymentPosition, StoredReceipt } from '../../services/payments/ports.js';
import {
  DateTime,
  IdempotencyHeaders,
  Nullable,
  Offset,
  errors,
  pageOf,
  PageQuery,
  Period,
} from '../common.schemas.js';
import { presentPage } from '../presenters.js';
import { actorOf } from '../request-context.js';
import { CigParams } from './tenders.schemas.js';

const security = [{ bearer: [] }];
const NoticeParams = Type.Object({
  noticeNumber: Type.String({ pattern: '^[0-9]{18}$', description: 'pagoPA notice number (18 digits)' }),
});
const FiscalCode = Type.String({ pattern: '^([0-9]{11}|[A-Za-z0-9]{16})$' });

const PositionView = Type.Object({
  noticeNumber: Type.String(),
  noticeNumberPrinted: Type.String(),
  iuv: Type.String(),
  kind: Type.String(),
  state: Type.Union([Type.Literal('open'), Type.Literal('paid'), Type.Literal('cancelled')]),
  cig: Nullable(Type.String()),
  subject: Type.String(),
  amount: Type.String(),
  dueDate: Type.String(),
  creditorFiscalCode: Type.String(),
  debtor: Type.Object({ fiscalCode: Type.String(), name: Type.String() }),
  paidAt: Nullable(DateTime),
  receiptId: Nullable(Type.String()),
  settledAt: Nullable(DateTime),
  createdAt: DateTime,
});

export const presentPosition = (p: PaymentPosition) => ({
  noticeNumber: p.noticeNumber,
  noticeNumberPrinted: groupNoticeNumber(p.noticeNumber),
  iuv: p.iuv,
  kind: p.kind,
  state: p.state,
  cig: p.cig,
  subject: p.subject,
  amount: formatAmount(p.amountCents),
  dueDate: p.dueDate,
  creditorFiscalCode: p.creditorFiscalCode,
  debtor: { fiscalCode: p.debtorFiscalCode, name: p.debtorName },
  paidAt: p.paidAt?.toISOString() ?? null,
  receiptId: p.paidReceiptId,
  settledAt: p.settledAt?.toISOString() ?? null,
  createdAt: p.createdAt.toISOString(),
});

const ReceiptView = Type.Object({
  receiptId: Type.String(),
  noticeNumber: Type.String(),
  status: Type.String(),
  faultCode: Nullable(Type.String()),
  outcome: Type.String(),
  amount: Type.String(),
  psp: Type.Object({ id: Type.String(), name: Type.String() }),
  paymentDateTime: Nullable(DateTime),
  receivedAt: DateTime,
});

const presentReceipt = (r: StoredReceipt) => ({
  receiptId: r.receiptId,
  noticeNumber: r.noticeNumber,
  status: r.status,
  faultCode: r.faultCode,
  outcome: r.outcome,
  amount: formatAmount(r.amountCents),
  psp: { id: r.pspId, name: r.pspName },
  paymentDateTime: r.paymentDateTime?.toISOString() ?? null,
  receivedAt: r.receivedAt.toISOString(),
});

const ContributionView = Type.Object({
  fiscalCode: Type.String(),
  status: Type.Union([Type.Literal('paid'), Type.Literal('not_paid'), Type.Literal('not_due')]),
  amount: Type.String(),
  noticeNumber: Nullable(Type.String()),
  receipt: Nullable(
    Type.Object({
      receiptId: Type.String(),
      paidAt: DateTime,
      amount: Type.String(),
      psp: Type.Object({ id: Type.String(), name: Type.String() }),
    }),
  ),
  basis: Nullable(Type.String()),
});

const presentContribution = (c: ContributionStatus) => ({
  fiscalCode: c.fiscalCode,
  status: c.status,
  amount: formatAmount(c.amountCents),
  noticeNumber: c.status === 'not_due' ? null : (c.position?.noticeNumber ?? null),
  receipt:
    c.status === 'paid'
      ? {
          receiptId: c.receipt.receiptId,
          paidAt: (c.receipt.paymentDateTime ?? c.receipt.receivedAt).toISOString(),
          amount: formatAmount(c.receipt.amountCents),
          psp: { id: c.receipt.pspId, name: c.receipt.pspName },
        }
      : null,
  basis: c.status === 'not_due' ? c.basis : null,
});

const FlowReportView = Type.Object({
  flowId: Type.String(),
  alreadyImported: Type.Boolean(),
  settlementId: Type.String(),
  settlementDate: Type.String(),
  pspId: Type.String(),
  totalPayments: Type.Integer(),
  totalAmount: Type.String(),
  settled: Type.Integer(),
  unknownIuv: Type.Integer(),
  amountMismatch: Type.Integer(),
  lines: Type.Array(
    Type.Object({
      line: Type.Integer(),
      iuv: Type.String(),
      receiptId: Type.String(),
      amount: Type.String(),
      outcome: Type.Integer(),
      result: Type.String(),
      expectedAmount: Nullable(Type.String()),
    }),
  ),
});

const presentFlow = (f: FlowReport) => ({
  flowId: f.flowId,
  alreadyImported: f.alreadyImported,
  settlementId: f.settlementId,
  settlementDate: f.settlementDate,
  pspId: f.pspId,
  totalPayments: f.totalPayments,
  totalAmount: formatAmount(f.totalAmountCents),
  settled: f.settledCount,
  unknownIuv: f.unknownCount,
  amountMismatch: f.mismatchCount,
  lines: f.lines.map((l) => ({
    line: l.line,
    iuv: l.iuv,
    receiptId: l.receiptId,
    amount: formatAmount(l.amountCents),
    outcome: l.outcome,
    result: l.result,
    expectedAmount: l.expectedAmountCents === null ? null : formatAmount(l.expectedAmountCents),
  })),
});

export const paymentRoutes: FastifyPluginAsyncTypebox<{
  deps: ServiceDeps;
  verificationCache: VerificationCache;
}> = async (app, { deps, verificationCache }) => {
  const cached = { ...deps, cache: verificationCache };
  app.post(
    '/lots/:cig/payment-positions',
    {
      schema: {
        tags: ['Contributions'],
        summary:
          'A bidder opens (or gets back) its payment position for a lot: pagoPA notice number and amount',
        security,
        headers: IdempotencyHeaders,
        params: CigParams,
        response: { 200: PositionView, 201: PositionView, ...errors(401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const { position, created } = await openBidderPosition(
        deps,
        { cig: request.params.cig.toUpperCase() },
        actorOf(request),
      );
      return reply.status(created ? 201 : 200).send(presentPosition(position));
    },
  );

  app.get(
    '/payment-positions',
    {
      schema: {
        tags: ['Contributions'],
        summary: "A bidder's payment positions",
        security,
        querystring: PageQuery,
        response: { 200: pageOf(PositionView), ...errors(401, 403) },
      },
    },
    async (request) =>
      presentPage(
        await listOwnPositions(deps, request.query, actorOf(request)),
        request.query,
        presentPosition,
      ),
  );

  app.get(
    '/payment-positions/:noticeNumber',
    {
      schema: {
        tags: ['Contributions'],
        summary: 'A payment position',
        security,
        params: NoticeParams,
        response: { 200: PositionView, ...errors(401, 404) },
      },
    },
    async (request) =>
      presentPosition(await getPosition(deps, request.params.noticeNumber, actorOf(request))),
  );

  app.get(
    '/payment-positions/:noticeNumber/notice.pdf',
    {
      schema: {
        tags: ['Contributions'],
        summary: 'The pagoPA payment notice (A4 PDF, Italian) with QR code',
        security,
        params: NoticeParams,
        produces: ['application/pdf'],
        response: { 200: Type.Unknown({ description: 'PDF' }), ...errors(401, 404, 409) },
      },
    },
    async (request, reply) => {
      const pdf = await noticePdf(deps, request.params.noticeNumber, actorOf(request));
      return reply
        .type('application/pdf')
        .header('content-disposition', `inline; filename="avviso-pagopa-${request.params.noticeNumber}.pdf"`)
        .send(pdf);
    },
  );

  app.get(
    '/payment-positions/:noticeNumber/receipt',
    {
      schema: {
        tags: ['Contributions'],
        summary: 'The receipt of a paid position',
        security,
        params: NoticeParams,
        response: { 200: ReceiptView, ...errors(401, 404, 409) },
      },
    },
    async (request) =>
      presentReceipt((await positionReceipt(deps, request.params.noticeNumber, actorOf(request))).receipt),
  );

  app.get(
    '/payment-positions/:noticeNumber/receipt.pdf',
    {
      schema: {
        tags: ['Contributions'],
        summary: 'The payment receipt (A4 PDF, Italian)',
        security,
        params: NoticeParams,
        produces: ['application/pdf'],
        response: { 200: Type.Unknown({ description: 'PDF' }), ...errors(401, 404, 409) },
      },
    },
    async (request, reply) => {
      const pdf = await receiptPdf(deps, request.params.noticeNumber, actorOf(request));
      return reply
        .type('application/pdf')
        .header(
          'content-disposition',
          `inline; filename="ricevuta-pagopa-${request.params.noticeNumber}.pdf"`,
        )
        .send(pdf);
    },
  );

  app.post(
    '/payment-positions/:noticeNumber/sandbox-payment',
    {
      schema: {
        tags: ['Contributions'],
        summary:
          'SANDBOX: pay the notice through the built-in pagoPA node and PSP (real SOAP calls to this service)',
        security,
        params: NoticeParams,
        response: {
          200: Type.Object({
            outcome: Type.Union([Type.Literal('OK'), Type.Literal('KO')]),
            receiptId: Nullable(Type.String()),
            step: Nullable(Type.String()),
            fault: Nullable(Type.Object({ code: Type.String(), message: Type.String() })),
            position: PositionView,
          }),
          ...errors(401, 403, 404, 409),
        },
      },
    },
    async (request) => {
      const { result, position } = await payInSandbox(deps, request.params.noticeNumber, actorOf(request));
      return {
        outcome: result.outcome,
        receiptId: result.receiptId ?? null,
        step: result.step ?? null,
        fault: result.fault ?? null,
        position: presentPosition(position),
      };
    },
  );

  app.post(
    '/payment-positions/:noticeNumber/cancellation',
    {
      schema: {
        tags: ['Contributions'],
        summary: 'Withdraw an unpaid notice (Authority staff); the node is then told it was cancelled',
        security,
        params: NoticeParams,
        body: Type.Object(
          { note: Type.String({ minLength: 1, maxLength: 500 }) },
          { additionalProperties: false },
        ),
        response: { 200: PositionView, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) =>
      presentPosition(
        await cancelPosition(
          deps,
          { noticeNumber: request.params.noticeNumber, note: request.body.note },
          actorOf(request),
        ),
      ),
  );

  app.get(
    '/lots/:cig/contributions/:fiscalCode',
    {
      schema: {
        tags: ['Contributions'],
        summary:
          "Has this bidder paid the contribution for this CIG? (the lot's RUP, the bidder itself, staff)",
        security,
        params: Type.Object({ cig: CigParams.properties.cig, fiscalCode: FiscalCode }),
        response: { 200: ContributionView, ...errors(401, 403, 404) },
      },
    },
    async (request) =>
      presentContribution(
        await verifyContribution(
          cached,
          { cig: request.params.cig.toUpperCase(), fiscalCode: request.params.fiscalCode.toUpperCase() },
          actorOf(request),
        ),
      ),
  );

  app.get(
    '/lots/:cig/contributions',
    {
      schema: {
        tags: ['Contributions'],
        summary:
          'Payment status of every bidder of a lot (those with a position, plus fiscalCodes asked for)',
        security,
        params: CigParams,
        querystring: Type.Object(
          {
            fiscalCodes: Type.Optional(
              Type.String({ pattern: '^([0-9]{11}|[A-Za-z0-9]{16})(,([0-9]{11}|[A-Za-z0-9]{16})){0,199}$' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ cig: Type.String(), items: Type.Array(ContributionView) }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const result = await lotContributions(
        deps,
        {
          cig: request.params.cig.toUpperCase(),
          fiscalCodes: request.query.fiscalCodes?.toUpperCase().split(','),
        },
        actorOf(request),
      );
      return { cig: result.cig, items: result.items.map(presentContribution) };
    },
  );

  app.get(
    '/sa-groupings',
    {
      schema: {
        tags: ['Contributions'],
        summary: "Monthly groupings of a contracting authority's contributions (a RUP: their own)",
        security,
        querystring: PageQuery,
        response: {
          200: pageOf(
            Type.Object({
              id: Type.String(),
              contractingAuthorityId: Type.String(),
              period: Type.String(),
              amount: Type.String(),
              tenderCount: Type.Integer(),
              noticeNumber: Nullable(Type.String()),
              createdAt: DateTime,
            }),
          ),
          ...errors(401, 403),
        },
      },
    },
    async (request) => {
      const user = requireRole(actorOf(request), 'rup', 'authority_staff', 'admin');
      const page = await deps.store.groupings.listGroupings({
        ...request.query,
        ...(user.role === 'rup' ? { contractingAuthorityId: user.contractingAuthorityId ?? '' } : {}),
      });
      return presentPage(page, request.query, (g) => ({
        id: g.id,
        contractingAuthorityId: g.contractingAuthorityId,
        period: g.period,
        amount: formatAmount(g.amountCents),
        tenderCount: g.tenderCount,
        noticeNumber: g.noticeNumber,
        createdAt: g.createdAt.toISOString(),
      }));
    },
  );

  app.post(
    '/sa-groupings/runs',
    {
      schema: {
        tags: ['Contributions'],
        summary: 'Build the monthly groupings of a period now (staff; the job does it every month)',
        security,
        body: Type.Object({ period: Period }, { additionalProperties: false }),
        response: {
          200: Type.Object({ period: Type.String(), created: Type.Integer(), tenders: Type.Integer() }),
          ...errors(400, 401, 403),
        },
      },
    },
    async (request) => {
      requireRole(actorOf(request), 'authority_staff', 'admin');
      return buildMonthlyGroupings(deps, request.body.period);
    },
  );

  app.post(
    '/reporting-flows',
    {
      schema: {
        tags: ['Contributions'],
        summary:
          'Import a pagoPA reporting flow (FlussoRiversamento 1.0.4 XML body); importing it again changes nothing',
        security,
        consumes: ['application/xml', 'text/xml'],
        response: { 200: FlowReportView, 201: FlowReportView, ...errors(400, 401, 403, 413, 422) },
      },
      bodyLimit: REPORTING_FLOW_LIMITS.maxBytes,
    },
    async (request, reply) => {
      const actor = actorOf(request);
      requireRole(actor, 'authority_staff', 'admin');
      const xml = typeof request.body === 'string' ? request.body : '';
      const parsed = parseReportingFlow(xml);
      if (!parsed.ok) {
        throw new DomainError(
          'validation_failed',
          `the reporting flow is not valid: ${parsed.errors.slice(0, 5).join('; ')}`,
          {
            field: 'body',
            reason: 'invalid_flow',
          },
        );
      }
      const report = await importReportingFlow(deps, { flow: parsed.flow, rawXml: xml }, actor);
      return reply.status(report.alreadyImported ? 200 : 201).send(presentFlow(report));
    },
  );

  app.get(
    '/reporting-flows/:flowId',
    {
      schema: {
        tags: ['Contributions'],
        summary: 'The report of an imported flow',
        security,
        params: Type.Object({ flowId: Type.String({ minLength: 1, maxLength: 35 }) }),
        response: { 200: FlowReportView, ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      requireRole(actorOf(request), 'authority_staff', 'admin');
      const flow = await deps.store.flows.findFlow(request.params.flowId);
      if (!flow) throw new DomainError('not_found', `reporting flow ${request.params.flowId} not found`);
      return presentFlow({ ...flow, alreadyImported: true });
    },
  );

  app.get(
    '/receipts',
    {
      schema: {
        tags: ['Contributions'],
        summary: 'Receipts received from the pagoPA node (staff); status=review lists those kept for review',
        security,
        querystring: Type.Object(
          {
            limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
            offset: Offset,
            status: Type.Optional(
              Type.Union(['applied', 'repeated', 'review', 'ko'].map((s) => Type.Literal(s))),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(ReceiptView), ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      requireRole(actorOf(request), 'authority_staff', 'admin');
      const status = request.query.status as StoredReceipt['status'] | undefined;
      return presentPage(
        await deps.store.payments.listReceipts({ ...request.query, status }),
        request.query,
        presentReceipt,
      );
    },
  );
};

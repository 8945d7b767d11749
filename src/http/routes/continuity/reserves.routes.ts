import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ServiceDeps } from '../../../services/context.js';
import { lotReserves } from '../../../services/continuity/lot-reserves.js';
import type { Reserve } from '../../../services/continuity/ports.js';
import { recordReserve } from '../../../services/continuity/record-reserve.js';
import { DateTime, IdempotencyHeaders, Nullable, errors } from '../../common.schemas.js';
import { actorOf, sendCreated } from '../../request-context.js';
import { CigParams } from '../tenders/tenders.schemas.js';
import { security } from './continuity.schemas.js';

const ReserveView = Type.Object({
  id: Type.String(),
  cig: Type.String(),
  fiscalCode: Type.String(),
  bidderName: Type.String(),
  incident: Type.String(),
  state: Type.Union([Type.Literal('open'), Type.Literal('lifted'), Type.Literal('expired')]),
  deadline: Type.String(),
  note: Nullable(Type.String()),
  recordedAt: DateTime,
  liftedAt: Nullable(DateTime),
  liftedByReceipt: Nullable(Type.String()),
  expiredAt: Nullable(DateTime),
});

const presentReserve = (r: Reserve) => ({
  id: r.id,
  cig: r.cig,
  fiscalCode: r.fiscalCode,
  bidderName: r.bidderName,
  incident: r.incidentCode,
  state: r.state,
  deadline: r.deadline,
  note: r.note,
  recordedAt: r.recordedAt.toISOString(),
  liftedAt: r.liftedAt?.toISOString() ?? null,
  liftedByReceipt: r.liftedByReceipt,
  expiredAt: r.expiredAt?.toISOString() ?? null,
});

const ReserveBody = Type.Object(
  {
    fiscalCode: Type.String({ pattern: '^([0-9]{11}|[A-Za-z0-9]{16})$' }),
    bidderName: Type.String({ minLength: 1, maxLength: 500 }),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
    incident: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);

/** Bidders admitted "con riserva" on a lot because paying was impossible during an incident. */
export const reservesRoutes: FastifyPluginAsyncTypebox<{ deps: ServiceDeps }> = async (app, { deps }) => {
  app.post(
    '/lots/:cig/reserves',
    {
      schema: {
        tags: ['Continuity'],
        summary:
          'Record a bidder admitted "con riserva" because paying was impossible during an incident (RUP)',
        security,
        headers: IdempotencyHeaders,
        params: CigParams,
        body: ReserveBody,
        response: { 201: ReserveView, ...errors(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) =>
      sendCreated(deps, request, reply, async (store) =>
        presentReserve(
          await recordReserve(
            { ...deps, store },
            { cig: request.params.cig, ...request.body },
            actorOf(request),
          ),
        ),
      ),
  );

  app.get(
    '/lots/:cig/reserves',
    {
      schema: {
        tags: ['Continuity'],
        summary: 'Reserves of a lot: open, lifted (by a receipt), expired',
        security,
        params: CigParams,
        response: { 200: Type.Object({ items: Type.Array(ReserveView) }), ...errors(401, 404) },
      },
    },
    async (request) => ({
      items: (await lotReserves(deps, request.params.cig, actorOf(request))).map(presentReserve),
    }),
  );
};

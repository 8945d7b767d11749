import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ServiceDeps } from '../../../services/context.js';
import { outageAffectedLots } from '../../../services/continuity/outage-affected-lots.js';
import { DateTime, Nullable, errors } from '../../common.schemas.js';
import { actorOf } from '../../request-context.js';
import { security } from './continuity.schemas.js';

const AffectedLotView = Type.Object({
  cig: Type.String(),
  tenderNumber: Type.String(),
  object: Type.String(),
  publicationDate: Nullable(Type.String()),
  bidDeadline: DateTime,
  reasons: Type.Array(
    Type.Object({
      kind: Type.String(),
      incident: Type.String(),
      start: DateTime,
      end: Nullable(DateTime),
    }),
  ),
});

/** A RUP's lots touched by an outage: candidates for a deadline extension. */
export const outageAffectedLotsRoutes: FastifyPluginAsyncTypebox<{ deps: ServiceDeps }> = async (
  app,
  { deps },
) => {
  app.get(
    '/outage-affected-lots',
    {
      schema: {
        tags: ['Continuity'],
        summary:
          "A RUP's lots whose bid deadline or payment window fell inside an outage (d.lgs. 36/2023 art. 25 c.2)",
        security,
        response: { 200: Type.Object({ items: Type.Array(AffectedLotView) }), ...errors(401, 403) },
      },
    },
    async (request) => ({
      items: (await outageAffectedLots(deps, actorOf(request))).map((a) => ({
        ...a,
        tenderNumber: String(a.tenderNumber),
        bidDeadline: a.bidDeadline.toISOString(),
        reasons: a.reasons.map((r) => ({
          ...r,
          start: r.start.toISOString(),
          end: r.end?.toISOString() ?? null,
        })),
      })),
    }),
  );
};

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ServiceDeps } from '../../../services/context.js';
import { getRegularisationRecord } from '../../../services/continuity/get-regularisation-record.js';
import { listOverdueRegularisations } from '../../../services/continuity/list-overdue-regularisations.js';
import { myReminders } from '../../../services/continuity/my-reminders.js';
import { regulariseProcedure } from '../../../services/continuity/regularise-procedure.js';
import { DateTime, errors } from '../../common.schemas.js';
import { actorOf } from '../../request-context.js';
import { ReferenceParams, security } from './continuity.schemas.js';
import {
  presentProvisional,
  presentRecord,
  ProvisionalView,
  RecordView,
} from './provisional-procedures.schemas.js';

/** Regularisation of provisional procedures: the act, its record, the overdue ones, the reminders. */
export const regularisationsRoutes: FastifyPluginAsyncTypebox<{ deps: ServiceDeps }> = async (
  app,
  { deps },
) => {
  app.post(
    '/provisional-procedures/:reference/regularisation',
    {
      schema: {
        tags: ['Continuity'],
        summary:
          'Regularise: bind real CIGs to the lots, record the original publication data (RUP); safe to retry',
        security,
        params: ReferenceParams,
        response: { 200: RecordView, ...errors(401, 403, 404, 409) },
      },
    },
    async (request) =>
      presentRecord(
        (await regulariseProcedure(deps, { reference: request.params.reference }, actorOf(request))).record,
      ),
  );

  app.get(
    '/provisional-procedures/:reference/regularisation-record',
    {
      schema: {
        tags: ['Continuity'],
        summary: 'The regularisation record for the tender file',
        security,
        params: ReferenceParams,
        response: { 200: RecordView, ...errors(401, 404, 409) },
      },
    },
    async (request) =>
      presentRecord(await getRegularisationRecord(deps, request.params.reference, actorOf(request))),
  );

  app.get(
    '/regional-sections/:code/overdue-regularisations',
    {
      schema: {
        tags: ['Continuity'],
        summary: "A regional section's overdue regularisations (its staff, Authority staff)",
        security,
        params: Type.Object({ code: Type.String({ pattern: '^[A-Z]{2,3}$' }) }),
        response: { 200: Type.Object({ items: Type.Array(ProvisionalView) }), ...errors(401, 403) },
      },
    },
    async (request) => {
      const items = await listOverdueRegularisations(deps, request.params.code, actorOf(request));
      const now = deps.clock.now();
      return { items: items.map((p) => presentProvisional(p, now)) };
    },
  );

  app.get(
    '/reminders',
    {
      schema: {
        tags: ['Continuity'],
        summary: 'My reminders (e.g. provisional procedures to regularise), newest first',
        security,
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                subjectType: Type.String(),
                subjectId: Type.String(),
                day: Type.String(),
                message: Type.String(),
                createdAt: DateTime,
              }),
            ),
          }),
          ...errors(401),
        },
      },
    },
    async (request) => ({
      items: (await myReminders(deps, actorOf(request))).map((r) => ({
        subjectType: r.subjectType,
        subjectId: r.subjectId,
        day: r.day,
        message: r.message,
        createdAt: r.createdAt.toISOString(),
      })),
    }),
  );
};

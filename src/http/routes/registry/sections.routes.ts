import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ServiceDeps } from '../../../services/context.js';
import { getSection } from '../../../services/registry/get-section.js';
import { listSections } from '../../../services/registry/list-sections.js';
import { updateSection } from '../../../services/registry/update-section.js';
import { Nullable, errors } from '../../common.schemas.js';
import { actorOf } from '../../request-context.js';
import { presentSection } from './registry.presenters.js';
import { Name, Pec, SectionView } from './registry.schemas.js';

const security = [{ bearer: [] }];

/** The 21 regional sections: public reading, the administrator's updates. */
export const sectionsRoutes: FastifyPluginAsyncTypebox<{
  deps: ServiceDeps;
  /** The public reads' deps (the replicas' store when configured). */
  reads: ServiceDeps;
}> = async (app, { deps, reads }) => {
  app.get(
    '/regional-sections',
    {
      config: { auth: 'public', replicaRead: true },
      schema: {
        tags: ['Registry'],
        summary: 'The 21 regional sections of the Osservatorio',
        response: { 200: Type.Object({ items: Type.Array(SectionView) }) },
      },
    },
    async () => ({ items: (await listSections(reads)).map(presentSection) }),
  );
  app.get(
    '/regional-sections/:code',
    {
      config: { auth: 'public', replicaRead: true },
      schema: {
        tags: ['Registry'],
        summary: 'A regional section',
        params: Type.Object({ code: Type.String({ pattern: '^[A-Z]{2,3}$' }) }),
        response: { 200: SectionView, ...errors(400, 404) },
      },
    },
    async (request) => presentSection(await getSection(reads, request.params.code)),
  );
  app.patch(
    '/regional-sections/:code',
    {
      schema: {
        tags: ['Registry'],
        summary: 'Update a regional section (administrator)',
        security,
        params: Type.Object({ code: Type.String({ pattern: '^[A-Z]{2,3}$' }) }),
        body: Type.Object(
          {
            name: Type.Optional(Name),
            pec: Type.Optional(Pec),
            city: Type.Optional(Name),
            aooCode: Type.Optional(Type.String({ minLength: 1, maxLength: 16 })),
            letterheadOffices: Type.Optional(
              Type.Array(Type.String({ minLength: 1, maxLength: 150 }), { maxItems: 4 }),
            ),
            website: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 200 }))),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: SectionView, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) =>
      presentSection(await updateSection(deps, request.params.code, request.body, actorOf(request))),
  );
};

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServiceDeps } from '../../../services/context.js';
import type { OpendataDeps } from '../../../services/opendata/ports.js';
import { exportOpendataPeriodOnce } from '../../../services/opendata/export-opendata-period-once.js';
import { getOcdsRecordPackage } from '../../../services/opendata/get-ocds-record.js';
import { listOpendataFiles, openOpendataFile } from '../../../services/opendata/list-opendata-files.js';
import { actorOf } from '../../request-context.js';
import { errors } from '../../common.schemas.js';
import {
  CatalogueSchema,
  ExportBody,
  FileNameParams,
  PublishedFileSchema,
  RecordParams,
} from './opendata.schemas.js';
import { LICENCE, catalogueHtml, presentFile } from './opendata.presenters.js';
import { Type } from 'typebox';

type Options = { deps: ServiceDeps & OpendataDeps };
/** Public reads: the files (no database) and the OCDS records, from the replicas when there are some. */
const publicRoute = { auth: 'public' as const, replicaRead: true };

/** The public open data: catalogue page and JSON, the files (with ETag), OCDS record packages. */
export const opendataRoutes: FastifyPluginAsyncTypebox<Options> = async (app, { deps }) => {
  app.get('/opendata/', { config: publicRoute, schema: { hide: true } }, async (_request, reply) => {
    const files = await listOpendataFiles(deps);
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .send(catalogueHtml(files));
  });
  app.get('/opendata', { config: publicRoute, schema: { hide: true } }, async (_request, reply) =>
    reply.redirect('/opendata/', 301),
  );
  app.get(
    '/opendata/catalogo.json',
    {
      config: publicRoute,
      schema: {
        tags: ['Open data'],
        summary: 'Catalogue of the open data files',
        response: { 200: CatalogueSchema },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'no-cache');
      return { licence: LICENCE, files: (await listOpendataFiles(deps)).map(presentFile) };
    },
  );
  const serveFile = (prefix: string) =>
    app.get(
      `${prefix}:name`,
      {
        config: publicRoute,
        schema: { tags: ['Open data'], summary: 'A published file', params: FileNameParams },
      },
      async (request, reply) => {
        const { file, open } = await openOpendataFile(deps, { name: request.params.name });
        const etag = `"${file.sha256}"`;
        reply
          .header('etag', etag)
          .header('cache-control', 'public, max-age=300')
          .header('x-content-sha256', file.sha256)
          .header('link', `<${LICENCE.url}>; rel="license"`);
        if (request.headers['if-none-match'] === etag) return reply.status(304).send();
        return reply
          .type(file.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8')
          .header('content-length', file.bytes)
          .header('content-disposition', `attachment; filename="${file.name}"`)
          .send(open());
      },
    );
  serveFile('/opendata/files/');
  app.get(
    '/opendata/ocds/records/:file',
    {
      config: publicRoute,
      schema: { tags: ['Open data'], summary: 'OCDS record package of one procedure', params: RecordParams },
    },
    async (request, reply) =>
      reply
        .type('application/json; charset=utf-8')
        .send(
          JSON.stringify(
            await getOcdsRecordPackage(deps, { ocid: request.params.file.replace(/\.json$/, '') }),
          ),
        ),
  );
  serveFile('/opendata/ocds/');
};

/** Staff produce a month's files (or a day's deltas) on demand. */
export const opendataApiRoutes: FastifyPluginAsyncTypebox<Options> = async (app, { deps }) => {
  app.post(
    '/opendata/exports',
    {
      schema: {
        tags: ['Open data'],
        summary: "Produce a month's open data files (YYYY-MM) or a day's deltas (YYYY-MM-DD)",
        body: ExportBody,
        response: {
          200: Type.Object({ files: Type.Array(PublishedFileSchema) }),
          ...errors(400, 401, 403, 409),
        },
      },
    },
    async (request) => ({
      files: (await exportOpendataPeriodOnce(deps, request.body, actorOf(request))).map(presentFile),
    }),
  );
};

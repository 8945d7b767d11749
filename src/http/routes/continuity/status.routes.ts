import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { serviceStateLabels } from '../../../domain/continuity/status-view.js';
import type { StatusMonitor } from '../../../services/status/status-monitor.js';
import { PROBLEM_TYPE_BASE } from '../../problem.js';
import { renderStatusFeed } from '../../status/status-feed.js';
import { renderStatusPage } from '../../status/status-page.js';

/** The status view of the API (/api/v1/status, /api/v1/status/history), answered from memory. */
export const statusApiRoutes: FastifyPluginAsyncTypebox<{ monitor: StatusMonitor }> = async (
  app,
  { monitor },
) => {
  app.get(
    '/status',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['Status'],
        summary:
          'Status of the services: current state, incidents with their timeline, maintenance (history: /status/history)',
        response: {
          200: Type.Unknown({ description: 'StatusView (see src/domain/continuity/status-view.ts)' }),
        },
      },
    },
    async (_request, reply) =>
      reply
        .type('application/json; charset=utf-8')
        .header('cache-control', 'no-cache')
        .send(monitor.currentJson('summary')),
  );

  app.get(
    '/status/history',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['Status'],
        summary: 'The last 90 days per service: worst state of each day and the incidents that touched it',
        response: {
          200: Type.Unknown({
            description: '{ generatedAt, stale, services: [{ code, name, history: DayStatus[] }] }',
          }),
        },
      },
    },
    async (_request, reply) =>
      reply
        .type('application/json; charset=utf-8')
        .header('cache-control', 'no-cache')
        .send(monitor.currentJson('history')),
  );
};

/** The public status endpoints at the root: /status (AgID style), /stato (page), the Atom feed. */
export const statusRoutes: FastifyPluginAsyncTypebox<{
  monitor: StatusMonitor;
  baseUrl: () => string;
}> = async (app, { monitor, baseUrl }) => {
  app.get('/status', { config: { auth: 'public' }, schema: { hide: true } }, async (_request, reply) => {
    const view = monitor.current();
    const down = view.services.filter((s) => s.state !== 'operational');
    reply.type('application/problem+json').header('cache-control', 'no-store');
    if (down.length === 0 && view.database === 'reachable') {
      return reply.status(200).send({
        type: 'about:blank',
        title: 'Servizi operativi',
        status: 200,
        detail: 'Tutti i servizi sono operativi.',
      });
    }
    return reply
      .status(503)
      .header('retry-after', '30')
      .send({
        type: `${PROBLEM_TYPE_BASE}service_unavailable`,
        title: 'Servizi non disponibili o degradati',
        status: 503,
        detail:
          down.map((s) => `${s.name}: ${serviceStateLabels[s.state]}`).join('; ') ||
          'La base dati non risponde: lo stato mostrato è l’ultimo registrato.',
        services: down.map((s) => ({ code: s.code, state: s.state })),
        database: view.database,
      });
  });
  app.get('/stato', { config: { auth: 'public' }, schema: { hide: true } }, async (_request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .send(renderStatusPage(monitor.current(), { baseUrl: baseUrl() })),
  );
  app.get(
    '/status/feed.atom',
    { config: { auth: 'public' }, schema: { hide: true } },
    async (_request, reply) =>
      reply
        .type('application/atom+xml; charset=utf-8')
        .send(renderStatusFeed(monitor.current(), { baseUrl: baseUrl() })),
  );
};

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ServiceDeps } from '../../../services/context.js';
import { confirmSubscription } from '../../../services/notices/confirm-subscription.js';
import { subscribe } from '../../../services/notices/subscribe.js';
import { Nullable, errors } from '../../common.schemas.js';
import { ServiceCode } from './notices.schemas.js';

/** Subscriptions to service notifications (public): e-mail with double opt-in, or signed webhooks. */
export const subscriptionsRoutes: FastifyPluginAsyncTypebox<{
  deps: ServiceDeps;
  linkBase: () => string;
  /** Webhook subscriptions may target http:// URLs (otherwise https only). */
  webhookLocalReceivers: boolean;
  /** Whether a webhook's host resolves to public addresses only (checked at subscription). */
  webhookHostIsPublic?: ((hostname: string) => Promise<boolean>) | undefined;
}> = async (app, { deps, linkBase, webhookLocalReceivers, webhookHostIsPublic }) => {
  app.post(
    '/subscriptions',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['Notices'],
        summary: 'Subscribe to service notifications: e-mail (double opt-in) or signed webhook',
        body: Type.Object(
          {
            channel: Type.Union([Type.Literal('email'), Type.Literal('webhook')]),
            address: Type.String({ minLength: 3, maxLength: 2000 }),
            services: Type.Array(ServiceCode, { minItems: 1, maxItems: 6 }),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            id: Type.String(),
            state: Type.String(),
            secret: Nullable(Type.String({ description: 'Webhooks: the HMAC-SHA256 secret, shown once' })),
            cancellationToken: Nullable(Type.String()),
          }),
          ...errors(400),
        },
      },
    },
    async (request, reply) => {
      const { subscription, token, secret } = await subscribe(deps, {
        ...request.body,
        linkBase: linkBase(),
        allowLocalReceivers: webhookLocalReceivers,
        isPublicHost: webhookHostIsPublic,
      });
      return reply.status(201).send({
        id: subscription.id,
        state: subscription.state,
        secret,
        cancellationToken: subscription.channel === 'webhook' ? token : null,
      });
    },
  );
  for (const [path, cancel] of [
    ['/subscriptions/confirmation', false],
    ['/subscriptions/cancellation', true],
  ] as const) {
    app.get(
      path,
      {
        config: { auth: 'public' },
        schema: {
          tags: ['Notices'],
          summary: cancel
            ? 'Cancel a subscription (link in the confirmation message; webhooks: the cancellationToken)'
            : 'Confirm an e-mail subscription (link in the confirmation message)',
          querystring: Type.Object(
            { token: Type.String({ minLength: 10, maxLength: 100 }) },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({ state: Type.String(), message: Type.String() }),
            ...errors(400, 404, 409),
          },
        },
      },
      async (request) => {
        const s = await confirmSubscription(deps, request.query.token, cancel);
        return {
          state: s.state,
          message: cancel
            ? 'Iscrizione annullata.'
            : 'Iscrizione confermata: riceverai gli avvisi sullo stato dei servizi.',
        };
      },
    );
  }
};

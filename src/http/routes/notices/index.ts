import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServiceDeps } from '../../../services/context.js';
import type { SentMessageFiles } from '../../../services/notices/ports.js';
import type { ProtocolRegistrar } from '../../../services/notices/register-outgoing.js';
import { noticesRoutes } from './notices.routes.js';
import { outboxRoutes } from './outbox.routes.js';
import { pecReceiptsRoutes } from './pec-receipts.routes.js';
import { protocolRoutes } from './protocol.routes.js';
import { relaysRoutes } from './relays.routes.js';
import { subscriptionsRoutes } from './subscriptions.routes.js';

export { noticeFeed } from './notices.routes.js';

/** The notices area of the API: one plugin per resource. */
export const noticeRoutes: FastifyPluginAsyncTypebox<{
  deps: ServiceDeps;
  /** The public reads' deps (the replicas' store when configured). */
  reads: ServiceDeps;
  linkBase: () => string;
  /** The .eml files of the embedded mailer (the container's `sentMail`); null when mail goes out by SMTP. */
  sentMail: SentMessageFiles | null;
  /** Webhook subscriptions may target http:// URLs (otherwise https only). */
  webhookLocalReceivers?: boolean;
  /** Whether a webhook's host resolves to public addresses only (checked at subscription). */
  webhookHostIsPublic?: (hostname: string) => Promise<boolean>;
  /** Built by the container; one is made when absent (tests that build the app alone). */
  registrar?: ProtocolRegistrar | undefined;
}> = async (
  app,
  { deps, reads, linkBase, sentMail, webhookLocalReceivers = false, webhookHostIsPublic, registrar },
) => {
  await app.register(noticesRoutes, { deps, reads });
  await app.register(relaysRoutes, { deps });
  await app.register(protocolRoutes, { deps, registrar });
  await app.register(pecReceiptsRoutes, { deps });
  await app.register(outboxRoutes, { deps, linkBase, sentMail });
  await app.register(subscriptionsRoutes, { deps, linkBase, webhookLocalReceivers, webhookHostIsPublic });
};

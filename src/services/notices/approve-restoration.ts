import { DomainError, notFound } from '../../domain/shared/errors.js';
import { requireRole, type ServiceDeps } from '../context.js';
import { approveDraft } from './approve-draft.js';
import type { Notice } from './ports.js';
import { protocolLabel } from './protocol-register.js';
import { relayNotice, type RelayOutcome } from './relay-notice.js';
import type { Actor } from '../../domain/registry/actor.js';

/**
 * Staff approve the restoration notice: it is published and relayed to exactly the recipients of each
 * relay of the original notice, citing that relay's protocol number.
 */
export async function approveRestoration(
  deps: Pick<ServiceDeps, 'store' | 'clock' | 'ids' | 'letters' | 'segnatura'>,
  noticeId: string,
  actor: Actor,
  options: { sourceUrl?: string | undefined } = {},
): Promise<{ notice: Notice; relays: RelayOutcome[] }> {
  const staff = requireRole(actor, 'authority_staff', 'admin');
  return deps.store.transaction(async (store) => {
    const txDeps = { ...deps, store };
    const draft = await store.notices.findNotice(noticeId);
    if (!draft) throw notFound(`notice ${noticeId}`);
    if (draft.kind !== 'restoration' || !draft.restorationOf) {
      throw new DomainError('invalid_state', 'only a restoration notice is approved this way', {
        reason: 'not_restoration',
      });
    }
    const notice = await approveDraft(txDeps, noticeId, actor, options);
    const relays: RelayOutcome[] = [];
    for (const original of await store.relays.listRelays({ noticeId: draft.restorationOf })) {
      const registration = await store.protocol.findRegistration(original.registrationId);
      const label = registration
        ? `${protocolLabel(registration.aooCode, registration.number)} del ${registration.registeredAt.toISOString().slice(0, 10).split('-').reverse().join('/')}`
        : undefined;
      relays.push(
        await relayNotice(
          txDeps,
          { noticeId, restorationOf: original, originalLabel: label },
          { ...staff, role: 'admin' },
        ),
      );
    }
    return { notice, relays };
  });
}

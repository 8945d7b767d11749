import type { Actor, ServiceDeps } from '../context.js';
import { approveDraft } from './approve-draft.js';
import { getNotice } from './get-notice.js';
import type { Notice } from './ports.js';
import type { RelayOutcome } from './relay-notice.js';
import { approveRestoration } from './approve-restoration.js';

/**
 * Approves a drafted notice (Authority staff): a restoration notice then goes to the recipients of the
 * relays of the notice it restores (`approveRestoration`); any other draft is just published.
 */
export async function approveNotice(
  deps: Pick<ServiceDeps, 'store' | 'clock' | 'ids' | 'letters' | 'segnatura'>,
  id: string,
  actor: Actor,
  options: { sourceUrl?: string | undefined } = {},
): Promise<{ notice: Notice; relays: RelayOutcome[] }> {
  const draft = await getNotice(deps, id, actor);
  if (draft.kind === 'restoration' && draft.restorationOf)
    return approveRestoration(deps, draft.id, actor, options);
  return { notice: await approveDraft(deps, draft.id, actor, options), relays: [] };
}

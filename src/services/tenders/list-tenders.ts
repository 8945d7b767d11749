import type { ServiceDeps } from '../context.js';
import type { Page } from '../ports.js';
import type { TenderState } from '../../domain/tenders/tender-rules.js';
import type { Actor } from '../../domain/registry/actor.js';
import type { Tender } from '../../domain/tenders/tender.js';

type Deps = Pick<ServiceDeps, 'store'>;

/** Tenders the actor may see: a RUP their authority's, regional staff their region's, staff all. */
export async function listTenders(
  deps: Deps,
  filter: { limit: number; offset: number; state?: TenderState | undefined },
  actor: Actor,
): Promise<Page<Tender>> {
  if (actor.kind === 'user') {
    switch (actor.role) {
      case 'rup':
        return deps.store.tenders.list({
          ...filter,
          contractingAuthorityId: actor.contractingAuthorityId ?? '',
        });
      case 'regional_staff':
        return deps.store.tenders.list({ ...filter, regionalSectionCode: actor.regionalSectionCode ?? '' });
      case 'economic_operator':
        return { items: [], total: 0 };
      default:
        break;
    }
  }
  return deps.store.tenders.list(filter);
}

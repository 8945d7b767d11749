import { DomainError } from '../../domain/shared/errors.js';
import { canSeeAuthority, type Actor, type ServiceDeps } from '../context.js';
import { getProvisional } from './get-provisional.js';
import { regulariseProcedure, type RegularisationRecord } from './regularise-procedure.js';

/**
 * The regularisation record of a procedure, for the tender file: its authority's RUPs, the officers of
 * its regional section and the Authority's staff read it; anyone else does not find it (404); a
 * procedure not regularised yet has none.
 */
export async function getRegularisationRecord(
  deps: Pick<ServiceDeps, 'store' | 'clock' | 'ids' | 'cigOrdinals'>,
  reference: string,
  actor: Actor,
): Promise<RegularisationRecord> {
  const p = await getProvisional(deps, reference);
  if (actor.kind === 'user' && !canSeeAuthority(actor, p.contractingAuthorityId, p.regionalSectionCode)) {
    throw new DomainError('not_found', `provisional reference ${p.reference} not found`);
  }
  if (p.state !== 'regularised')
    throw new DomainError('invalid_state', `${p.reference} is not regularised yet`, {
      reason: 'not_regularised',
    });
  // Regularising a regularised procedure only reads it back (the record is built from what was done).
  return (
    await regulariseProcedure(
      deps,
      { reference: p.reference },
      actor.kind === 'user' && actor.role === 'rup' ? actor : { kind: 'system', job: 'record' },
    )
  ).record;
}

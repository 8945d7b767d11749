import { validateCig, type CigFamily } from '../../domain/cig/cig.js';
import { DomainError } from '../../domain/shared/errors.js';
import type { ServiceDeps } from '../context.js';
import type { Lot, SmartCig } from '../ports.js';

export type CigLookup =
  { kind: 'lot'; family: CigFamily; lot: Lot } | { kind: 'smart_cig'; family: CigFamily; smartCig: SmartCig };

/** Anyone can look up a CIG: what it is, whose it is, its state (cancelled codes stay visible). */
export async function lookupCig(deps: Pick<ServiceDeps, 'store'>, code: string): Promise<CigLookup> {
  const validation = validateCig(code);
  if (!validation.valid) {
    throw new DomainError(
      'validation_failed',
      `${validation.code} is not a valid CIG: ${validation.message}`,
      {
        field: 'code',
        reason: validation.reason,
      },
    );
  }
  if (validation.family === 'pcp') {
    const lot = await deps.store.lots.findByCig(validation.code);
    if (lot) return { kind: 'lot', family: validation.family, lot };
  } else if (validation.family === 'smart_cig') {
    const smartCig = await deps.store.smartCigs.findByCig(validation.code);
    if (smartCig) return { kind: 'smart_cig', family: validation.family, smartCig };
  }
  throw new DomainError(
    'not_found',
    validation.family === 'simog_v1'
      ? `${validation.code} is a valid SIMOG v1 code, but legacy numeric codes are not held in this registry`
      : `${validation.code} is a valid code but was not issued by this registry`,
    { reason: 'cig_unknown' },
  );
}

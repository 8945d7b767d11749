import { systemActor, type ServiceDeps } from '../context.js';
import { regulariseProcedure } from './regularise-procedure.js';

type Deps = Pick<ServiceDeps, 'store' | 'clock' | 'ids' | 'cigOrdinals'>;

/**
 * The regularisation job: every pending procedure, on the RUP's behalf, as soon as CIGs can be issued
 * (the same rule as the RUP's own request: an incident still open does not hold it back).
 */
export async function regularisePending(deps: Deps): Promise<{ regularised: string[]; failed: string[] }> {
  const pending = await deps.store.provisionalProcedures.listProvisional({ state: 'pending' });
  const regularised: string[] = [];
  const failed: string[] = [];
  for (const p of pending) {
    try {
      const result = await regulariseProcedure(
        deps,
        { reference: p.reference },
        systemActor('regularisation'),
      );
      if (!result.alreadyDone) regularised.push(p.reference);
    } catch {
      failed.push(p.reference);
    }
  }
  return { regularised, failed };
}

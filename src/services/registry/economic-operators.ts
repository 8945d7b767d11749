import { DomainError, invalidField, notFound } from '../../domain/shared/errors.js';
import { checkFiscalCode, checkVatNumber } from '../../domain/registry/fiscal-code.js';
import { audit, requireRole, type ServiceDeps } from '../context.js';
import type { Page } from '../ports.js';
import { checkEmail, checkName } from './registry-input.js';
import type { Actor } from '../../domain/registry/actor.js';
import type { EconomicOperator } from '../../domain/registry/registry.js';

type Deps = Pick<ServiceDeps, 'store' | 'clock' | 'ids'>;

export interface CreateEconomicOperatorInput {
  /** Codice fiscale: 11 digits (companies) or 16 characters (sole traders). */
  fiscalCode: string;
  /** Partita IVA, when different from or in addition to the codice fiscale. */
  vatNumber?: string | undefined;
  name: string;
  pec?: string | undefined;
}

export async function createEconomicOperator(
  deps: Deps,
  input: CreateEconomicOperatorInput,
  actor: Actor,
): Promise<EconomicOperator> {
  requireRole(actor, 'admin');
  const fiscalCode = input.fiscalCode.trim().toUpperCase();
  const fc = checkFiscalCode(fiscalCode);
  if (!fc.valid) throw invalidField('fiscalCode', `fiscalCode ${fc.message}`);
  let vatNumber: string | null = null;
  if (input.vatNumber !== undefined) {
    const vat = checkVatNumber(input.vatNumber);
    if (!vat.valid) throw invalidField('vatNumber', `vatNumber ${vat.message}`);
    vatNumber = input.vatNumber;
  } else if (fc.kind === 'numeric' && checkVatNumber(fiscalCode).valid) {
    vatNumber = fiscalCode;
  }
  const name = checkName(input.name, 'name', 500);
  const pec = input.pec === undefined ? null : checkEmail(input.pec, 'pec');
  const now = deps.clock.now();
  return deps.store.transaction(async (store) => {
    if (await store.operators.findEconomicOperatorByFiscalCode(fiscalCode)) {
      throw new DomainError('conflict', `an economic operator with fiscal code ${fiscalCode} exists`, {
        field: 'fiscalCode',
      });
    }
    if (
      vatNumber &&
      vatNumber !== fiscalCode &&
      (await store.operators.findEconomicOperatorByFiscalCode(vatNumber))
    ) {
      throw new DomainError('conflict', `an economic operator with VAT number ${vatNumber} exists`, {
        field: 'vatNumber',
      });
    }
    const operator: EconomicOperator = {
      id: deps.ids.uuid(),
      fiscalCode,
      vatNumber,
      name,
      pec,
      createdAt: now,
      updatedAt: now,
    };
    await store.operators.insertEconomicOperator(operator);
    await store.audit.append([
      audit(
        actor,
        now,
        'economic_operator.created',
        { type: 'economic_operator', id: operator.id },
        null,
        operator,
      ),
    ]);
    return operator;
  });
}

export async function updateEconomicOperator(
  deps: Deps,
  id: string,
  input: { name?: string | undefined; pec?: string | null | undefined },
  actor: Actor,
): Promise<EconomicOperator> {
  requireRole(actor, 'admin');
  const now = deps.clock.now();
  return deps.store.transaction(async (store) => {
    const before = await store.operators.findEconomicOperator(id);
    if (!before) throw notFound('economic operator');
    await store.operators.updateEconomicOperator(
      id,
      {
        ...(input.name !== undefined ? { name: checkName(input.name, 'name', 500) } : {}),
        ...(input.pec !== undefined ? { pec: input.pec === null ? null : checkEmail(input.pec, 'pec') } : {}),
      },
      now,
    );
    const after = await store.operators.findEconomicOperator(id);
    await store.audit.append([
      audit(actor, now, 'economic_operator.updated', { type: 'economic_operator', id }, before, after),
    ]);
    return after as EconomicOperator;
  });
}

export async function getEconomicOperator(
  deps: Pick<ServiceDeps, 'store'>,
  id: string,
  actor: Actor,
): Promise<EconomicOperator> {
  const user = requireRole(actor, 'admin', 'authority_staff', 'regional_staff', 'rup', 'economic_operator');
  if (user.role === 'economic_operator' && user.economicOperatorId !== id)
    throw notFound('economic operator');
  const found = await deps.store.operators.findEconomicOperator(id);
  if (!found) throw notFound('economic operator');
  return found;
}

export async function listEconomicOperators(
  deps: Pick<ServiceDeps, 'store'>,
  filter: { limit: number; offset: number; q?: string | undefined },
  actor: Actor,
): Promise<Page<EconomicOperator>> {
  requireRole(actor, 'admin', 'authority_staff', 'regional_staff', 'rup');
  return deps.store.operators.listEconomicOperators(filter);
}

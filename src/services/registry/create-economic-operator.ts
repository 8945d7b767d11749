import { DomainError, invalidField } from '../../domain/shared/errors.js';
import { checkFiscalCode, checkVatNumber } from '../../domain/registry/fiscal-code.js';
import { audit, requireRole, type ServiceDeps } from '../context.js';
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

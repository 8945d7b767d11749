import { smartCigFromOrdinal } from '../../domain/cig/cig.js';
import { invalidField, notFound } from '../../domain/shared/errors.js';
import { parseAmount } from '../../domain/shared/money.js';
import {
  assertSmartCigAmount,
  contractObjects,
  smartCigContractTypes,
  type ContractObject,
} from '../../domain/tenders/tender-rules.js';
import { audit, requireRole, type ServiceDeps } from '../context.js';
import { checkObject } from './lot-input.js';
import { presentSmartCigAudit } from './tender-audit.js';
import type { Actor } from '../../domain/registry/actor.js';
import type { SmartCig } from '../../domain/tenders/tender.js';

type Deps = Pick<ServiceDeps, 'store' | 'clock' | 'ids' | 'smartCigOrdinals'>;

export interface RequestSmartCigInput {
  contractType: string;
  contractObject: ContractObject;
  procedureType: string;
  object: string;
  amount: string;
  cup?: string | undefined;
}

/** A RUP requests a SmartCIG for a contract under 40,000 EUR: issued at once, no perfezionamento. */
export async function requestSmartCig(
  deps: Deps,
  input: RequestSmartCigInput,
  actor: Actor,
): Promise<SmartCig> {
  const rup = requireRole(actor, 'rup');
  const caId = rup.contractingAuthorityId as string;
  const now = deps.clock.now();
  if (!(input.contractType in smartCigContractTypes)) {
    throw invalidField(
      'contractType',
      `contractType must be one of ${Object.keys(smartCigContractTypes).join(', ')}`,
    );
  }
  if (!contractObjects.includes(input.contractObject)) {
    throw invalidField('contractObject', `contractObject must be one of ${contractObjects.join(', ')}`);
  }
  const object = checkObject(input.object, 'object');
  const amountCents = parseAmount(input.amount, 'amount');
  assertSmartCigAmount(amountCents);
  const cup = input.cup?.trim().toUpperCase() || null;
  if (cup !== null && !/^[A-Z0-9]{15}$/.test(cup))
    throw invalidField('cup', 'cup must be 15 letters or digits');
  if (!(await deps.store.reference.procedureTypeExists(input.procedureType))) {
    throw invalidField(
      'procedureType',
      `procedureType "${input.procedureType}" is not in the sceltaContraente list`,
    );
  }
  return deps.store.transaction(async (store) => {
    const authority = await store.authorities.findContractingAuthority(caId);
    if (!authority) throw notFound('contracting authority');
    const cig = smartCigFromOrdinal(await deps.smartCigOrdinals.next(store.codes));
    const smartCig: SmartCig = {
      id: deps.ids.uuid(),
      cig,
      contractingAuthorityId: caId,
      contractingAuthorityName: authority.name,
      contractingAuthorityFiscalCode: authority.fiscalCode,
      regionalSectionCode: authority.regionalSectionCode,
      rupUserId: rup.userId,
      contractType: input.contractType,
      contractObject: input.contractObject,
      procedureTypeCode: input.procedureType,
      object,
      amountCents,
      cup,
      state: 'issued',
      createdAt: now,
      cancelledAt: null,
    };
    await store.smartCigs.insert(smartCig);
    await store.audit.append([
      audit(
        actor,
        now,
        'smart_cig.issued',
        { type: 'smart_cig', id: cig },
        null,
        presentSmartCigAudit(smartCig),
      ),
    ]);
    return smartCig;
  });
}

import { withNumericCheckDigit, personalCheckChar } from '../../src/domain/registry/fiscal-code.js';
import { regionalSections } from '../../src/domain/registry/regions.js';
import { actorFromUser, type ServiceDeps, type UserActor } from '../../src/services/context.js';
import type { ContractingAuthority, Role, User } from '../../src/services/ports.js';
import { issueToken } from '../../src/services/registry/issue-token.js';
import { createTender, type CreateTenderInput } from '../../src/services/tenders/create-tender.js';
import type { LotInput } from '../../src/services/tenders/lot-input.js';

/** Test data builders. Each call makes new, unique rows; nothing depends on seed data or on order. */
let counter = 0;
const next = () => ++counter + Math.floor(Math.random() * 1000) * 10_000;

export function uniqueNumericFiscalCode(): string {
  return withNumericCheckDigit(`9${String(next()).padStart(9, '0').slice(-9)}`);
}

export function uniquePersonalFiscalCode(): string {
  const first15 = `TSTUSR80A${String((next() % 28) + 1).padStart(2, '0')}H501`;
  return first15 + personalCheckChar(first15);
}

export const sampleLot = (overrides: Partial<LotInput> = {}): LotInput => ({
  object: 'Manutenzione ordinaria degli immobili',
  amount: '250000.00',
  cpv: '50700000',
  place: '016072006',
  ...overrides,
});

export const sampleTender = (overrides: Partial<CreateTenderInput> = {}): CreateTenderInput => ({
  object: 'Servizi di manutenzione',
  procedureType: '6',
  sector: 'ordinary',
  contractObject: 'services',
  lots: [sampleLot()],
  ...overrides,
});

export class Factories {
  constructor(private readonly deps: ServiceDeps) {}

  async sections(): Promise<void> {
    const now = this.deps.clock.now();
    for (const s of regionalSections) {
      await this.deps.store.registry.upsertSection(
        {
          code: s.code,
          name: `Sezione regionale - ${s.regionName}`,
          regionName: s.regionName,
          regionIstat: s.regionIstat,
          provinceIstat: s.provinceIstat,
          city: s.city,
          pec: `osservatorio.${s.code.toLowerCase()}@pec.test.example`,
          aooCode: s.code === 'PUG' ? 'AOO_092' : `AOO_T_${s.code}`,
        },
        now,
      );
    }
  }

  async contractingAuthority(
    overrides: { place?: string; section?: string; name?: string } = {},
  ): Promise<ContractingAuthority> {
    const id = this.deps.ids.uuid();
    const n = next();
    await this.deps.store.registry.insertContractingAuthority({
      id,
      fiscalCode: uniqueNumericFiscalCode(),
      ausaCode: `1${String(n).padStart(9, '0').slice(-9)}`,
      name: overrides.name ?? `Comune di Prova ${n}`,
      istatPlaceCode: overrides.place ?? '016072006',
      regionalSectionCode: overrides.section ?? 'PUG',
      pec: `protocollo.${n}@pec.test.example`,
      createdAt: this.deps.clock.now(),
    });
    await this.deps.store.registry.insertCostCentre(
      id,
      { id: this.deps.ids.uuid(), code: 'CDC-01', name: 'Ufficio gare', active: true },
      this.deps.clock.now(),
    );
    return (await this.deps.store.registry.findContractingAuthority(id)) as ContractingAuthority;
  }

  async user(
    role: Role,
    link: { contractingAuthorityId?: string; economicOperatorId?: string; regionalSectionCode?: string } = {},
  ): Promise<{ user: User; actor: UserActor; token: string }> {
    const now = this.deps.clock.now();
    const n = next();
    const user: User = {
      id: this.deps.ids.uuid(),
      name: `Utente ${role} ${n}`,
      email: `${role}.${n}@test.example`,
      fiscalCode: uniquePersonalFiscalCode(),
      role,
      contractingAuthorityId: link.contractingAuthorityId ?? null,
      economicOperatorId: link.economicOperatorId ?? null,
      regionalSectionCode: link.regionalSectionCode ?? null,
      active: true,
      createdAt: now,
      updatedAt: now,
    };
    await this.deps.store.registry.insertUser(user);
    const { token } = await issueToken(
      this.deps,
      { userId: user.id, label: 'test' },
      { kind: 'system', job: 'test' },
    );
    return { user, actor: actorFromUser(user), token };
  }

  /** A contracting authority with one RUP. */
  async rup(overrides: { place?: string; section?: string } = {}) {
    const authority = await this.contractingAuthority(overrides);
    return { authority, ...(await this.user('rup', { contractingAuthorityId: authority.id })) };
  }

  async tender(actor: UserActor, overrides: Partial<CreateTenderInput> = {}) {
    return createTender(this.deps, sampleTender(overrides), actor);
  }
}

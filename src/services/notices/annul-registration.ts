import { DomainError, invalidField, notFound } from '../../domain/shared/errors.js';
import { audit, type Actor, type ServiceDeps } from '../context.js';
import type { ProtocolRegistration } from './ports.js';
import { aooFor, protocolLabel } from './protocol-register.js';

/** Annulment (DPR 445/2000 art. 54): a separate record; the registration stays readable as it was. */
export async function annulRegistration(
  deps: Pick<ServiceDeps, 'store' | 'clock'>,
  input: { registrationId: string; measure: string; reason: string },
  actor: Actor,
): Promise<ProtocolRegistration> {
  const now = deps.clock.now();
  const measure = input.measure.trim();
  const reason = input.reason.trim();
  if (!measure) throw invalidField('measure', 'name the measure that authorises the annulment');
  if (!reason) throw invalidField('reason', 'give the reason of the annulment');
  return deps.store.transaction(async (store) => {
    const registration = await store.protocol.findRegistration(input.registrationId);
    if (!registration) throw notFound('registration');
    const { user } = await aooFor({ store }, registration.aooCode, actor);
    if (
      !(await store.protocol.insertAnnulment({
        registrationId: registration.id,
        annulledAt: now,
        operatorId: user.userId,
        operatorName: user.name,
        measure,
        reason,
      }))
    ) {
      throw new DomainError('invalid_state', 'the registration is already annulled', {
        reason: 'already_annulled',
      });
    }
    const label = protocolLabel(registration.aooCode, registration.number);
    await store.audit.append([
      audit(actor, now, 'protocol.annulled', { type: 'protocol_registration', id: label }, null, {
        measure,
        reason,
      }),
    ]);
    return { ...registration, annulment: { annulledAt: now, operatorName: user.name, measure, reason } };
  });
}

import { addDays, isValidIsoDate, startOfRomeDay } from '../../domain/shared/dates.js';
import { invalidField } from '../../domain/shared/errors.js';
import { type Actor, type ServiceDeps } from '../context.js';
import { aooFor } from './protocol-register.js';

export async function listRegister(
  deps: Pick<ServiceDeps, 'store'>,
  input: { aooCode: string; date: string },
  actor: Actor,
) {
  await aooFor(deps, input.aooCode, actor);
  if (!isValidIsoDate(input.date)) throw invalidField('date', 'date is not a calendar date (YYYY-MM-DD)');
  return deps.store.protocol.listRegistrations({
    aooCode: input.aooCode,
    from: startOfRomeDay(input.date),
    to: startOfRomeDay(addDays(input.date, 1)),
  });
}

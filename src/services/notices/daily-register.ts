import { createHash } from 'node:crypto';
import { addDays, isValidIsoDate, startOfRomeDay } from '../../domain/shared/dates.js';
import { invalidField } from '../../domain/shared/errors.js';
import { type Actor, type ServiceDeps } from '../context.js';
import { aooFor, PROTOCOL_REGISTER, protocolLabel } from './protocol-register.js';

export interface DailyRegisterExport {
  json: string;
  sha256: string;
  pdf: Buffer;
}

/** The daily register: the day's registrations and annulments, as JSON (with its SHA-256) and PDF. */
export async function dailyRegister(
  deps: Pick<ServiceDeps, 'store' | 'clock' | 'letters'>,
  input: { aooCode: string; date: string },
  actor: Actor,
): Promise<DailyRegisterExport> {
  const { aoo } = await aooFor(deps, input.aooCode, actor);
  if (!isValidIsoDate(input.date)) throw invalidField('date', 'date is not a calendar date (YYYY-MM-DD)');
  const from = startOfRomeDay(input.date);
  const to = startOfRomeDay(addDays(input.date, 1));
  const [registrations, annulments] = await Promise.all([
    deps.store.protocol.listRegistrations({ aooCode: aoo.code, from, to }),
    deps.store.protocol.listAnnulments({ aooCode: aoo.code, from, to }),
  ]);
  const json = JSON.stringify(
    {
      aoo: aoo.code,
      register: PROTOCOL_REGISTER,
      date: input.date,
      registrations: registrations.map((r) => ({
        number: r.number,
        label: protocolLabel(r.aooCode, r.number),
        registeredAt: r.registeredAt.toISOString(),
        direction: r.direction,
        subject: r.subject,
        correspondents: r.correspondents,
        document: { name: r.documentName, sha256: r.documentSha256 },
        annulled: r.annulment !== null,
      })),
      annulments: annulments.map((a) => ({
        number: a.number,
        label: protocolLabel(aoo.code, a.number),
        annulledAt: a.annulledAt.toISOString(),
        operator: a.operatorName,
        measure: a.measure,
        reason: a.reason,
      })),
    },
    null,
    2,
  );
  const sha256 = createHash('sha256').update(json).digest('hex');
  const pdf = await deps.letters.dailyRegister({
    aoo,
    register: PROTOCOL_REGISTER,
    date: input.date,
    registrations: registrations.map((r) => ({
      number: r.number,
      at: r.registeredAt,
      direction: r.direction,
      subject: r.subject,
      correspondents:
        r.correspondents.length === 1
          ? (r.correspondents[0]?.name ?? '')
          : `${r.correspondents.length} destinatari`,
      sha256: r.documentSha256,
      annulled: r.annulment !== null,
    })),
    annulments: annulments.map((a) => ({
      number: a.number,
      at: a.annulledAt,
      operator: a.operatorName,
      measure: a.measure,
      reason: a.reason,
    })),
    jsonSha256: sha256,
    generatedAt: deps.clock.now(),
  });
  return { json, sha256, pdf };
}

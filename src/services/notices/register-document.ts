import { createHash } from 'node:crypto';
import { addDays, isValidIsoDate, startOfRomeDay } from '../../domain/shared/dates.js';
import { DomainError, invalidField, notFound } from '../../domain/shared/errors.js';
import { audit, requireRole, type Actor, type ServiceDeps, type UserActor } from '../context.js';
import { romeDateOf } from '../../domain/shared/dates.js';
import { Batcher } from '../batcher.js';
import type { RegionalSection } from '../ports.js';
import type { ProtocolRegistration } from './ports.js';

export const PROTOCOL_REGISTER = 'PROTOCOLLO';

/** `AOO_092/0001228`: at least seven digits (DPR 445/2000 art. 57). */
export const protocolLabel = (aooCode: string, number: number) =>
  `${aooCode}/${String(number).padStart(7, '0')}`;

export interface OutgoingDocument {
  /** Oggetto, as registered. */
  subject: string;
  correspondents: { name: string; address: string }[];
  /** Writes the document once its number is known (the label is printed on it). */
  render(label: string): Promise<{ fileName: string; content: Buffer }>;
}

type RegisterDeps = Pick<ServiceDeps, 'store' | 'clock' | 'ids' | 'segnatura'>;

export interface OutgoingRegistration {
  section: RegionalSection;
  document: OutgoingDocument;
  registeredBy: string | null;
}

export interface RegistrationOutcome {
  registration: ProtocolRegistration;
  label: string;
  content: Buffer;
}

/**
 * Registers outgoing documents in their sections' registers, in the caller's transaction (or one of its
 * own): takes the next numbers (the counter row stays locked until commit, so numbers follow commit
 * order and a rolled-back registration gives its number back), writes each document, fingerprints it
 * and signs its segnatura. The database checks every number was handed out by the counter, that every
 * number handed out is registered at commit, and that registrations never change.
 */
export async function registerOutgoingBatch(
  deps: RegisterDeps,
  items: OutgoingRegistration[],
): Promise<RegistrationOutcome[]> {
  const now = deps.clock.now();
  const date = romeDateOf(now);
  const year = Number(date.slice(0, 4));
  return deps.store.transaction(async (store) => {
    const outcomes: RegistrationOutcome[] = new Array(items.length);
    const byAoo = new Map<string, number[]>();
    items.forEach((item, i) =>
      byAoo.set(item.section.aooCode, [...(byAoo.get(item.section.aooCode) ?? []), i]),
    );
    // One AOO after the other, in a fixed order, so that two batches never wait on each other's counters.
    for (const aooCode of [...byAoo.keys()].sort()) {
      const indexes = byAoo.get(aooCode) ?? [];
      const first = await store.notices.takeProtocolNumbers(aooCode, PROTOCOL_REGISTER, year, indexes.length);
      const rows: (Omit<ProtocolRegistration, 'annulment'> & { registeredBy: string | null })[] = [];
      for (const [k, i] of indexes.entries()) {
        const { section, document, registeredBy } = items[i] as OutgoingRegistration;
        const number = first + k;
        const label = protocolLabel(aooCode, number);
        const { fileName, content } = await document.render(label);
        const sha256 = createHash('sha256').update(content).digest();
        const registration: ProtocolRegistration = {
          id: deps.ids.uuid(),
          aooCode,
          registerCode: PROTOCOL_REGISTER,
          year,
          number,
          direction: 'U',
          registeredAt: now,
          subject: document.subject,
          correspondents: document.correspondents,
          documentName: fileName,
          documentSha256: sha256.toString('hex'),
          segnaturaXml: deps.segnatura.sign({
            administration: {
              code: `r_${section.regionName.toLowerCase().replace(/[^a-z]+/g, '_')}`,
              name: `Regione ${section.regionName}`,
            },
            aoo: { code: aooCode, name: section.name, pec: section.pec },
            register: { code: PROTOCOL_REGISTER },
            number,
            date,
            direction: 'U',
            subject: document.subject,
            recipients: document.correspondents.map((r) => ({ name: r.name, pec: r.address })),
            document: { fileName, mimeType: 'application/pdf', sha256Base64: sha256.toString('base64') },
            signingTime: now,
          }),
          annulment: null,
        };
        rows.push({ ...registration, registeredBy });
        outcomes[i] = { registration, label, content };
      }
      await store.notices.insertRegistrations(rows);
    }
    return outcomes;
  });
}

export async function registerOutgoing(
  deps: RegisterDeps,
  section: RegionalSection,
  document: OutgoingDocument,
  registeredBy: string | null,
): Promise<RegistrationOutcome> {
  const [outcome] = await registerOutgoingBatch(deps, [{ section, document, registeredBy }]);
  return outcome as RegistrationOutcome;
}

/**
 * Standalone registrations that arrive together share one transaction (Batcher: group commit). The
 * counter of a register is a single row locked until commit, so one registration per transaction tops
 * out at one commit's latency (about 1,000 a second on the test machine); a batch pays it once. A
 * batch that fails is retried one registration at a time, so one bad document fails alone.
 */
export class ProtocolRegistrar {
  readonly #batcher: Batcher<OutgoingRegistration, RegistrationOutcome>;
  constructor(deps: RegisterDeps, options: { maxBatch?: number; maxConcurrent?: number } = {}) {
    this.#batcher = new Batcher((items) => registerOutgoingBatch(deps, items), {
      maxBatch: options.maxBatch ?? 64,
      maxConcurrent: options.maxConcurrent ?? 2,
    });
  }
  register(item: OutgoingRegistration): Promise<RegistrationOutcome> {
    return this.#batcher.submit(item);
  }
}

const PEC = /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/;

/**
 * A protocol officer registers an outgoing document of their section (a PDF written elsewhere): the
 * register keeps its fingerprint, recipients and segnatura, not the file. Concurrent registrations
 * share transactions through the registrar.
 */
export async function registerDocument(
  deps: RegisterDeps,
  /** Absent: register in the caller's transaction (deps.store), e.g. with the Idempotency-Key record. */
  registrar: ProtocolRegistrar | undefined,
  input: {
    aooCode: string;
    subject: string;
    correspondents: { name: string; address: string }[];
    fileName: string;
    content: Buffer;
  },
  actor: Actor,
): Promise<RegistrationOutcome> {
  const { user, section } = await aooFor(deps, input.aooCode, actor);
  const subject = input.subject.trim();
  if (subject.length === 0 || subject.length > 1000)
    throw invalidField('subject', 'subject must be 1-1000 characters');
  if (input.correspondents.length === 0) throw invalidField('correspondents', 'name at least one recipient');
  input.correspondents.forEach((c, i) => {
    if (c.name.trim() === '') throw invalidField(`correspondents[${i}].name`, 'the recipient has no name');
    if (!PEC.test(c.address))
      throw invalidField(`correspondents[${i}].address`, `${c.address} is not an e-mail address`);
  });
  if (!/^[^/\\]{1,200}\.pdf$/i.test(input.fileName))
    throw invalidField('document.fileName', 'the document must be a .pdf file name');
  if (input.content.subarray(0, 5).toString('latin1') !== '%PDF-')
    throw invalidField('document.content', 'the document is not a PDF');
  const item = {
    section,
    registeredBy: user.userId,
    document: {
      subject,
      correspondents: input.correspondents.map((c) => ({ name: c.name.trim(), address: c.address })),
      render: async () => ({ fileName: input.fileName, content: input.content }),
    },
  };
  return registrar
    ? registrar.register(item)
    : registerOutgoing(deps, item.section, item.document, item.registeredBy);
}

/**
 * A protocol officer works on the register of their own section's AOO; administrators on any. Another
 * section's AOO answers as an unknown one (404), so that its existence and its registrations do not show.
 */
async function aooFor(
  deps: Pick<ServiceDeps, 'store'>,
  aooCode: string,
  actor: Actor,
): Promise<{ user: UserActor; aoo: { code: string; name: string }; section: RegionalSection }> {
  const user = requireRole(actor, 'regional_staff', 'admin', 'authority_staff');
  const section = await deps.store.registry.findSectionByAoo(aooCode);
  if (!section) throw notFound(`AOO ${aooCode}`);
  if (user.role === 'regional_staff' && user.regionalSectionCode !== section.code) {
    throw notFound(`AOO ${aooCode}`);
  }
  return { user, aoo: { code: section.aooCode, name: section.name }, section };
}

export async function listRegister(
  deps: Pick<ServiceDeps, 'store'>,
  input: { aooCode: string; date: string },
  actor: Actor,
) {
  await aooFor(deps, input.aooCode, actor);
  if (!isValidIsoDate(input.date)) throw invalidField('date', 'date is not a calendar date (YYYY-MM-DD)');
  return deps.store.notices.listRegistrations({
    aooCode: input.aooCode,
    from: startOfRomeDay(input.date),
    to: startOfRomeDay(addDays(input.date, 1)),
  });
}

/** One registration, for a protocol officer of its AOO (or the Authority's staff). */
export async function getRegistration(
  deps: Pick<ServiceDeps, 'store'>,
  id: string,
  actor: Actor,
): Promise<ProtocolRegistration> {
  const user = requireRole(actor, 'regional_staff', 'admin', 'authority_staff');
  const registration = await deps.store.notices.findRegistration(id);
  const section = registration && (await deps.store.registry.findSectionByAoo(registration.aooCode));
  // Another section's registration is not there for a protocol officer (no hint that it exists).
  if (
    !registration ||
    !section ||
    (user.role === 'regional_staff' && user.regionalSectionCode !== section.code)
  )
    throw notFound('registration');
  return registration;
}

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
    const registration = await store.notices.findRegistration(input.registrationId);
    if (!registration) throw notFound('registration');
    const { user } = await aooFor({ store }, registration.aooCode, actor);
    if (
      !(await store.notices.insertAnnulment({
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
    deps.store.notices.listRegistrations({ aooCode: aoo.code, from, to }),
    deps.store.notices.listAnnulments({ aooCode: aoo.code, from, to }),
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

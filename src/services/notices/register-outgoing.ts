import { createHash } from 'node:crypto';
import { type ServiceDeps } from '../context.js';
import { romeDateOf } from '../../domain/shared/dates.js';
import { Batcher } from '../batcher.js';
import type { RegionalSection } from '../ports.js';
import type { ProtocolRegistration } from './ports.js';
import { PROTOCOL_REGISTER, protocolLabel } from './protocol-register.js';

export interface OutgoingDocument {
  /** Oggetto, as registered. */
  subject: string;
  correspondents: { name: string; address: string }[];
  /** Writes the document once its number is known (the label is printed on it). */
  render(label: string): Promise<{ fileName: string; content: Buffer }>;
}

export type RegisterDeps = Pick<ServiceDeps, 'store' | 'clock' | 'ids' | 'segnatura'>;

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
      const first = await store.protocol.takeProtocolNumbers(
        aooCode,
        PROTOCOL_REGISTER,
        year,
        indexes.length,
      );
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
      await store.protocol.insertRegistrations(rows);
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

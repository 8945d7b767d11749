import { romeDateOf } from '../../domain/shared/dates.js';
import { DomainError, invalidField, notFound } from '../../domain/shared/errors.js';
import { audit, requireRole, type ServiceDeps } from '../context.js';
import type { Store } from '../ports.js';
import type { NewOutboxMessage, Notice, ProtocolRegistration, Relay } from './ports.js';
import { registerOutgoing } from './register-outgoing.js';
import { newMessageId } from './message-id.js';
import type { Actor } from '../../domain/registry/actor.js';
import type { RegionalSection } from '../../domain/registry/registry.js';

type Deps = Pick<ServiceDeps, 'store' | 'clock' | 'ids' | 'letters' | 'segnatura'>;

export const TRANSMISSION_CLAUSE =
  "Trasmissione a mezzo posta elettronica ai sensi dell'art.47 del D. Lgs n. 82/2005";

const monthNames = [
  'gennaio',
  'febbraio',
  'marzo',
  'aprile',
  'maggio',
  'giugno',
  'luglio',
  'agosto',
  'settembre',
  'ottobre',
  'novembre',
  'dicembre',
];
/** 2021-05-06 -> "6 maggio 2021" */
export const longDateIt = (date: string) => {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return `${d} ${monthNames[m - 1]} ${y}`;
};

export interface Recipient {
  name: string;
  address: string;
  contractingAuthorityId: string | null;
}

/** The RUPs of the contracting authorities of a section (all, or the given authorities), each address once. */
async function recipientsOf(
  store: Store,
  section: RegionalSection,
  authorityIds: string[] | undefined,
): Promise<Recipient[]> {
  if (authorityIds) {
    const found = new Set(
      (await store.relays.rupsOfSection(section.code, authorityIds)).map((r) => r.contractingAuthorityId),
    );
    const authorities = await Promise.all(
      authorityIds.map((id) => store.authorities.findContractingAuthority(id)),
    );
    const unknown = authorityIds.filter((id, i) => {
      const a = authorities[i];
      return !a || !a.active || a.regionalSectionCode !== section.code;
    });
    if (unknown.length > 0)
      throw invalidField(
        'contractingAuthorityIds',
        `not active authorities of section ${section.code}: ${unknown.join(', ')}`,
      );
    const without = authorityIds.filter((id) => !found.has(id));
    if (without.length > 0)
      throw invalidField(
        'contractingAuthorityIds',
        `these authorities have no active RUP: ${without.join(', ')}`,
      );
  }
  const seen = new Set<string>();
  return (await store.relays.rupsOfSection(section.code, authorityIds)).filter((r) => {
    const key = r.address.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export interface RelayOutcome {
  relay: Relay;
  registration: ProtocolRegistration;
  recipients: number;
}

/**
 * A regional section relays a comunicato to the RUPs of its region: in one transaction it takes the
 * next outgoing protocol number, renders the transmission letter with it, registers the letter (with
 * its SHA-256 and the signed segnatura XML) and writes one outbox row per recipient. The e-mails go
 * out from the outbox worker; a crash before commit leaves nothing, after commit loses nothing.
 */
export async function relayNotice(
  deps: Deps,
  input: {
    noticeId: string;
    contractingAuthorityIds?: string[] | undefined;
    restorationOf?: Relay | undefined;
    originalLabel?: string | undefined;
  },
  actor: Actor,
): Promise<RelayOutcome> {
  const staff = requireRole(actor, 'regional_staff', 'admin');
  const now = deps.clock.now();
  return deps.store.transaction(async (store) => {
    const notice = await store.notices.findNotice(input.noticeId);
    if (!notice) throw notFound(`notice ${input.noticeId}`);
    if (notice.state !== 'published')
      throw new DomainError('invalid_state', 'only a published notice can be relayed', {
        reason: 'notice_draft',
      });
    const sectionCode = input.restorationOf?.regionalSectionCode ?? staff.regionalSectionCode;
    if (!sectionCode)
      throw invalidField(
        'regionalSection',
        'an administrator relays on behalf of a section: use a regional staff account',
      );
    const section = await store.sections.findSection(sectionCode);
    if (!section) throw notFound(`regional section ${sectionCode}`);
    const recipients = input.restorationOf
      ? (await store.relays.relayRecipients(input.restorationOf.id)).map((m) => ({
          name: m.recipientName,
          address: m.address,
          contractingAuthorityId: m.contractingAuthorityId,
        }))
      : await recipientsOf(store, section, input.contractingAuthorityIds);
    if (recipients.length === 0)
      throw new DomainError('rule_violation', `no active RUP to write to in section ${section.code}`, {
        reason: 'no_recipients',
      });
    if (
      (await store.relays.listRelays({ noticeId: notice.id, regionalSectionCode: section.code })).length > 0
    ) {
      throw new DomainError('conflict', `section ${section.code} has already relayed this notice`, {
        reason: 'already_relayed',
      });
    }

    const subject = notice.title.endsWith('.') ? notice.title : `${notice.title}.`;
    const {
      registration,
      label,
      content: letter,
    } = await registerOutgoing(
      { ...deps, store },
      section,
      {
        subject,
        correspondents: recipients.map((r) => ({ name: r.name, address: r.address })),
        render: async (label) => ({
          fileName: `${label.replace('/', '-')}.pdf`,
          content: await deps.letters.transmissionLetter(
            letterFor(section, notice, label, subject, now, input.originalLabel),
          ),
        }),
      },
      staff.userId,
    );
    const relay: Relay = {
      id: deps.ids.uuid(),
      noticeId: notice.id,
      regionalSectionCode: section.code,
      registrationId: registration.id,
      restorationOf: input.restorationOf?.id ?? null,
      letterSha256: registration.documentSha256,
      recipientCount: recipients.length,
      createdAt: now,
    };
    await store.relays.insertRelay({ ...relay, letterPdf: letter, createdBy: staff.userId });
    const text = mailText(section, notice, label);
    const messages: NewOutboxMessage[] = recipients.map((r, i) => ({
      id: deps.ids.uuid(),
      kind: 'relay',
      channel: 'email',
      relayId: relay.id,
      subscriptionId: null,
      eventId: null,
      recipientName: r.name,
      address: r.address,
      contractingAuthorityId: r.contractingAuthorityId,
      idempotencyKey: `relay:${relay.id}:${r.address}`,
      messageId: newMessageId(`${relay.id}.${i + 1}`),
      subject: `Prot. ${label} - ${subject}`,
      body: text,
      nextAttemptAt: now,
      createdAt: now,
    }));
    await store.outbox.insertOutbox(messages, now);
    await store.audit.append([
      audit(actor, now, 'protocol.registered', { type: 'protocol_registration', id: label }, null, {
        label,
        subject: registration.subject,
        recipients: recipients.length,
        sha256: registration.documentSha256,
      }),
      audit(actor, now, 'notice.relayed', { type: 'relay', id: relay.id }, null, {
        notice: notice.id,
        label,
        recipients: recipients.length,
      }),
    ]);
    return { relay, registration, recipients: recipients.length };
  });
}

function letterFor(
  section: RegionalSection,
  notice: Notice,
  label: string,
  subject: string,
  now: Date,
  originalLabel: string | undefined,
) {
  const introduction = originalLabel
    ? `Facendo seguito alla nota prot. ${originalLabel}, l'Autorità Nazionale Anticorruzione comunica quanto segue tramite le sezioni regionali dell'Osservatorio dei contratti pubblici.`
    : notice.kind === 'outage'
      ? "L'Autorità Nazionale Anticorruzione, causa interruzione dei propri servizi on line, comunica quanto segue tramite le sezioni regionali dell'Osservatorio dei contratti pubblici."
      : "L'Autorità Nazionale Anticorruzione comunica quanto segue tramite le sezioni regionali dell'Osservatorio dei contratti pubblici.";
  return {
    letterhead: [
      `REGIONE ${section.regionName.toUpperCase()}`,
      ...section.letterheadOffices,
      'Sezione regionale Osservatorio Contratti Pubblici',
    ],
    city: section.city,
    date: romeDateOf(now),
    protocol: { label, direction: 'Protocollo Uscita' as const },
    transmissionClause: TRANSMISSION_CLAUSE,
    salutation: 'Gentile RUP',
    subject: `Oggetto: ${subject.charAt(0).toLowerCase()}${subject.slice(1)}`,
    introduction,
    notice: {
      title: `Comunicato del ${longDateIt(notice.noticeDate)}`,
      body: notice.body,
      sourceUrl: notice.sourceUrl,
    },
    signature: {
      office: 'sezione regionale osservatorio contratti pubblici',
      role: 'il dirigente',
      name: null,
    },
    website: section.website,
    issuedAt: now,
  };
}

function mailText(section: RegionalSection, notice: Notice, label: string): string {
  return [
    'Gentile RUP,',
    '',
    `si trasmette in allegato la nota prot. ${label} della ${section.name}, con il comunicato dell'Autorità Nazionale Anticorruzione "${notice.title}".`,
    '',
    `${TRANSMISSION_CLAUSE}.`,
    '',
    section.name,
  ].join('\n');
}

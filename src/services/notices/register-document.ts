import { invalidField } from '../../domain/shared/errors.js';
import { type Actor } from '../context.js';
import { aooFor } from './protocol-register.js';
import type { ProtocolRegistrar } from './register-outgoing.js';
import { registerOutgoing, type RegisterDeps, type RegistrationOutcome } from './register-outgoing.js';

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

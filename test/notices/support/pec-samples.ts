import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { publishNotice } from '../../../src/services/notices/publish-notice.js';
import { relayNotice } from '../../../src/services/notices/relay-notice.js';
import type { Harness } from '../../support/harness.js';

/** The PEC receipt samples of the shared specs (a real provider's), when they are there. */
export const pecSamples = fileURLToPath(new URL('../../../../shared/specs/pec-samples/', import.meta.url));
export const pecSamplesMissing = !existsSync(pecSamples);

/** Says, once per test file, that `what` is skipped because the samples are not there. */
export function warnIfSamplesMissing(what: string): boolean {
  if (pecSamplesMissing)
    console.warn(`${what} skipped: ${pecSamples} does not exist (the shared specs live next to the project)`);
  return pecSamplesMissing;
}

/** The Message-IDs the two go-pec samples refer to (X-Riferimento-Message-ID). */
export const ACCEPTED_ID = 'SN05IE$951DEC16C1CFD3E4FD8FF1B1D24A99AE@fakepec.it';
export const BOUNCED_ID = 'SN05IE$951DEC16C1CFD3E4FD8FF1B1D24A99AE@pec.it';

/**
 * A comunicato relayed by the Puglia section to two RUPs, whose messages get the Message-IDs the
 * samples refer to (the samples come from a real provider).
 */
export async function relayForSamples(h: Harness) {
  const staff = await h.factories.user('authority_staff');
  const section = await h.factories.user('regional_staff', { regionalSectionCode: 'PUG' });
  const a = await h.factories.rup({ section: 'PUG' });
  const b = await h.factories.rup({ section: 'PUG' });
  const notice = await publishNotice(
    h.deps,
    { title: 'Comunicato di prova', noticeDate: '2024-11-15', kind: 'information', body: 'Testo.' },
    staff.actor,
  );
  const relayId = (await relayNotice(h.deps, { noticeId: notice.id }, section.actor)).relay.id;
  await sql`UPDATE outbox SET message_id = ${ACCEPTED_ID} WHERE relay_id = ${relayId} AND address = ${a.user.email}`.execute(
    h.db.db,
  );
  await sql`UPDATE outbox SET message_id = ${BOUNCED_ID} WHERE relay_id = ${relayId} AND address = ${b.user.email}`.execute(
    h.db.db,
  );
  return { relayId, section, accepted: a.user.email, bounced: b.user.email };
}

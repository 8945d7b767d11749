import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listRecentIncidents } from '../../src/services/continuity/list-recent-incidents.js';
import { listRecentMaintenances } from '../../src/services/continuity/list-recent-maintenances.js';
import { listServices } from '../../src/services/continuity/list-services.js';
import { getRelayDetails } from '../../src/services/notices/get-relay-details.js';
import { getRelayLetter } from '../../src/services/notices/get-relay-letter.js';
import { listNoticeDrafts } from '../../src/services/notices/list-notice-drafts.js';
import { listRelays } from '../../src/services/notices/list-relays.js';
import { publishNotice } from '../../src/services/notices/publish-notice.js';
import { relayNotice } from '../../src/services/notices/relay-notice.js';
import { createHarness, type Harness } from '../support/harness.js';
import { engineName } from '../support/test-db.js';

type Person = Awaited<ReturnType<Harness['factories']['user']>>;

/**
 * The read use cases the portal's pages call (instead of the store): each decides who may read, another
 * section's relay is not found (404), a role that may not read is refused (403).
 */
describe(`portal read use cases check who may read (${engineName()})`, () => {
  let h: Harness;
  let staff: Person;
  let puglia: Person;
  let lazio: Person;
  let admin: Person;
  let rup: Awaited<ReturnType<Harness['factories']['rup']>>;
  let relayId: string;

  beforeAll(async () => {
    h = await createHarness({ now: '2026-03-02T09:00:00Z' });
    staff = await h.factories.user('authority_staff');
    puglia = await h.factories.user('regional_staff', { regionalSectionCode: 'PUG' });
    lazio = await h.factories.user('regional_staff', { regionalSectionCode: 'LAZ' });
    admin = await h.factories.user('admin');
    rup = await h.factories.rup({ section: 'PUG' });
    const notice = await publishNotice(
      h.deps,
      {
        title: 'Manutenzione programmata',
        noticeDate: '2026-03-02',
        kind: 'maintenance',
        body: 'Il servizio sarà sospeso.',
      },
      staff.actor,
    );
    const { relay } = await relayNotice(
      h.deps,
      { noticeId: notice.id, contractingAuthorityIds: [rup.authority.id] },
      puglia.actor,
    );
    relayId = relay.id;
  });
  afterAll(() => h.close());

  it("a relay's details, letter and recipients: its section, the Authority and admins; another section gets 404", async () => {
    for (const who of [puglia, staff, admin]) {
      const details = await getRelayDetails(h.deps, relayId, who.actor);
      expect(details.relay.id).toBe(relayId);
      expect(details.notice?.title).toBe('Manutenzione programmata');
      expect(details.recipients.map((r) => r.address)).toEqual([rup.user.email]);
      const { pdf } = await getRelayLetter(h.deps, relayId, who.actor);
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    }
    await expect(getRelayDetails(h.deps, relayId, lazio.actor)).rejects.toMatchObject({ code: 'not_found' });
    await expect(getRelayLetter(h.deps, relayId, lazio.actor)).rejects.toMatchObject({ code: 'not_found' });
    await expect(getRelayDetails(h.deps, relayId, rup.actor)).rejects.toMatchObject({ code: 'forbidden' });
  });

  it("the list of relays is the section's own (all of them for an administrator)", async () => {
    expect((await listRelays(h.deps, puglia.actor)).map((r) => r.id)).toContain(relayId);
    expect((await listRelays(h.deps, admin.actor)).map((r) => r.id)).toContain(relayId);
    expect(await listRelays(h.deps, lazio.actor)).toEqual([]);
    await expect(listRelays(h.deps, staff.actor)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(listRelays(h.deps, rup.actor)).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('drafts, incidents and maintenances are for the staff; the services are public', async () => {
    for (const who of [staff, puglia, admin]) {
      await expect(listNoticeDrafts(h.deps, who.actor)).resolves.toBeInstanceOf(Array);
      await expect(listRecentIncidents(h.deps, { days: 90 }, who.actor)).resolves.toBeInstanceOf(Array);
      await expect(listRecentMaintenances(h.deps, { days: 90 }, who.actor)).resolves.toBeInstanceOf(Array);
    }
    await expect(listNoticeDrafts(h.deps, rup.actor)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(listRecentIncidents(h.deps, { days: 90 }, rup.actor)).rejects.toMatchObject({
      code: 'forbidden',
    });
    await expect(listRecentMaintenances(h.deps, { days: 90 }, rup.actor)).rejects.toMatchObject({
      code: 'forbidden',
    });
    expect((await listServices(h.deps)).length).toBeGreaterThan(0);
  });
});

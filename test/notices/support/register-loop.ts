/**
 * A child process for the crash tests: registers outgoing documents in the PUG register, as fast as it
 * can with `CLIENTS` concurrent callers, and prints `ack <number>` for each committed registration
 * (after commit: an acknowledged number). The parent kills it with SIGKILL at some point.
 *
 * Environment: DATABASE_URL + DB_SCHEMA (PostgreSQL) or DATA_DIR (embedded), CLIENTS.
 */
import { openDatabase } from '../../../src/adapters/db/database.js';
import { migrateToLatest } from '../../../src/adapters/db/migrate.js';
import { syncReferenceData } from '../../../src/adapters/db/reference-data.js';
import { createStore } from '../../../src/adapters/db/store.js';
import { createSegnaturaSigner } from '../../../src/adapters/protocol/segnatura.js';
import { createSelfSignedSigningKey } from '../../../src/adapters/protocol/signing-key.js';
import { regionalSections } from '../../../src/domain/registry/regions.js';
import { systemClock } from '../../../src/domain/shared/clock.js';
import { randomIds } from '../../../src/services/context.js';
import { registerOutgoing } from '../../../src/services/notices/register-outgoing.js';

const handle = await openDatabase({
  url: process.env.DATABASE_URL,
  schema: process.env.DB_SCHEMA,
  dataDir: process.env.DATA_DIR,
  poolSize: Number(process.env.CLIENTS ?? 8) + 1,
});
await migrateToLatest(handle.db);
await syncReferenceData(handle.db);
const store = createStore(handle.db);
const definition = regionalSections.find((s) => s.code === 'PUG')!;
const section = {
  code: 'PUG',
  name: 'Sezione regionale - Puglia',
  regionName: definition.regionName,
  regionIstat: definition.regionIstat,
  provinceIstat: definition.provinceIstat,
  city: definition.city,
  pec: 'osservatorio.pug@pec.test.example',
  aooCode: 'AOO_092',
};
await store.registry.upsertSection(section, new Date());
const deps = {
  store,
  clock: systemClock,
  ids: randomIds,
  segnatura: createSegnaturaSigner({
    key: createSelfSignedSigningKey({ aoo: 'test', name: 'AOO di prova' }),
    classification: { code: '1.6', name: 'Comunicazioni' },
  }),
};
process.stdout.write('ready\n');
const client = async () => {
  for (;;) {
    const { registration } = await registerOutgoing(
      deps,
      (await store.registry.findSection('PUG'))!,
      {
        subject: 'Oggetto: prova di registrazione',
        correspondents: [{ name: 'RUP di prova', address: 'rup@pec.test.example' }],
        render: async (label) => {
          await new Promise((r) => setTimeout(r, Math.random() * 3));
          return { fileName: `${label.replace('/', '-')}.pdf`, content: Buffer.from(`%PDF-1.4 ${label}`) };
        },
      },
      null,
    );
    process.stdout.write(`ack ${registration.number}\n`);
  }
};
await Promise.all(Array.from({ length: Number(process.env.CLIENTS ?? 8) }, client));

import { Migrator, sql, type Migration, type MigrationProvider } from 'kysely';
import type { Database } from './database.js';
import * as m0001 from './migrations/0001-registry-and-cig.js';
import * as m0002 from './migrations/0002-contributions-and-payments.js';
import * as m0003 from './migrations/0003-continuity.js';
import * as m0004 from './migrations/0004-reminders.js';
import * as m0005 from './migrations/0005-notices.js';
import * as m0006 from './migrations/0006-web-sessions.js';
import * as m0007 from './migrations/0007-user-identity-lookup.js';
import * as m0008 from './migrations/0008-reminder-mail.js';
import * as m0009 from './migrations/0009-section-letterhead.js';
import * as m0010 from './migrations/0010-pec-receipt-trust.js';
import * as m0012 from './migrations/0012-amount-cap.js';
import * as m0013 from './migrations/0013-provisional-invitation-date.js';
import * as m0016 from './migrations/0016-several-processes.js';
import * as m0017 from './migrations/0017-simog.js';
import * as m0018 from './migrations/0018-downtime-certificates.js';
import * as m0019 from './migrations/0019-opendata-export-runs.js';
import * as m0020 from './migrations/0020-default-seal.js';
import * as m0021 from './migrations/0021-notice-maintenance.js';

/** Versioned migrations, applied in name order; each one is plain SQL valid on PostgreSQL and PGlite. */
const migrations: Record<string, Migration> = {
  '0001-registry-and-cig': m0001,
  '0002-contributions-and-payments': m0002,
  '0003-continuity': m0003,
  '0004-reminders': m0004,
  '0005-notices': m0005,
  '0006-web-sessions': m0006,
  '0007-user-identity-lookup': m0007,
  '0008-reminder-mail': m0008,
  '0009-section-letterhead': m0009,
  '0010-pec-receipt-trust': m0010,
  '0012-amount-cap': m0012,
  '0013-provisional-invitation-date': m0013,
  '0016-several-processes': m0016,
  '0017-simog': m0017,
  '0018-downtime-certificates': m0018,
  '0019-opendata-export-runs': m0019,
  '0020-default-seal': m0020,
  '0021-notice-maintenance': m0021,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export interface MigrationOutcome {
  applied: string[];
}

export async function migrateToLatest(db: Database): Promise<MigrationOutcome> {
  // Kysely looks for its bookkeeping tables in any schema unless told which: name the current one, so
  // that several schemas of one database (tests, benchmarks, tenants) never see each other's.
  const { rows } = await sql<{ schema: string }>`SELECT current_schema() AS schema`.execute(db);
  const migrator = new Migrator({ db, provider, migrationTableSchema: rows[0]?.schema ?? 'public' });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

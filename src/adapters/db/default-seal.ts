import { sql } from 'kysely';
import type { Database } from './database.js';

export interface SealPair {
  privateKeyPem: string;
  certificatePem: string;
}

/**
 * The database's self-signed seal (table default_seal, migration 0020): `claim` offers a candidate
 * pair and answers the one the database holds — the candidate when this process is the first, else the
 * pair an earlier (or concurrent) process stored. Every process on the database ends with the same pair.
 */
export function databaseSeal(db: Database) {
  return {
    async claim(candidate: SealPair): Promise<SealPair> {
      await sql`INSERT INTO default_seal (private_key_pem, certificate_pem)
                VALUES (${candidate.privateKeyPem}, ${candidate.certificatePem})
                ON CONFLICT (singleton) DO NOTHING`.execute(db);
      const { rows } = await sql<SealPair>`
        SELECT private_key_pem AS "privateKeyPem", certificate_pem AS "certificatePem" FROM default_seal`.execute(
        db,
      );
      const row = rows[0];
      if (!row) throw new Error('default_seal is empty after its insertion');
      return row;
    },
  };
}

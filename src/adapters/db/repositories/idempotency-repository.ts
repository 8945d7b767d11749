import type { Database } from '../database.js';
import type { IdempotencyRepository } from '../../../services/ports.js';

export function idempotencyRepository(db: Database): IdempotencyRepository {
  return {
    async claim(userId, key, requestSha256, at) {
      // A concurrent claim of the same key waits here until the first transaction ends.
      const row = await db
        .insertInto('idempotency_keys')
        .values({
          user_id: userId,
          key,
          request_sha256: requestSha256,
          status_code: null,
          response: null,
          created_at: at,
        })
        .onConflict((oc) => oc.columns(['user_id', 'key']).doNothing())
        .returning('key')
        .executeTakeFirst();
      return row !== undefined;
    },
    async find(userId, key) {
      const row = await db
        .selectFrom('idempotency_keys')
        .select(['request_sha256', 'status_code', 'response'])
        .where('user_id', '=', userId)
        .where('key', '=', key)
        .executeTakeFirst();
      return (
        row && { requestSha256: row.request_sha256, statusCode: row.status_code, response: row.response }
      );
    },
    async complete(userId, key, statusCode, response) {
      await db
        .updateTable('idempotency_keys')
        .set({ status_code: statusCode, response: JSON.stringify(response) })
        .where('user_id', '=', userId)
        .where('key', '=', key)
        .execute();
    },
    async purgeOlderThan(before) {
      const result = await db
        .deleteFrom('idempotency_keys')
        .where('created_at', '<', before)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

import type { Database } from '../database.js';
import type { AuditRepository } from '../../../services/ports.js';

export function auditRepository(db: Database): AuditRepository {
  return {
    async append(entries) {
      if (entries.length === 0) return;
      await db
        .insertInto('audit_log')
        .values(
          entries.map((e) => ({
            occurred_at: e.occurredAt,
            actor_user_id: e.actorUserId,
            actor: e.actor,
            action: e.action,
            entity_type: e.entityType,
            entity_id: e.entityId,
            before: e.before === null || e.before === undefined ? null : JSON.stringify(e.before),
            after: e.after === null || e.after === undefined ? null : JSON.stringify(e.after),
            request_id: e.requestId,
          })),
        )
        .execute();
    },
    async listForEntity(entityType, entityId) {
      const rows = await db
        .selectFrom('audit_log')
        .selectAll()
        .where('entity_type', '=', entityType)
        .where('entity_id', '=', entityId)
        .orderBy('id')
        .execute();
      return rows.map((r) => ({
        id: r.id,
        occurredAt: r.occurred_at,
        actorUserId: r.actor_user_id,
        actor: r.actor,
        action: r.action,
        entityType: r.entity_type,
        entityId: r.entity_id,
        before: r.before,
        after: r.after,
        requestId: r.request_id,
      }));
    },
  };
}

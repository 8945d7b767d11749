/** An entry of the audit trail: who did what to which entity, with its state before and after. */
export interface AuditEntry {
  occurredAt: Date;
  actorUserId: string | null;
  actor: string;
  action: string;
  entityType: string;
  entityId: string;
  before: unknown;
  after: unknown;
  requestId: string | null;
}

export interface AuditRecord extends AuditEntry {
  id: number;
}

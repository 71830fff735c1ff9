/** The audit log's vocabulary (table `audit_log`, migration 0007). */

/** What can be audited. */
export const AUDIT_ENTITIES = [
  'user',
  'session',
  'settings',
  'downloaders',
  'indexer',
  'quality_profile',
  'library_item',
  'quarantine',
  'migration',
  'job',
  'backup',
] as const;
export type AuditEntity = (typeof AUDIT_ENTITIES)[number];

/** Who: a user id, `cli` (a `mediaos` command) or `system` (the server itself: jobs, imports). */
export type AuditActor = string;

export interface AuditEvent {
  actor: AuditActor;
  entity: AuditEntity;
  entityId?: string;
  /** A verb: create, update, delete, login, logout, password, role, ... */
  action: string;
  /** The state before/after; secrets are replaced by "[redacted]" before anything is stored. */
  before?: unknown;
  after?: unknown;
}

export interface AuditEntry {
  /** Insertion order (the second half of the page key). */
  id: number;
  at: string;
  actor: AuditActor;
  entity: string;
  entityId?: string;
  action: string;
  before?: unknown;
  after?: unknown;
}

export interface AuditQuery {
  entity?: string;
  actor?: string;
  /** ISO times, inclusive `from`, exclusive `to`. */
  from?: string;
  to?: string;
  limit: number;
  /** Newest first: the page continues strictly before this (at, id). */
  before?: { at: string; id: number };
}

/** The narrow dependency a service takes to write audit rows. */
export interface AuditRecorder {
  record(event: AuditEvent): Promise<void>;
}

import { type Actor, describeActor } from '../domain/actor.js';
import { type AuditKind, changedFields } from '../domain/audit.js';
import type { ServiceDeps } from './deps.js';

/** One change, as a use-case describes it to the audit trail. */
export interface AuditEntry {
  readonly kind: AuditKind;
  readonly clientId?: string | null;
  readonly targetId?: string | null;
  /** A short line a person reads in the trail ("Approved Acme's Facebook post for 3 Dec 09:00"). */
  readonly summary: string;
  /** For edits: the fields that changed (domain `changedFields`). */
  readonly before?: Record<string, unknown> | null;
  readonly after?: Record<string, unknown> | null;
  readonly ip?: string | null;
}

/** Someone who is not signed in: a failed sign-in names the e-mail that was tried. */
export interface Anonymous {
  readonly kind: 'anonymous';
  readonly label: string;
}

/**
 * Writes one audit entry. Call it inside the transaction that makes the change, so the trail and the change commit
 * (or roll back) together. Herald's own work (the system actor) is in the post logs and job runs, not here: the
 * trail is what people and their tokens did.
 */
export function recordAudit(
  deps: Pick<ServiceDeps, 'repos' | 'clock'>,
  actor: Actor | Anonymous,
  entry: AuditEntry,
): void {
  if (actor.kind === 'system') return;
  deps.repos.audit.insert({
    at: deps.clock.now(),
    actorKind: actor.kind,
    actorId: actor.kind === 'admin' ? actor.id : actor.kind === 'api' ? actor.tokenId : null,
    actorLabel: actor.kind === 'anonymous' ? actor.label : describeActor(actor),
    clientId: entry.clientId ?? (actor.kind === 'client' ? actor.clientId : null),
    kind: entry.kind,
    targetId: entry.targetId ?? null,
    summary: entry.summary,
    before: entry.before ?? null,
    after: entry.after ?? null,
    ip: entry.ip ?? null,
  });
}

/** Bookkeeping columns an edit's before/after leaves out: they change on every write and say nothing. */
const BOOKKEEPING = new Set(['createdAt', 'updatedAt', 'version', 'lastGeneratedAt']);

/**
 * The before/after of an edit for the trail: the fields that changed, bookkeeping columns left out (`fields` names
 * the ones to compare when a row holds more than a person edits, secrets above all).
 */
export function editOf(
  before: object,
  after: object,
  fields?: readonly string[],
): { before: Record<string, unknown> | null; after: Record<string, unknown> | null } {
  const keep = (row: object) =>
    Object.fromEntries(Object.entries(row).filter(([key]) => (fields ? fields.includes(key) : !BOOKKEEPING.has(key))));
  const diff = changedFields(keep(before), keep(after));
  return { before: diff?.before ?? null, after: diff?.after ?? null };
}

/**
 * The audit trail's vocabulary: every kind of change a person or a token can make, as `<thing>.<verb>`. The list is
 * closed so the page's "kind" filter and the CSV can name every kind, and a new change has to be named here first.
 */
export const AUDIT_KINDS = [
  'post.create',
  'post.update',
  'post.reschedule',
  'post.submit',
  'post.approve',
  'post.reject',
  'post.cancel',
  'post.retry',
  'post.publish_now',
  'post.mark_published',
  'post.delete',
  'group.create',
  'group.update',
  'rule.create',
  'rule.update',
  'rule.delete',
  'client.create',
  'client.update',
  'client.archive',
  'client.invite',
  'client.invite_revoke',
  'account.connect',
  'account.update',
  'account.remove',
  'media.upload',
  'media.update',
  'media.delete',
  'label.create',
  'label.update',
  'label.delete',
  'snippet.create',
  'snippet.update',
  'snippet.delete',
  'feed.create',
  'feed.update',
  'feed.delete',
  'import.commit',
  'settings.update',
  'channel.create',
  'channel.update',
  'channel.delete',
  'webhook.create',
  'webhook.update',
  'webhook.delete',
  'job.run',
  'backup.create',
  'token.create',
  'token.revoke',
  'member.invite',
  'member.invite_revoke',
  'member.join',
  'member.role',
  'member.clients',
  'member.remove',
  'member.password',
  'mfa.totp_enable',
  'mfa.totp_disable',
  'mfa.recovery_regenerate',
  'mfa.passkey_add',
  'mfa.passkey_remove',
  'session.revoke',
  'signin.ok',
  'signin.fail',
  'signout',
] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

export function isAuditKind(value: unknown): value is AuditKind {
  return typeof value === 'string' && (AUDIT_KINDS as readonly string[]).includes(value);
}

/** An edit's before and after, cut down to the fields that changed (undefined when nothing did). */
export function changedFields(
  before: Readonly<Record<string, unknown>>,
  after: Readonly<Record<string, unknown>>,
  fields: readonly string[] = [...new Set([...Object.keys(before), ...Object.keys(after)])],
): { before: Record<string, unknown>; after: Record<string, unknown> } | undefined {
  const was: Record<string, unknown> = {};
  const now: Record<string, unknown> = {};
  for (const field of fields) {
    if (JSON.stringify(before[field] ?? null) === JSON.stringify(after[field] ?? null)) continue;
    was[field] = before[field] ?? null;
    now[field] = after[field] ?? null;
  }
  return Object.keys(now).length ? { before: was, after: now } : undefined;
}

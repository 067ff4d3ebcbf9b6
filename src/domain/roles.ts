import type { ApiScope } from './api-scope.js';

/**
 * Team roles, most to least powerful. `owner`: everything, other owners and the instance settings included;
 * `admin`: everything but owners and instance settings; `editor`: writes and submits content for the clients
 * assigned to them; `viewer`: reads the clients assigned to them.
 */
export const ROLES = ['owner', 'admin', 'editor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/**
 * What a request may want to do. The one table below says which role may do each; services and routes ask `can`,
 * never the role itself, so a new role is a new column here and nowhere else.
 */
export const ACTIONS = [
  /** See a client's posts, rules, accounts, media, results and events (within the member's clients). */
  'content.read',
  /** Create, edit, submit and cancel posts and groups; rules, media, snippets, imports, feeds and queues. */
  'content.write',
  /** Approve or send back a post (an editor: not their own post under admin approval, see `mayApprove`). */
  'post.approve',
  /** Create, edit and archive clients; the client portal's invite links. */
  'client.manage',
  /** Connect, reconnect, pause and remove social accounts. */
  'account.manage',
  /** Agency-wide settings: labels, notification channels, e-mail, webhooks, jobs, backups, the System page. */
  'agency.manage',
  /** API tokens. */
  'token.manage',
  /** Invite, change and remove admins, editors and viewers. */
  'member.manage',
  /** Make, change and remove owners. */
  'owner.manage',
  /** Instance settings: two factors for everyone, the audit trail's retention. */
  'instance.manage',
  /** Read the audit trail. */
  'audit.read',
] as const;
export type Action = (typeof ACTIONS)[number];

const ALLOWED: Readonly<Record<Role, ReadonlySet<Action>>> = {
  owner: new Set(ACTIONS),
  admin: new Set(ACTIONS.filter((a) => a !== 'owner.manage' && a !== 'instance.manage')),
  editor: new Set<Action>(['content.read', 'content.write', 'post.approve']),
  viewer: new Set<Action>(['content.read']),
};

export function can(role: Role, action: Action): boolean {
  return ALLOWED[role].has(action);
}

/** Owners and admins work on every client; editors and viewers on the clients assigned to them. */
export function seesAllClients(role: Role): boolean {
  return role === 'owner' || role === 'admin';
}

/**
 * What one caller may reach: their role, and the clients they work on (`null`: every client). Built once per request
 * from the member (or the token's creator) and carried by the actor.
 */
export interface Access {
  readonly role: Role;
  readonly clientIds: readonly string[] | null;
}

/** Herald itself, an owner, or a token from before teams: everything. */
export const FULL_ACCESS: Access = { role: 'owner', clientIds: null };

export function accessFor(role: Role, assigned: readonly string[]): Access {
  return { role, clientIds: seesAllClients(role) ? null : assigned };
}

export function seesClient(access: Access, clientId: string): boolean {
  return access.clientIds === null || access.clientIds.includes(clientId);
}

/** Who may change whom: owners anyone, admins anyone but owners (and may not make owners); nobody else. */
export function mayManageMember(actor: Role, target: Role): boolean {
  if (target === 'owner') return can(actor, 'owner.manage');
  return can(actor, 'member.manage');
}

/**
 * May this member approve this post? Under the client's `admin` approval mode someone other than the post's writer
 * must approve it when that writer is an editor: the four-eyes rule the mode exists for.
 */
export function mayApprove(
  access: Access,
  memberId: string,
  post: { readonly authorId: string | null },
  approvalMode: string,
): boolean {
  if (!can(access.role, 'post.approve')) return false;
  if (access.role !== 'editor') return true;
  return !(approvalMode === 'admin' && post.authorId === memberId);
}

/** The most an API token can do for a member of this role, whatever scope it was given. */
export function tokenCeiling(role: Role): ApiScope {
  switch (role) {
    case 'owner':
    case 'admin':
      return 'admin';
    case 'editor':
      return 'write';
    case 'viewer':
      return 'read';
  }
}

export const ROLE_LABELS: Readonly<Record<Role, string>> = {
  owner: 'Owner',
  admin: 'Admin',
  editor: 'Editor',
  viewer: 'Viewer',
};

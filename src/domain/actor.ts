import { type Access, FULL_ACCESS } from './roles.js';

/**
 * Who asked for a change: recorded in post logs and the audit trail so the history says who approved what. A team
 * member (`admin`, whatever their role) and a token carry their access: the role and the clients it reaches.
 */
export type Actor =
  | { readonly kind: 'admin'; readonly id: string; readonly email: string; readonly access: Access }
  | { readonly kind: 'client'; readonly clientId: string }
  | {
      readonly kind: 'api';
      readonly tokenId: string;
      readonly name: string;
      readonly access: Access;
      /** The member who made the token (null: a token from before teams). */
      readonly memberId: string | null;
    }
  | { readonly kind: 'system'; readonly job?: string };

export function describeActor(actor: Actor): string {
  switch (actor.kind) {
    case 'admin':
      return actor.email;
    case 'client':
      return 'the client (portal)';
    case 'api':
      return `API token "${actor.name}"`;
    case 'system':
      return actor.job ? `Herald (${actor.job})` : 'Herald';
  }
}

export const SYSTEM: Actor = { kind: 'system' };

/**
 * What an actor may reach. A portal session reaches its one client as a viewer who may also approve (the portal's own
 * routes decide what it can do); Herald itself reaches everything.
 */
export function accessOf(actor: Actor): Access {
  switch (actor.kind) {
    case 'admin':
    case 'api':
      return actor.access;
    case 'client':
      return { role: 'viewer', clientIds: [actor.clientId] };
    case 'system':
      return FULL_ACCESS;
  }
}

/** The team member behind an actor (a member, or the member who made the token), for "their own post". */
export function memberIdOf(actor: Actor): string | null {
  if (actor.kind === 'admin') return actor.id;
  return actor.kind === 'api' ? actor.memberId : null;
}

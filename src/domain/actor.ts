/** Who asked for a change: recorded in post logs so the history says who approved what. */
export type Actor =
  | { readonly kind: 'admin'; readonly id: string; readonly email: string }
  | { readonly kind: 'client'; readonly clientId: string }
  | { readonly kind: 'api'; readonly tokenId: string; readonly name: string }
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

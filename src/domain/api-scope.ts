/**
 * What an API token may do. Each scope includes the ones before it: `read` only reads, `write`
 * also changes clients, accounts, rules, posts and media, `admin` also runs jobs and manages
 * tokens.
 */
export const API_SCOPES = ['read', 'write', 'admin'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

/** A new token's scope when none is asked for: enough for content work, not for operations. */
export const DEFAULT_API_SCOPE: ApiScope = 'write';

/** The longest expiry offered, so a typo cannot make "365000 days" look like a real limit. */
export const MAX_TOKEN_DAYS = 3650;

export function scopeAllows(have: ApiScope, need: ApiScope): boolean {
  return API_SCOPES.indexOf(have) >= API_SCOPES.indexOf(need);
}

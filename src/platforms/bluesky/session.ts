// Sessions made with an app password: createSession, refreshSession, getSession
// (docs/platforms/bluesky.md#sessions). The JWTs carry their own expiry; nothing here logs them.

export interface SessionTokens {
  readonly accessJwt: string;
  readonly refreshJwt: string;
  readonly did: string;
  readonly handle: string;
  readonly active?: boolean;
  readonly status?: string;
}

export interface JwtClaims {
  /** Expiry in ms since the epoch, when the token says. */
  readonly expiresAt: number | null;
  readonly scope: string | null;
  readonly sub: string | null;
}

/**
 * Reads a JWT's claims without verifying it (only the PDS can, and does): Herald needs the expiry,
 * which the session answers do not carry, and the scope, which tells an app password from the main one.
 */
export function jwtClaims(token: string): JwtClaims {
  const part = token.split('.')[1];
  try {
    const claims = JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    return {
      expiresAt: typeof claims.exp === 'number' ? claims.exp * 1000 : null,
      scope: typeof claims.scope === 'string' ? claims.scope : null,
      sub: typeof claims.sub === 'string' ? claims.sub : null,
    };
  } catch {
    return { expiresAt: null, scope: null, sub: null };
  }
}

/**
 * A session made with the account's main password carries `com.atproto.access`; app passwords give
 * `com.atproto.appPass` (or `com.atproto.appPassPrivileged`) (docs/platforms/bluesky.md#app-passwords).
 */
export function madeWithMainPassword(accessJwt: string): boolean {
  return jwtClaims(accessJwt).scope === 'com.atproto.access';
}

export function parseSession(data: Record<string, unknown>): SessionTokens | null {
  const { accessJwt, refreshJwt, did, handle } = data;
  if (typeof accessJwt !== 'string' || typeof refreshJwt !== 'string' || typeof did !== 'string') return null;
  return {
    accessJwt,
    refreshJwt,
    did,
    handle: typeof handle === 'string' ? handle : '',
    ...(typeof data.active === 'boolean' ? { active: data.active } : {}),
    ...(typeof data.status === 'string' ? { status: data.status } : {}),
  };
}

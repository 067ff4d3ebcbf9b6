import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { CHALLENGE_TTL_MS } from '../services/passkeys-service.js';
import type { AppDeps } from './context.js';

/**
 * The WebAuthn challenge of a ceremony under way, signed by the passkeys service, kept by the browser for five
 * minutes. Strict: only Herald's own pages ask for it back, with fetch() from the same origin.
 */
function challengeCookie(deps: AppDeps): string {
  return deps.config.secureCookies ? '__Host-herald_webauthn' : 'herald_webauthn';
}

export function setChallenge(c: Context, deps: AppDeps, sealed: string): void {
  setCookie(c, challengeCookie(deps), sealed, {
    httpOnly: true,
    sameSite: 'Strict',
    secure: deps.config.secureCookies,
    path: '/',
    maxAge: CHALLENGE_TTL_MS / 1000,
  });
}

/** The challenge, spent: whatever the answer, a ceremony's challenge is used once. */
export function takeChallenge(c: Context, deps: AppDeps): string | undefined {
  const value = getCookie(c, challengeCookie(deps));
  deleteCookie(c, challengeCookie(deps), { path: '/', secure: deps.config.secureCookies });
  return value;
}

/** A JSON body's fields, or nothing for a body that is not a JSON object. */
export async function jsonBody(c: Context): Promise<Record<string, unknown>> {
  try {
    const body: unknown = await c.req.json();
    return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

import type { Context } from 'hono';
import { setCookie } from 'hono/cookie';
import { SSO_TTL_MS } from '../services/sso-service.js';
import type { AppDeps } from './context.js';

/**
 * The single sign-on flow's sealed state rides in its own cookie, scoped to the callback path and ten minutes; Lax so
 * the provider's redirect back still carries it. Set where a flow starts: the sign-in page and a join link.
 */
export const SSO_COOKIE_PATH = '/auth/oidc';

export function ssoCookieName(deps: AppDeps): string {
  return deps.config.secureCookies ? '__Secure-herald_sso' : 'herald_sso';
}

export function setSsoCookie(c: Context, deps: AppDeps, transaction: string): void {
  setCookie(c, ssoCookieName(deps), transaction, {
    httpOnly: true,
    sameSite: 'Lax',
    secure: deps.config.secureCookies,
    path: SSO_COOKIE_PATH,
    maxAge: SSO_TTL_MS / 1000,
  });
}

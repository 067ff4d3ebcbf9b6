import type { Context, MiddlewareHandler } from 'hono';
import { scopeAllows } from '../../domain/api-scope.js';
import { NotFoundError, UnsupportedMediaError, ValidationError } from '../../domain/errors.js';
import { seesClient } from '../../domain/roles.js';
import { MAX_PAGE_SIZE } from '../../db/repos/pagination.js';
import type { AppDeps, AppEnv } from '../context.js';
import { baseRoutePath } from 'hono/route';
import { authorize } from '../../services/access.js';
import { apiError, apiErrorFrom } from '../errors.js';
import { API_ACCESS, answeringRoute, clientsOfRoute } from '../route-access.js';
import { requiredScope } from './scopes.js';

/**
 * Bearer-token auth for /api/v1, and the one place token scopes are enforced. Cookies are
 * ignored here on purpose: no CSRF surface.
 */
export function requireApiToken(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const token = match ? deps.services.apiTokens.verify(match[1]!) : null;
    if (!token) {
      c.header('WWW-Authenticate', 'Bearer realm="herald"');
      const message = match
        ? 'The API token is not valid, has expired or was revoked.'
        : 'Send an API token: Authorization: Bearer <token>.';
      return apiError(c, 401, 'unauthorized', message);
    }
    const { scope, access } = deps.services.apiTokens.effective(token);
    const actor = { kind: 'api', tokenId: token.id, name: token.name, access, memberId: token.createdBy } as const;
    // The creator's clients first: outside them a thing is "not found" whatever the token's scope, so no answer
    // tells that it exists. Then the scope, then the creator's role (src/http/route-access.ts, as for the pages).
    const base = baseRoutePath(c);
    const route = answeringRoute(c, base);
    // Owners' and admins' tokens reach every client: no lookups to make.
    const named = route && access.clientIds !== null ? clientsOfRoute(deps.repos, route.pattern, c.req.url, base) : [];
    for (const { clientId, what } of named) {
      if (!seesClient(access, clientId)) return apiErrorFrom(c, new NotFoundError(what));
    }
    const need = requiredScope(c);
    if (need && !scopeAllows(scope, need)) {
      // The error and the scope needed go in the challenge as well as the body, as
      // https://www.rfc-editor.org/rfc/rfc6750#section-3.1 describes.
      c.header('WWW-Authenticate', `Bearer realm="herald", error="insufficient_scope", scope="${need}"`);
      const held = scope === token.scope ? '' : ` (held there by its creator's role; it was given ${token.scope})`;
      const message = `This token's scope is ${scope}${held}; this request needs ${need}.`;
      return apiError(c, 403, 'insufficient_scope', message, { scope, required: need });
    }
    if (route) {
      try {
        authorize(actor, API_ACCESS[route.key] ?? 'agency.manage');
      } catch (err) {
        return apiErrorFrom(c, err);
      }
    }
    c.set('actor', actor);
    await next();
  };
}

/** The JSON body, or a clear 415/400 instead of a crash. */
export async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  // An empty body is an empty object: `POST /posts/:id/approve` needs nothing more.
  if (!text.trim()) return {};
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/(.+\+)?json\b/i.test(type))
    throw new UnsupportedMediaError('Send JSON with Content-Type: application/json.');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ValidationError({ body: ['is not valid JSON'] }, 'The request body is not valid JSON.');
  }
}

/** `?limit=` (default 50, at most 200). */
export function limitOf(c: Context, fallback = 50): number {
  const raw = c.req.query('limit');
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE)
    throw ValidationError.field('limit', `must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
  return n;
}

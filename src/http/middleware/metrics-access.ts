import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import ipaddr from 'ipaddr.js';
import { safeEqual, sha256 } from '../../lib/crypto.js';

/** Headers a reverse proxy adds when it relays a request; their presence means "not local". */
const RELAYED = ['x-forwarded-for', 'forwarded', 'x-real-ip'];

/** The address of the TCP peer, never a header: null when there is no socket (in-process). */
function socketAddress(c: Context): string | null {
  try {
    return getConnInfo(c).remote.address ?? null;
  } catch {
    return null;
  }
}

export function isLoopback(address: string | null): boolean {
  if (!address || !ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'loopback';
}

/**
 * Who may read /metrics. With METRICS_TOKEN: anyone presenting it as a bearer token. Without:
 * only a client on this machine, judged by the socket, and only when nothing relayed the request
 * (a reverse proxy on this machine connects from 127.0.0.1 on behalf of anyone on the internet).
 */
export function metricsAccess(token: string | null): MiddlewareHandler {
  const expected = token ? sha256(token) : null;
  return async (c, next) => {
    if (expected) {
      const given = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '')?.[1];
      // Compared as digests: equal lengths, so the comparison's time says nothing about the token.
      if (given && safeEqual(sha256(given), expected)) return next();
      c.header('WWW-Authenticate', 'Bearer realm="metrics"');
      return c.text('/metrics needs Authorization: Bearer <METRICS_TOKEN>.', 401);
    }
    const relayed = RELAYED.some((name) => c.req.header(name) !== undefined);
    if (!relayed && isLoopback(socketAddress(c))) return next();
    return c.text('/metrics answers only on this machine. Set METRICS_TOKEN to scrape it from elsewhere.', 403);
  };
}

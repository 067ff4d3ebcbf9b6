import type { MiddlewareHandler } from 'hono';
import { requestId } from 'hono/request-id';
import { randomSecret } from '../../lib/ids.js';
import { resolveClientAddress } from '../client-address.js';
import type { AppDeps, AppEnv } from '../context.js';

/**
 * Hono's request-id: an incoming X-Request-Id (from a proxy) is kept when it is short and plain
 * (letters, digits, `_`, `-`, `=`), otherwise replaced; either way it is echoed on the answer.
 */
export const requestIds = (): MiddlewareHandler<AppEnv> =>
  requestId({ limitLength: 64, generator: () => randomSecret(9) });

/**
 * Puts the request id on every log line the request causes and writes one access-log line.
 * Query strings are left out of the log: invite links and OAuth callbacks carry secrets in
 * their URLs. The client address is resolved here, once, as TRUST_PROXY says.
 */
export function requestContext(deps: AppDeps): MiddlewareHandler<AppEnv> {
  const platformLabels = deps.networks.labels();
  return async (c, next) => {
    const log = deps.log.child({ reqId: c.var.requestId });
    c.set('log', log);
    c.set('session', null);
    c.set('secureCookies', deps.config.secureCookies);
    c.set('platformLabels', platformLabels);
    const ip = resolveClientAddress(c, deps.config.trustProxy);
    c.set('clientAddress', ip);
    const started = performance.now();
    await next();
    const ms = performance.now() - started;
    const status = c.res.status;
    deps.metrics.httpRequests.inc({ method: c.req.method, status: `${Math.floor(status / 100)}xx` });
    deps.metrics.httpDuration.observe(ms / 1000);
    const path = c.req.path.startsWith('/invite/') ? '/invite/[secret]' : c.req.path;
    const level = status >= 500 ? 'error' : 'debug';
    log[level]({ method: c.req.method, path, status, ip, ms: Math.round(ms * 10) / 10 }, 'request');
  };
}

import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import type { AppEnv } from '../context.js';

// No inline script or style anywhere: htmx is configured (views/layouts) not to inject its
// indicator styles, and page behaviour lives in /static/app.js.
const CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  // https: for the link cards of the previews, which show the linked page's og:image from its own
  // site (never over plain http, and without a referrer: views/previews/parts.tsx).
  imgSrc: ["'self'", 'data:', 'blob:', 'https:'],
  mediaSrc: ["'self'", 'blob:'],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'self'"],
  objectSrc: ["'none'"],
};

/**
 * Hono's secure-headers with Herald's policy: the CSP above, no framing, same-origin referrers
 * and opener, HSTS when served over https. The extra headers it would add by default are left
 * off: some are obsolete (X-XSS-Protection, X-Download-Options), and Cross-Origin-Resource-
 * Policy would stop other sites (and the vendors' previews) from showing /media/ files.
 */
export function securityHeaders(secure: boolean): MiddlewareHandler<AppEnv> {
  const headers = secureHeaders({
    contentSecurityPolicy: CSP,
    referrerPolicy: 'same-origin',
    xFrameOptions: 'DENY',
    crossOriginOpenerPolicy: 'same-origin',
    xContentTypeOptions: true,
    strictTransportSecurity: secure ? 'max-age=31536000' : false,
    crossOriginEmbedderPolicy: false,
    crossOriginResourcePolicy: false,
    originAgentCluster: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
  });
  return (c, next) =>
    headers(c, async () => {
      await next();
      // Pages carry session-specific content (CSRF tokens, names): never cached.
      if ((c.res.headers.get('content-type') ?? '').startsWith('text/html')) c.header('Cache-Control', 'no-store');
    });
}

import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context.js';

// No inline script or style anywhere: htmx is configured (views/layouts) not to inject its
// indicator styles, and page behaviour lives in /static/app.js.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "object-src 'none'",
].join('; ');

export function securityHeaders(secure: boolean): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'same-origin');
    c.header('X-Frame-Options', 'DENY');
    c.header('Cross-Origin-Opener-Policy', 'same-origin');
    if (secure) c.header('Strict-Transport-Security', 'max-age=31536000');
    const type = c.res.headers.get('content-type') ?? '';
    if (type.startsWith('text/html')) {
      c.header('Content-Security-Policy', CSP);
      c.header('Cache-Control', 'no-store');
    }
  };
}

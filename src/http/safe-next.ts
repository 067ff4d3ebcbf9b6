/**
 * Where a browser may be sent after signing in (or any other redirect whose target came from a
 * request): a path on Herald's own origin, or "/" when the value is anything else.
 *
 * The value is resolved the way a browser resolves a Location header (WHATWG URL: tabs and
 * newlines dropped, "\" read as "/", "." / ".." / "%2e" segments applied) and the result is
 * kept only if it is an absolute path that stays here when resolved again. Without that second
 * look, "/.//evil.example" resolves to the path "//evil.example", which a browser then reads
 * as another host.
 */
const BASE = 'http://herald.invalid';

export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/')) return '/';
  let target: string;
  try {
    const url = new URL(next, BASE);
    if (url.origin !== BASE) return '/';
    target = `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return '/';
  }
  // A path that starts with two slashes (or a slash and a backslash) names a host.
  if (!target.startsWith('/') || target.startsWith('//') || target.startsWith('/\\')) return '/';
  try {
    const again = new URL(target, BASE);
    if (again.origin !== BASE || `${again.pathname}${again.search}${again.hash}` !== target) return '/';
  } catch {
    return '/';
  }
  return target;
}

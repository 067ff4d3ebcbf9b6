import type { Hono } from 'hono';
import { TEST_ORIGIN } from './herald.js';

/**
 * A minimal browser for route tests through app.request(): keeps cookies, sends our Origin on
 * form posts (as browsers do), and can pull the CSRF token out of the last page.
 */
export class PageClient {
  readonly cookies = new Map<string, string>();
  csrf: string | null = null;

  constructor(
    private readonly app: Hono<any>,
    private readonly origin = TEST_ORIGIN,
  ) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private remember(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, ...rest] = pair!.split('=');
      const value = rest.join('=');
      if (/max-age=0/i.test(line) || /expires=Thu, 01 Jan 1970/i.test(line) || value === '')
        this.cookies.delete(name!.trim());
      else this.cookies.set(name!.trim(), value);
    }
  }

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', this.cookieHeader());
    const res = await this.app.request(path.startsWith('http') ? path : `${this.origin}${path}`, {
      ...init,
      headers,
      redirect: 'manual',
    });
    this.remember(res);
    return res;
  }

  /** A request to another server (an identity provider, say) with this browser's cookies. */
  async external(url: string): Promise<Response> {
    const headers = new Headers();
    if (this.cookies.size) headers.set('cookie', this.cookieHeader());
    const res = await fetch(url, { headers, redirect: 'manual' });
    this.remember(res);
    return res;
  }

  /**
   * Follows redirects the way a browser would, through this app and any other server, until a
   * page answers (or the next URL satisfies `stopBefore`); returns that answer and its URL.
   */
  async follow(
    url: string,
    options: { stopBefore?: (url: string) => boolean; max?: number } = {},
  ): Promise<{ res: Response; url: string }> {
    const max = options.max ?? 15;
    let current = url;
    for (let i = 0; i < max; i++) {
      const own = !current.startsWith('http') || current.startsWith(this.origin);
      const res = own ? await this.request(current) : await this.external(current);
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || !location) return { res, url: current };
      const next = new URL(location, own ? `${this.origin}/` : current).href;
      if (options.stopBefore?.(next)) return { res, url: next };
      current = next;
    }
    throw new Error(`more than ${max} redirects from ${url}`);
  }

  async get(path: string): Promise<{ res: Response; html: string }> {
    const res = await this.request(path);
    const html = await res.text();
    const token = /"X-CSRF-Token":"([^"]+)"/.exec(html.replace(/&quot;/g, '"'));
    if (token) this.csrf = token[1]!;
    return { res, html };
  }

  /** A form post as a browser sends it; the CSRF token is added unless `csrf: false`. */
  async post(
    path: string,
    fields: Record<string, string | string[]>,
    options: { csrf?: boolean; origin?: string | null; htmx?: boolean } = {},
  ): Promise<Response> {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
    if (options.csrf !== false && this.csrf && !('_csrf' in fields)) body.set('_csrf', this.csrf);
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    const origin = options.origin === undefined ? this.origin : options.origin;
    if (origin) headers.origin = origin;
    if (options.htmx) headers['hx-request'] = 'true';
    return this.request(path, { method: 'POST', headers, body });
  }
}

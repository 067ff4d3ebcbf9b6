import type { Child } from 'hono/jsx';
import { asset } from '../asset-url.js';

// htmx settings (htmx.org 2.x `htmx-config` meta). No inline styles (CSP), no eval, only
// same-origin requests, and 422 answers swapped like 200 so forms show their errors in place.
const HTMX_CONFIG = JSON.stringify({
  includeIndicatorStyles: false,
  allowEval: false,
  allowScriptTags: false,
  selfRequestsOnly: true,
  historyCacheSize: 0,
  // Settling copies these from an old element to its namesake in the new content; a `style` copied
  // that way is an inline style the CSP refuses (a textarea the browser gave style="" after typing).
  attributesToSettle: ['class', 'width', 'height'],
  refreshOnHistoryMiss: true,
  responseHandling: [
    { code: '204', swap: false },
    { code: '[23]..', swap: true },
    { code: '422', swap: true },
    { code: '[45]..', swap: false, error: true },
  ],
});

export interface BaseProps {
  title: string;
  /** The session's CSRF token: htmx sends it on every request via hx-headers. */
  csrf?: string | undefined;
  bodyClass?: string;
  /** Boost links and forms into htmx requests (whole-body swaps that keep history working). */
  boost?: boolean;
  /** The language of the page's own words (BCP 47), `en` unless the page is written in another. */
  lang?: string;
  children: Child;
}

export function Base({ title, csrf, bodyClass, boost, lang = 'en', children }: BaseProps) {
  return (
    <html lang={lang} data-theme="light">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="htmx-config" content={HTMX_CONFIG} />
        <title>{`${title} · Herald`}</title>
        <link rel="stylesheet" href={asset('vendor/pico.min.css')} />
        <link rel="stylesheet" href={asset('app.css')} />
        <link rel="stylesheet" href={asset('previews.css')} />
        <link rel="icon" href={asset('favicon.svg')} type="image/svg+xml" />
        <script src={asset('vendor/htmx.min.js')} defer></script>
        <script src={asset('app.js')} defer></script>
        <script src={asset('composer.js')} defer></script>
        <script src={asset('calendar.js')} defer></script>
        <script src={asset('vendor/simplewebauthn-browser.min.js')} defer></script>
        <script src={asset('passkeys.js')} defer></script>
      </head>
      <body
        class={bodyClass}
        hx-boost={boost ? 'true' : undefined}
        hx-headers={csrf ? JSON.stringify({ 'X-CSRF-Token': csrf }) : undefined}
      >
        {/* The first thing a keyboard reaches: past the navigation to the page's own content (WCAG 2.4.1). */}
        <a href="#main" class="skip-link">
          Skip to content
        </a>
        {children}
        <footer class="site-footer container">
          <small>Herald</small>
        </footer>
        {/* Where app.js says what an htmx swap did, for screen readers (WCAG 4.1.3 status messages). */}
        <div id="announcer" class="visually-hidden" role="status" aria-live="polite" aria-atomic="true"></div>
      </body>
    </html>
  );
}

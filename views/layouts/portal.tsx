import type { Child } from 'hono/jsx';
import { Flash } from '../components/bits.js';
import { Csrf } from '../components/forms.js';
import { Base } from './base.js';

export interface PortalContext {
  agencyName: string;
  clientName: string;
  csrf: string;
  flash: { kind: 'ok' | 'error'; text: string } | null;
  /** Show the Posts tab (the client approves posts). */
  approvals: boolean;
}

/** The client's own pages: their agency's name, their accounts, their posts. Nothing else. */
export function PortalLayout({ title, portal, active, children }: { title: string; portal: PortalContext; active: 'accounts' | 'posts'; children: Child }) {
  return (
    <Base title={`${title} · ${portal.agencyName}`} csrf={portal.csrf} bodyClass="admin portal" boost>
      <header class="topbar">
        <span class="brand">{portal.agencyName}</span>
        <nav class="mainnav" aria-label="Portal">
          <ul>
            <li>
              <a href="/portal" aria-current={active === 'accounts' ? 'page' : undefined}>
                Accounts
              </a>
            </li>
            {portal.approvals ? (
              <li>
                <a href="/portal/posts" aria-current={active === 'posts' ? 'page' : undefined}>
                  Posts
                </a>
              </li>
            ) : null}
          </ul>
        </nav>
        <div class="who">
          <span class="muted">{portal.clientName}</span>
          <form method="post" action="/portal/logout" class="inline">
            <Csrf token={portal.csrf} />
            <button type="submit" class="secondary outline small">
              Sign out
            </button>
          </form>
        </div>
      </header>
      <main class="container" id="main">
        <div class="page-head">
          <h1>{title}</h1>
        </div>
        <Flash flash={portal.flash} />
        {children}
      </main>
    </Base>
  );
}

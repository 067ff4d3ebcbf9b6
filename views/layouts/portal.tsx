import type { Child } from 'hono/jsx';
import { Base } from './base.js';
import { PageMain, SignedIn } from './frame.js';

export interface PortalContext {
  /** Null until the agency sets its name: the portal then names the client only. */
  agencyName: string | null;
  clientName: string;
  csrf: string;
  flash: { kind: 'ok' | 'error'; text: string } | null;
  /** Show the Posts tab (the client approves posts). */
  approvals: boolean;
  /** The client's language (`clients.language`): their captions are marked with it. */
  language: string;
}

/** The client's own pages: their agency's name, their accounts, their posts. Nothing else. */
export function PortalLayout({
  title,
  portal,
  active,
  children,
}: {
  title: string;
  portal: PortalContext;
  active: 'accounts' | 'posts' | 'results';
  children: Child;
}) {
  return (
    <Base
      title={`${title} · ${portal.agencyName ?? portal.clientName}`}
      csrf={portal.csrf}
      bodyClass="admin portal"
      boost
    >
      <header class="topbar">
        <span class="brand">{portal.agencyName ?? portal.clientName}</span>
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
            <li>
              <a href="/portal/results" aria-current={active === 'results' ? 'page' : undefined}>
                Results
              </a>
            </li>
          </ul>
        </nav>
        <SignedIn name={portal.clientName} logoutAction="/portal/logout" csrf={portal.csrf} />
      </header>
      <PageMain title={title} flash={portal.flash}>
        {children}
      </PageMain>
    </Base>
  );
}

import type { Child } from 'hono/jsx';
import { type Access, type Action, can } from '../../src/domain/roles.js';
import { Base } from './base.js';
import { PageMain, SignedIn } from './frame.js';

export type NavKey =
  | 'dashboard'
  | 'clients'
  | 'pipeline'
  | 'calendar'
  | 'results'
  | 'logs'
  | 'events'
  | 'system'
  | 'team'
  | 'settings'
  | 'audit';

/** Each link with what the page needs (src/http/route-access.ts): a role that may not open it does not see it. */
const NAV: ReadonlyArray<readonly [NavKey, string, string, Action]> = [
  ['dashboard', 'Dashboard', '/', 'content.read'],
  ['clients', 'Clients', '/clients', 'content.read'],
  ['pipeline', 'Pipeline', '/pipeline', 'content.read'],
  ['calendar', 'Calendar', '/calendar', 'content.read'],
  ['results', 'Results', '/results', 'content.read'],
  ['logs', 'Logs', '/logs', 'content.read'],
  ['events', 'Events', '/events', 'content.read'],
  ['system', 'System', '/system', 'agency.manage'],
  ['team', 'Team', '/team', 'member.manage'],
  ['settings', 'Settings', '/settings', 'content.read'],
  ['audit', 'Audit', '/audit', 'audit.read'],
];

/** What every admin page gets from its route: who is signed in and the one-shot message. */
export interface PageContext {
  adminEmail: string;
  csrf: string;
  flash: { kind: 'ok' | 'error'; text: string } | null;
  /** The member's role and clients: pages show only what the role may do (the routes refuse the rest). */
  access?: Access;
  /** The signed-in member's id ("their own post" under admin approval). */
  memberId?: string;
}

/** May the signed-in member do this? Pages ask it to hide buttons and links their role cannot use. */
export function pageMay(page: PageContext, action: Action): boolean {
  return !page.access || can(page.access.role, action);
}

export function AdminLayout({
  title,
  page,
  active,
  children,
  actions,
}: {
  title: string;
  page: PageContext;
  active: NavKey;
  children: Child;
  actions?: Child;
}) {
  return (
    <Base title={title} csrf={page.csrf} bodyClass="admin" boost>
      <header class="topbar">
        <a href="/" class="brand">
          Herald
        </a>
        <nav class="mainnav" aria-label="Main">
          <ul>
            {NAV.filter(([, , , need]) => pageMay(page, need)).map(([key, label, href]) => (
              <li>
                <a href={href} aria-current={key === active ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <SignedIn name={page.adminEmail} logoutAction="/logout" csrf={page.csrf} />
      </header>
      <PageMain title={title} actions={actions} flash={page.flash}>
        {children}
      </PageMain>
    </Base>
  );
}

/** Pages outside the admin area (sign-in, setup): a centred card. */
export function BareLayout({ title, children, csrf }: { title: string; children: Child; csrf?: string }) {
  return (
    <Base title={title} csrf={csrf} bodyClass="bare">
      <main class="container narrow" id="main" tabindex={-1}>
        <p class="brand-big">Herald</p>
        <article>
          <h1>{title}</h1>
          {children}
        </article>
      </main>
    </Base>
  );
}

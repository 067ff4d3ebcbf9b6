import type { Child } from 'hono/jsx';
import { type Access, can } from '../../src/domain/roles.js';
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

const NAV: ReadonlyArray<readonly [NavKey, string, string]> = [
  ['dashboard', 'Dashboard', '/'],
  ['clients', 'Clients', '/clients'],
  ['pipeline', 'Pipeline', '/pipeline'],
  ['calendar', 'Calendar', '/calendar'],
  ['results', 'Results', '/results'],
  ['logs', 'Logs', '/logs'],
  ['events', 'Events', '/events'],
  ['system', 'System', '/system'],
  ['team', 'Team', '/team'],
  ['settings', 'Settings', '/settings'],
  ['audit', 'Audit', '/audit'],
];

/** Links only some roles may follow (the routes refuse the rest; the nav does not offer them). */
const NAV_NEEDS: Partial<Record<NavKey, 'audit.read'>> = { audit: 'audit.read' };

/** What every admin page gets from its route: who is signed in and the one-shot message. */
export interface PageContext {
  adminEmail: string;
  csrf: string;
  flash: { kind: 'ok' | 'error'; text: string } | null;
  /** The member's role and clients: pages show only what the role may do. */
  access?: Access;
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
            {NAV.filter(([key]) => {
              const need = NAV_NEEDS[key];
              return !need || (page.access !== undefined && can(page.access.role, need));
            }).map(([key, label, href]) => (
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
      <main class="container narrow">
        <p class="brand-big">Herald</p>
        <article>
          <h1>{title}</h1>
          {children}
        </article>
      </main>
    </Base>
  );
}

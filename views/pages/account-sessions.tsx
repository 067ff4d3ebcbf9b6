import type { SessionItem } from '../../src/services/sessions-service.js';
import { Csrf } from '../components/forms.js';
import { formatInZone, relative } from '../format.js';
import { AdminLayout, type PageContext } from '../layouts/admin.js';

/** The member's browser sessions, each with its own "Sign out". */
export function AccountSessionsPage({
  page,
  sessions,
  now,
  timezone,
}: {
  page: PageContext;
  sessions: SessionItem[];
  now: number;
  timezone: string;
}) {
  const others = sessions.filter((s) => !s.current).length;
  return (
    <AdminLayout title="Your sessions" page={page} active="settings">
      <p class="muted">
        Every browser where you are signed in. Sign out one you do not recognise, and change your password if you do not
        know how it got in.
      </p>
      <table>
        <thead>
          <tr>
            <th>Device</th>
            <th>Address</th>
            <th>Signed in with</th>
            <th>Signed in</th>
            <th>Last seen</th>
            <th>
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {sessions.map((s) => (
            <tr data-session={s.current ? 'current' : 'other'}>
              <td>
                {s.device}
                {s.current ? <strong> (this browser)</strong> : null}
                {s.pending ? <span class="muted"> (second step not done)</span> : null}
              </td>
              <td>{s.ip ?? '—'}</td>
              <td>{s.method}</td>
              <td>{formatInZone(s.createdAt, timezone, 'full')}</td>
              <td>{relative(s.lastSeenAt, now)}</td>
              <td>
                {s.current ? null : (
                  <form method="post" action={`/account/sessions/${s.id}/revoke`} class="inline">
                    <Csrf token={page.csrf} />
                    <button type="submit" class="secondary outline small">
                      Sign out
                    </button>
                  </form>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {others > 0 ? (
        <form method="post" action="/account/sessions/revoke-others">
          <Csrf token={page.csrf} />
          <button type="submit" class="secondary">
            Sign out everywhere else
          </button>
        </form>
      ) : null}
      <p>
        <a href="/account/security">Passkeys and two-factor sign-in →</a>
      </p>
    </AdminLayout>
  );
}

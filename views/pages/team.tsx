import type { MemberInviteRow } from '../../src/db/repos/index.js';
import { ROLE_LABELS, type Role, seesAllClients } from '../../src/domain/roles.js';
import type { Member } from '../../src/services/members-service.js';
import { Csrf, FieldErrors, FormErrors, Input, Select, type Errors } from '../components/forms.js';
import { formatInZone } from '../format.js';
import { AdminLayout, type PageContext } from '../layouts/admin.js';

type ClientOption = { id: string; name: string };

const ROLE_HELP: Record<Role, string> = {
  owner: 'Owner: everything, other owners and the instance settings included',
  admin: 'Admin: everything but owners and the instance settings',
  editor: 'Editor: writes and submits posts for the clients ticked below',
  viewer: 'Viewer: reads the clients ticked below',
};

function roleOptions(roles: readonly Role[]) {
  return roles.map((r) => [r, ROLE_HELP[r]] as const);
}

function clientsText(ids: readonly string[] | null, names: ReadonlyMap<string, string>): string {
  if (ids === null) return 'All clients';
  if (ids.length === 0) return 'No clients yet';
  return ids
    .map((id) => names.get(id) ?? id)
    .sort((a, b) => a.localeCompare(b))
    .join(', ');
}

function twoFactorText(member: Member): string {
  const parts = [
    ...(member.twoFactor.passkeys
      ? [`${member.twoFactor.passkeys} passkey${member.twoFactor.passkeys > 1 ? 's' : ''}`]
      : []),
    ...(member.twoFactor.totp ? ['authenticator app'] : []),
    ...(member.singleSignOn ? ['single sign-on'] : []),
  ];
  return parts.length ? parts.join(' · ') : 'password only';
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/** Ticks for the clients an editor or viewer works on. */
function ClientChoices({
  clients,
  selected,
  errors,
}: {
  clients: readonly ClientOption[];
  selected: readonly string[];
  errors: Errors;
}) {
  return (
    <fieldset>
      <legend>Clients (for editors and viewers; owners and admins work on every client)</legend>
      {clients.length === 0 ? <p class="muted">No clients yet.</p> : null}
      <div class="grid-3">
        {clients.map((client) => (
          <label>
            <input type="checkbox" name="clientIds" value={client.id} checked={selected.includes(client.id)} />{' '}
            {client.name}
          </label>
        ))}
      </div>
      <FieldErrors errors={errors} name="clientIds" />
    </fieldset>
  );
}

export interface TeamData {
  members: readonly Member[];
  invites: readonly MemberInviteRow[];
  clients: readonly ClientOption[];
  /** The member looking: they cannot change their own role or remove themselves. */
  selfId: string;
  /** The roles this member may give (owners only by owners). */
  grantable: readonly Role[];
  /** An invitation made just now: its link, shown this once, and whether it was also mailed. */
  created: { email: string; url: string; emailed: boolean } | null;
  values?: { email?: string; role?: string; clientIds?: string[] };
  errors?: Errors;
  message?: string;
}

export function TeamPage({ page, data }: { page: PageContext; data: TeamData }) {
  const names = new Map(data.clients.map((c) => [c.id, c.name]));
  return (
    <AdminLayout title="Team" page={page} active="team">
      <FormErrors errors={data.errors} message={data.message} shown={['email', 'role', 'clientIds']} />
      {data.created ? (
        <section class="notice notice-ok" id="invite-created">
          <p>
            {data.created.emailed
              ? `The invitation is on its way to ${data.created.email}. You can also send them this link yourself:`
              : `Send this link to ${data.created.email} (email is not set up, so Herald cannot mail it):`}
          </p>
          <div class="copy-row">
            <input type="text" readonly value={data.created.url} id="invite-url" aria-label="Invitation link" />
            <button type="button" class="small" data-copy="#invite-url">
              Copy
            </button>
          </div>
          <small class="muted">Shown once. It works once, for 7 days.</small>
        </section>
      ) : null}
      <section class="card">
        <h2>Members</h2>
        <table class="compact">
          <thead>
            <tr>
              <th>Member</th>
              <th>Role</th>
              <th>Clients</th>
              <th>Sign-in</th>
              <th>Last signed in</th>
              <th>
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data.members.map((m) => (
              <tr>
                <td>
                  {m.email} {m.name ? <small class="muted">({m.name})</small> : null}
                  {m.id === data.selfId ? <small class="muted"> · you</small> : null}
                </td>
                <td>
                  <span class={`badge role-${m.role}`}>{ROLE_LABELS[m.role]}</span>
                </td>
                <td>{clientsText(m.clientIds, names)}</td>
                <td>
                  <small>{twoFactorText(m)}</small>
                </td>
                <td>
                  <small class="muted">{m.lastLoginAt ? formatInZone(m.lastLoginAt, 'UTC', 'date') : 'never'}</small>
                </td>
                <td class="actions">
                  {m.id !== data.selfId && data.grantable.includes(m.role) ? (
                    <a href={`/team/${m.id}`} class="small">
                      Change…
                    </a>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section class="card" id="invites">
        <h2>Pending invitations</h2>
        {data.invites.length === 0 ? <p class="muted">None.</p> : null}
        <ul class="plain">
          {data.invites.map((invite) => (
            <li>
              {invite.email} <span class={`badge role-${invite.role}`}>{ROLE_LABELS[invite.role]}</span>{' '}
              <small class="muted">
                {seesAllClients(invite.role) ? '' : `${clientsText(invite.clientIds, names)} · `}
                expires {formatInZone(invite.expiresAt, 'UTC', 'full')} UTC
              </small>
              {data.grantable.includes(invite.role) ? (
                <form method="post" action={`/team/invites/${invite.id}/revoke`} class="inline-form">
                  <Csrf token={page.csrf} />
                  <button type="submit" class="small secondary outline">
                    Withdraw
                  </button>
                </form>
              ) : null}
            </li>
          ))}
        </ul>
      </section>
      <section class="card">
        <h2>Invite a teammate</h2>
        <form method="post" action="/team/invites">
          <Csrf token={page.csrf} />
          <div class="grid">
            <Input
              label="Email"
              name="email"
              type="email"
              required
              value={data.values?.email}
              errors={data.errors}
              autocomplete="off"
            />
            <Select
              label="Role"
              name="role"
              value={data.values?.role ?? 'editor'}
              options={roleOptions(data.grantable)}
              errors={data.errors}
            />
          </div>
          <ClientChoices clients={data.clients} selected={data.values?.clientIds ?? []} errors={data.errors} />
          <button type="submit">Invite</button>
        </form>
      </section>
    </AdminLayout>
  );
}

export interface MemberData {
  member: Member;
  clients: readonly ClientOption[];
  grantable: readonly Role[];
  values?: { role?: string; clientIds?: string[] };
  errors?: Errors;
  message?: string;
}

/** One member: their role and clients, and the way to remove them. */
export function MemberPage({ page, data }: { page: PageContext; data: MemberData }) {
  const { member } = data;
  return (
    <AdminLayout title={member.name || member.email} page={page} active="team">
      <FormErrors errors={data.errors} message={data.message} shown={['role', 'clientIds']} />
      <section class="card">
        <h2>Role and clients</h2>
        <p class="muted">
          {member.email} · {twoFactorText(member)} ·{' '}
          {member.lastLoginAt ? `last signed in ${formatInZone(member.lastLoginAt, 'UTC', 'date')}` : 'never signed in'}
        </p>
        <form method="post" action={`/team/${member.id}`}>
          <Csrf token={page.csrf} />
          <Select
            label="Role"
            name="role"
            value={data.values?.role ?? member.role}
            options={roleOptions(data.grantable)}
            errors={data.errors}
          />
          <ClientChoices
            clients={data.clients}
            selected={data.values?.clientIds ?? member.clientIds ?? []}
            errors={data.errors}
          />
          <button type="submit">Save</button>
        </form>
      </section>
      <section class="card">
        <h2>Remove from the team</h2>
        <p>
          <a href={`/team/${member.id}/remove`} role="button" class="contrast outline">
            Remove {member.email}…
          </a>
        </p>
      </section>
      <p>
        <a href="/team">← Team</a>
      </p>
    </AdminLayout>
  );
}

/** Asks before a member is removed; the form is the only way to do it. */
export function RemoveMemberPage({
  page,
  member,
  holdings,
}: {
  page: PageContext;
  member: Member;
  holdings: { sessions: number; tokens: number };
}) {
  return (
    <AdminLayout title="Remove team member" page={page} active="team">
      <section class="card">
        <h2>Remove {member.email}?</h2>
        <p>
          They are signed out at once ({plural(holdings.sessions, 'open session')}) and their{' '}
          {plural(holdings.tokens, 'API token')} stop working. Their past work stays, and the audit trail keeps their
          name.
        </p>
        <form method="post" action={`/team/${member.id}/remove`} class="inline-form">
          <Csrf token={page.csrf} />
          <button type="submit" class="contrast">
            Remove {member.email}
          </button>
          <a href={`/team/${member.id}`} role="button" class="secondary outline">
            Cancel
          </a>
        </form>
      </section>
    </AdminLayout>
  );
}

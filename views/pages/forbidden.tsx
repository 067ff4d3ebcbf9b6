import { ROLE_LABELS, type Role } from '../../src/domain/roles.js';
import { BareLayout } from '../layouts/admin.js';

/** What each role may do, in the words the team page uses (docs/teams.md, "Roles and access"). */
const ROLE_ALLOWS: Readonly<Record<Role, string>> = {
  owner: 'Owners may do everything, the instance settings and other owners included.',
  admin: 'Admins may do everything except manage owners and the instance settings.',
  editor:
    'Editors may see, write, submit and approve posts, and change rules, media, snippets, imports and feeds, ' +
    'for the clients assigned to them.',
  viewer: 'Viewers may see the posts, rules, accounts and results of the clients assigned to them.',
};

/** A signed-in member asked for something their role does not allow: say why, and what it does allow. */
export function ForbiddenPage({ role, message }: { role: Role; message: string }) {
  return (
    <BareLayout title="Not allowed for your role">
      <p>{message}</p>
      <p>
        Your role is <strong>{ROLE_LABELS[role]}</strong>. {ROLE_ALLOWS[role]}
      </p>
      <p class="muted">Error 403</p>
      <p>
        <a href="/">Back to Herald</a>
      </p>
    </BareLayout>
  );
}

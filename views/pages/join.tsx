import type { MemberInviteRow } from '../../src/db/repos/index.js';
import { Csrf, FormErrors, Input, type Errors } from '../components/forms.js';
import { BareLayout } from '../layouts/admin.js';

/** What a join link offers: the invitation in words, a password form and (when set up) single sign-on. */
export function JoinPage({
  invite,
  action,
  agency,
  grants,
  csrf,
  sso,
  values,
  errors,
  message,
}: {
  invite: MemberInviteRow;
  action: string;
  agency: string;
  /** "an Editor for Acme Bakery". */
  grants: string;
  /** The CSRF token of a session this browser already has (its forms must carry it). */
  csrf: string | undefined;
  sso: boolean;
  values?: { name?: string | undefined };
  errors?: Errors;
  message?: string | undefined;
}) {
  return (
    <BareLayout title={`Join ${agency}`} csrf={csrf}>
      <p>
        You are invited to join the team as {grants}. You will sign in as <strong>{invite.email}</strong>.
      </p>
      <FormErrors errors={errors} message={message} shown={['name', 'password', 'confirmPassword']} />
      <form method="post" action={action}>
        <Csrf token={csrf} />
        <input type="hidden" name="via" value="password" />
        <Input label="Your name" name="name" value={values?.name} autocomplete="name" errors={errors} />
        <Input
          label="Password"
          name="password"
          type="password"
          required
          autocomplete="new-password"
          hint="At least 10 characters."
          errors={errors}
        />
        <Input
          label="Password again"
          name="confirmPassword"
          type="password"
          required
          autocomplete="new-password"
          errors={errors}
        />
        <button type="submit">Join with a password</button>
      </form>
      {sso ? (
        <form method="post" action={action} hx-boost="false">
          <Csrf token={csrf} />
          <input type="hidden" name="via" value="sso" />
          <button type="submit" class="secondary outline">
            Join with single sign-on
          </button>
          <small class="muted"> Your sign-on provider must vouch for {invite.email}.</small>
        </form>
      ) : null}
    </BareLayout>
  );
}

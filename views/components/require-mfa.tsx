import { Csrf } from './forms.js';

/** The owner's switch for "Require two factors for everyone" on the settings page (read-only for others). */
export function RequireMfaSection({
  csrf,
  required,
  mayChange,
}: {
  csrf: string;
  required: boolean;
  mayChange: boolean;
}) {
  return (
    <section class="card" id="two-factor">
      <h2>Two-factor sign-in</h2>
      <p class="muted">
        When required, a teammate who signs in with a password alone must add a passkey or an authenticator app before
        anything else. Single sign-on counts as two factors (your identity provider's own).
      </p>
      {mayChange ? (
        <form method="post" action="/settings/require-mfa">
          <Csrf token={csrf} />
          <label>
            <input type="checkbox" name="requireMfa" checked={required} />
            Require two factors for everyone
          </label>
          <button type="submit" class="secondary">
            Save
          </button>
        </form>
      ) : (
        <p>Two factors are {required ? 'required' : 'not required'} for everyone (an owner decides).</p>
      )}
    </section>
  );
}

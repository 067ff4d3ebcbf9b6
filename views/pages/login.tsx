import { FormErrors, Input, type Errors } from '../components/forms.js';
import { BareLayout } from '../layouts/admin.js';
import { PasskeyButton } from '../components/passkey-button.js';
import { Csrf } from '../components/forms.js';

export function LoginPage({
  email,
  next,
  error,
  oidc,
  errors,
}: {
  email?: string;
  next?: string;
  error?: string;
  oidc: boolean;
  errors?: Errors;
}) {
  return (
    <BareLayout title="Sign in">
      <form method="post" action="/login">
        <FormErrors errors={errors} message={error} shown={['email', 'password']} />
        <input type="hidden" name="next" value={next ?? '/'} />
        <Input label="Email" name="email" type="email" value={email} autocomplete="username" required errors={errors} />
        <Input
          label="Password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
          errors={errors}
        />
        <button type="submit">Sign in</button>
      </form>
      <PasskeyButton
        ceremony="signin"
        options="/login/passkey/options"
        finish="/login/passkey"
        next={next ?? '/'}
        label="Sign in with a passkey"
      />
      {oidc ? (
        <p>
          <a
            href={`/auth/oidc/start?next=${encodeURIComponent(next ?? '/')}`}
            role="button"
            class="secondary outline"
            hx-boost="false"
          >
            Sign in with single sign-on
          </a>
        </p>
      ) : null}
    </BareLayout>
  );
}

export function SetupPage({
  values,
  errors,
}: {
  values: { email?: string; name?: string; code?: string };
  errors?: Errors;
}) {
  return (
    <BareLayout title="Set up Herald">
      <p>
        Create the first admin. The one-time setup code is printed in the server log (look for <code>setup code</code>).
      </p>
      <form method="post" action="/setup">
        <FormErrors errors={errors} shown={['code', 'email', 'password', 'name']} />
        <Input label="Setup code" name="code" value={values.code} required errors={errors} autocomplete="off" />
        <Input label="Your name" name="name" value={values.name} errors={errors} autocomplete="name" />
        <Input
          label="Email"
          name="email"
          type="email"
          value={values.email}
          required
          errors={errors}
          autocomplete="username"
        />
        <Input
          label="Password"
          name="password"
          type="password"
          required
          errors={errors}
          autocomplete="new-password"
          hint="At least 10 characters."
        />
        <button type="submit">Create admin</button>
      </form>
    </BareLayout>
  );
}

/** The second step of a password sign-in: a code from the app, a recovery code, or a passkey. */
export function VerifyPage({
  next,
  csrf,
  codes,
  passkeys,
  error,
}: {
  next: string;
  csrf: string;
  /** An authenticator app or recovery codes are set up. */
  codes: boolean;
  passkeys: boolean;
  error?: string | undefined;
}) {
  return (
    <BareLayout title="Confirm it is you" csrf={csrf}>
      <p>Your password was right. One more step: {passkeys ? 'your passkey' : 'a code'} before you are in.</p>
      <FormErrors errors={undefined} message={error} />
      {passkeys ? (
        <PasskeyButton
          ceremony="verify"
          options="/login/verify/passkey/options"
          finish="/login/verify/passkey"
          next={next}
          label="Use your passkey"
          primary
        />
      ) : null}
      {codes ? (
        <form method="post" action="/login/verify">
          <Csrf token={csrf} />
          <input type="hidden" name="next" value={next} />
          <Input
            label="Code"
            name="code"
            autocomplete="one-time-code"
            required
            hint="The 6-digit code your authenticator app shows now, or one of your recovery codes."
            errors={undefined}
          />
          <button type="submit">Verify</button>
        </form>
      ) : null}
      <form method="post" action="/logout">
        <Csrf token={csrf} />
        <button type="submit" class="secondary outline">
          Cancel and sign out
        </button>
      </form>
    </BareLayout>
  );
}

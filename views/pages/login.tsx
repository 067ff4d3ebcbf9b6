import { FormErrors, Input, type Errors } from '../components/forms.js';
import { BareLayout } from '../layouts/admin.js';

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

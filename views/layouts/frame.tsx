import type { Child } from 'hono/jsx';
import { Flash } from '../components/bits.js';
import { Csrf } from '../components/forms.js';

/** Who is signed in, and the sign-out button, at the right of the top bar. */
export function SignedIn({ name, logoutAction, csrf }: { name: string; logoutAction: string; csrf: string }) {
  return (
    <div class="who">
      {/* The admin area's name is a link to the member's own sign-in settings; the portal's is not. */}
      {logoutAction === '/logout' ? (
        <a href="/account/security" class="muted" title="Sign-in and security">
          {name}
        </a>
      ) : (
        <span class="muted">{name}</span>
      )}
      <form method="post" action={logoutAction} class="inline">
        <Csrf token={csrf} />
        <button type="submit" class="secondary outline small">
          Sign out
        </button>
      </form>
    </div>
  );
}

/** The page body under the top bar: title, optional actions, the flash message, the content. */
export function PageMain({
  title,
  actions,
  flash,
  children,
}: {
  title: string;
  actions?: Child;
  flash: { kind: 'ok' | 'error'; text: string } | null;
  children: Child;
}) {
  return (
    <main class="container" id="main" tabindex={-1}>
      <div class="page-head">
        <h1>{title}</h1>
        {actions ? <div class="page-actions">{actions}</div> : null}
      </div>
      <Flash flash={flash} />
      {children}
    </main>
  );
}

import { BareLayout } from '../layouts/admin.js';

/** The page behind a mail's unsubscribe link: a button (a GET changes nothing), then the outcome. */
export function UnsubscribePage({
  email,
  what,
  done,
  action,
}: {
  email: string;
  what: string;
  done: boolean;
  action: string;
}) {
  if (done)
    return (
      <BareLayout title="You are unsubscribed">
        <p>
          {email} will get no more {what}.
        </p>
      </BareLayout>
    );
  return (
    <BareLayout title="Unsubscribe">
      <p>
        Stop sending {what} to {email}?
      </p>
      <form method="post" action={action}>
        <input type="hidden" name="List-Unsubscribe" value="One-Click" />
        <button type="submit">Unsubscribe</button>
      </form>
    </BareLayout>
  );
}

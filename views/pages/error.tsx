import { BareLayout } from '../layouts/admin.js';

export function ErrorPage({ status, title, message }: { status: number; title: string; message: string }) {
  return (
    <BareLayout title={title}>
      <p>{message}</p>
      <p class="muted">Error {status}</p>
      <p>
        <a href="/">Back to Herald</a>
      </p>
    </BareLayout>
  );
}

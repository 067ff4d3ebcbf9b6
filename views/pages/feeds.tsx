import type { ClientRow } from '../../src/db/repos/index.js';
import { FeedsSection, type FeedsView } from '../components/feeds-section.js';
import { AdminLayout, type PageContext } from '../layouts/admin.js';

/** A client's feeds on a page of their own (also where a refused feed form comes back). */
export function FeedsPage({ page, client, view }: { page: PageContext; client: ClientRow; view: FeedsView }) {
  return (
    <AdminLayout title={`Feeds · ${client.name}`} page={page} active="clients">
      <p>
        <a href={`/clients/${client.id}`}>← {client.name}</a>
      </p>
      <FeedsSection view={view} csrf={page.csrf} />
    </AdminLayout>
  );
}

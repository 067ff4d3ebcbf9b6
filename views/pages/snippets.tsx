import type { ClientRow } from '../../src/db/repos/index.js';
import { SnippetsSection, type SnippetsView } from '../components/snippets-section.js';
import { AdminLayout, type PageContext } from '../layouts/admin.js';

/** A client's snippets on a page of their own (also where a refused snippet form comes back). */
export function SnippetsPage({ page, client, view }: { page: PageContext; client: ClientRow; view: SnippetsView }) {
  return (
    <AdminLayout title={`Snippets · ${client.name}`} page={page} active="clients">
      <p>
        <a href={`/clients/${client.id}`}>← {client.name}</a>
      </p>
      <SnippetsSection view={view} csrf={page.csrf} />
    </AdminLayout>
  );
}

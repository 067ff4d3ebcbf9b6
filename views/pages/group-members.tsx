import { GroupCard, type GroupCardData, type LabelLookup } from '../components/group-card.js';
import { AdminLayout, type PageContext } from '../layouts/admin.js';

/** A post group's members on a page of their own (the pipeline opens them in place with htmx). */
export function GroupMembersPage({
  page,
  card,
  labels,
}: {
  page: PageContext;
  card: GroupCardData;
  labels: LabelLookup;
}) {
  return (
    <AdminLayout
      title="Post group"
      page={page}
      active="pipeline"
      actions={
        <a href={`/groups/${encodeURIComponent(card.group.id)}`} role="button">
          Edit group
        </a>
      }
    >
      <table class="striped responsive pipeline">
        <thead>
          <tr>
            <th>
              <span class="visually-hidden">Select</span>
            </th>
            <th>When</th>
            <th>Client</th>
            <th>Account</th>
            <th>Status</th>
            <th>Caption</th>
          </tr>
        </thead>
        <GroupCard card={card} labels={labels} open={true} query="" selectable={false} />
      </table>
      <p>
        <a href="/pipeline">← Pipeline</a>
      </p>
    </AdminLayout>
  );
}

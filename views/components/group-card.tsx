import type { ListedPost, MemberItem, PostGroupRow } from '../../src/db/repos/index.js';
import { POST_STATUSES } from '../../src/domain/post-status.js';
import { humanStatus } from '../format.js';
import { PlatformBadge, StatusBadge, When } from './bits.js';
import { LabelChip } from './label-chip.js';

/** The agency's labels by id, and the label ids of each post shown. */
export interface LabelLookup {
  byId: ReadonlyMap<string, { name: string; color: string }>;
  ofPost: ReadonlyMap<string, readonly string[]>;
}

/** A post group as the pipeline shows it: the group, the member it sits at, and all its members. */
export interface GroupCardData {
  group: PostGroupRow;
  /** The first member matching the filters: the card takes its place (and time) in the list. */
  lead: ListedPost;
  members: MemberItem[];
}

/** The labels of a post or group as coloured chips, each marked with its label id. */
export function LabelChips({ ids, labels }: { ids: readonly string[]; labels: LabelLookup }) {
  const known = ids.flatMap((id) => {
    const label = labels.byId.get(id);
    return label ? [{ id, ...label }] : [];
  });
  if (known.length === 0) return null;
  return (
    <span class="label-chips">
      {known.map((l) => (
        <span data-label={l.id}>
          <LabelChip name={l.name} color={l.color} />
        </span>
      ))}
    </span>
  );
}

/** One post in the pipeline table (also a group's member once the group is opened). */
export function PipelineRow({
  post,
  labels,
  member = false,
  dim = false,
  selectable = true,
}: {
  post: ListedPost;
  labels: LabelLookup;
  member?: boolean;
  dim?: boolean;
  selectable?: boolean;
}) {
  const classes = [member ? 'group-member' : '', dim ? 'dim' : ''].filter(Boolean).join(' ');
  return (
    <tr class={classes || undefined} data-post={post.id}>
      <td>{selectable ? <input type="checkbox" name="ids" value={post.id} aria-label="Select post" /> : null}</td>
      <td>
        <When ms={post.scheduledAt} tz={post.clientTimezone} />
      </td>
      <td>{post.clientName}</td>
      <td>
        <PlatformBadge platform={post.platform} /> {post.accountName}
      </td>
      <td>
        <StatusBadge status={post.status} />
        {post.lastError ? <small class="error-text">{post.lastError}</small> : null}
      </td>
      <td>
        <a href={`/posts/${post.id}`}>{post.caption.trim() ? post.caption.slice(0, 100) : '(no caption)'}</a>
        {post.source === 'ai' ? <small class="muted"> · AI</small> : null}{' '}
        <LabelChips ids={labels.ofPost.get(post.id) ?? []} labels={labels} />
      </td>
    </tr>
  );
}

/** "3 scheduled · 1 failed": the members' statuses, in the lifecycle's order. */
export function groupSummary(members: readonly { status: string }[]): string {
  const counts = new Map<string, number>();
  for (const m of members) counts.set(m.status, (counts.get(m.status) ?? 0) + 1);
  return POST_STATUSES.filter((s) => counts.has(s))
    .map((s) => `${counts.get(s)} ${humanStatus(s)}`)
    .join(' · ');
}

/** The labels of any of the members, each once. */
export function labelsOfMembers(members: readonly { id: string }[], labels: LabelLookup): string[] {
  return [...new Set(members.flatMap((m) => labels.ofPost.get(m.id) ?? []))];
}

/**
 * A group as one entry of the pipeline table: its own tbody, so opening it (htmx swaps the tbody
 * for one with the members' rows) keeps the table whole. `query` carries the list's filters, so
 * the opened rows are dimmed the same way.
 */
export function GroupCard({
  card,
  labels,
  open,
  query,
  selectable = true,
}: {
  card: GroupCardData;
  labels: LabelLookup;
  open: boolean;
  query: string;
  selectable?: boolean;
}) {
  const { group, lead, members } = card;
  const caption = group.caption.trim() || lead.caption.trim();
  const base = `/groups/${encodeURIComponent(group.id)}/members`;
  const toggle = `${base}?${new URLSearchParams([...new URLSearchParams(query), ['open', open ? '0' : '1']])}`;
  return (
    <tbody id={`group-${group.id}`} class={`group-card${open ? ' open' : ''}`}>
      <tr class="group-card-row" data-group={group.id}>
        <td>
          {selectable ? (
            <input
              type="checkbox"
              name="ids"
              value={`group:${group.id}`}
              aria-label={`Select the group's ${members.length} posts`}
            />
          ) : null}
        </td>
        <td>
          <When ms={lead.scheduledAt} tz={lead.clientTimezone} />
        </td>
        <td>{lead.clientName}</td>
        <td>
          <span class="member-chips">
            {members.map((m) => (
              <a
                href={`/posts/${m.id}`}
                class={`member-chip${m.matches ? '' : ' dim'}`}
                title={`${m.accountName}: ${humanStatus(m.status)}`}
              >
                <PlatformBadge platform={m.platform} /> <StatusBadge status={m.status} />
              </a>
            ))}
          </span>
        </td>
        <td>
          <span class="group-summary">{groupSummary(members)}</span>
        </td>
        <td>
          <a href={`/groups/${encodeURIComponent(group.id)}`} class="group-caption">
            {caption ? caption.slice(0, 100) : '(no caption)'}
          </a>
          {group.source === 'ai' ? <small class="muted"> · AI</small> : null}{' '}
          <LabelChips ids={labelsOfMembers(members, labels)} labels={labels} />
          <br />
          <a
            href={base}
            hx-get={toggle}
            hx-target={`#group-${group.id}`}
            hx-swap="outerHTML"
            // The filters are in the address already; not the bulk form's (inherited) include.
            hx-include="this"
            class="group-toggle small"
            aria-expanded={open ? 'true' : 'false'}
          >
            {open ? 'Hide members' : `Show ${members.length} members`}
          </a>
        </td>
      </tr>
      {open
        ? members.map((m) => <PipelineRow post={m} labels={labels} member dim={!m.matches} selectable={selectable} />)
        : null}
    </tbody>
  );
}

import type { ListedPost, MemberItem } from '../../src/db/repos/index.js';
import { POST_STATUSES } from '../../src/domain/post-status.js';
import { addDays, civilToString, dayOf, sameDay, type CivilDate } from '../civil-date.js';
import { PlatformBadge, StatusBadge } from '../components/bits.js';
import { LabelChips, groupSummary, labelsOfMembers, type LabelLookup } from '../components/group-card.js';
import { formatInZone, humanStatus } from '../format.js';
import { AdminLayout, type PageContext } from '../layouts/admin.js';

export interface CalendarData {
  view: 'month' | 'week';
  client: { id: string; name: string; timezone: string } | null;
  clients: Array<{ id: string; name: string; timezone: string }>;
  /** The first day shown (a Monday) and how many days. */
  start: CivilDate;
  days: number;
  /** The month being shown (month view) or the week's Monday. */
  anchor: CivilDate;
  today: CivilDate;
  /** Posts in view; a group's members that miss the label filter have `matches: false` (shown dimmed). */
  posts: CalendarPost[];
  /** The shared caption of each group in view. */
  groups: Record<string, { caption: string }>;
  labels: LabelLookup;
  labelOptions: Array<{ id: string; name: string }>;
  labelIds: string[];
  prev: string;
  next: string;
  title: string;
}

export type CalendarPost = MemberItem;

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/**
 * One chip for a group's members on a day: their networks, and a click opens the list of members
 * (a details element, so it works without script), each linking to its post.
 */
function GroupEntry({
  groupId,
  members,
  caption,
  tz,
  labels,
}: {
  groupId: string;
  members: CalendarPost[];
  caption: string;
  tz: string;
  labels: LabelLookup;
}) {
  const first = members[0]!;
  const text = caption.trim() || first.caption.trim();
  return (
    <details class="cal-group" data-group={groupId}>
      <summary class="cal-entry cal-group-chip" title={groupSummary(members)}>
        <span class="cal-time">{formatInZone(first.scheduledAt!, tz, 'time')}</span>{' '}
        {members.map((m) => (
          <span class={`platform-dot platform-${m.platform}${m.matches ? '' : ' dim'}`} title={m.accountName}></span>
        ))}{' '}
        {text ? text.slice(0, 40) : '(no caption)'}
      </summary>
      <ul class="cal-members">
        {members.map((m) => (
          <li class={m.matches ? undefined : 'dim'}>
            <a href={`/posts/${m.id}`}>
              <PlatformBadge platform={m.platform} /> {m.accountName}
            </a>{' '}
            <StatusBadge status={m.status} />
          </li>
        ))}
        <li>
          <LabelChips ids={labelsOfMembers(members, labels)} labels={labels} />{' '}
          <a href={`/groups/${encodeURIComponent(groupId)}`}>Open group</a>
        </li>
      </ul>
    </details>
  );
}

function Entry({ post, tz }: { post: ListedPost; tz: string }) {
  return (
    <a
      href={`/posts/${post.id}`}
      class={`cal-entry status-${post.status}`}
      title={`${humanStatus(post.status)} · ${post.accountName}`}
    >
      <span class="cal-time">{formatInZone(post.scheduledAt!, tz, 'time')}</span>{' '}
      <span class={`platform-dot platform-${post.platform}`}></span>{' '}
      {post.caption.trim() ? post.caption.slice(0, 40) : '(no caption)'}
    </a>
  );
}

export function CalendarPage({ page, data }: { page: PageContext; data: CalendarData }) {
  const tz = data.client?.timezone ?? 'UTC';
  const labelQuery = data.labelIds.map((id) => `&labelIds=${encodeURIComponent(id)}`).join('');
  const base = (extra: string) =>
    `/calendar?clientId=${data.client?.id ?? ''}&view=${data.view}&date=${extra}${labelQuery}`;
  const cells = Array.from({ length: data.days }, (_, i) => addDays(data.start, i));
  // Each post's calendar day in the zone, worked out once.
  // A day holds single posts and groups (one entry per group, at its first member's time).
  type DayEntry = { kind: 'post'; post: CalendarPost } | { kind: 'group'; id: string; members: CalendarPost[] };
  const byDay = new Map<string, DayEntry[]>();
  const sorted = [...data.posts].sort((a, b) => (a.scheduledAt ?? 0) - (b.scheduledAt ?? 0) || (a.id < b.id ? -1 : 1));
  for (const p of sorted) {
    if (p.scheduledAt === null) continue;
    const key = civilToString(dayOf(p.scheduledAt, tz));
    const entries = byDay.get(key) ?? [];
    byDay.set(key, entries);
    const group = p.groupId ? entries.find((e) => e.kind === 'group' && e.id === p.groupId) : undefined;
    if (group?.kind === 'group') group.members.push(p);
    else if (p.groupId) entries.push({ kind: 'group', id: p.groupId, members: [p] });
    else entries.push({ kind: 'post', post: p });
  }
  return (
    <AdminLayout title="Calendar" page={page} active="calendar">
      <form method="get" action="/calendar" class="filters cal-controls">
        <select name="clientId" aria-label="Client" data-autosubmit="true">
          {data.clients.map((c) => (
            <option value={c.id} selected={c.id === data.client?.id}>
              {c.name}
            </option>
          ))}
        </select>
        <input type="hidden" name="date" value={civilToString(data.anchor)} />
        <select name="view" aria-label="View" data-autosubmit="true">
          <option value="month" selected={data.view === 'month'}>
            Month
          </option>
          <option value="week" selected={data.view === 'week'}>
            Week
          </option>
        </select>
        {data.labelOptions.length ? (
          <select name="labelIds" multiple aria-label="Labels" size={Math.min(3, data.labelOptions.length)}>
            {data.labelOptions.map((l) => (
              <option value={l.id} selected={data.labelIds.includes(l.id)}>
                {l.name}
              </option>
            ))}
          </select>
        ) : null}
        <button type="submit" class="small secondary">
          Show
        </button>
      </form>
      {data.client ? (
        <>
          <div class="cal-head">
            <a href={base(data.prev)} role="button" class="secondary outline small" aria-label="Previous">
              ←
            </a>
            <h2>
              {data.title} <span class="tz">· times in {tz}</span>
            </h2>
            <a href={base(data.next)} role="button" class="secondary outline small" aria-label="Next">
              →
            </a>
            <a href={base(civilToString(data.today))} class="small">
              Today
            </a>
          </div>
          <div class={`calendar cal-${data.view}`}>
            {WEEKDAYS.map((d) => (
              <div class="cal-dow">{d}</div>
            ))}
            {cells.map((day) => {
              const entries = byDay.get(civilToString(day)) ?? [];
              const outside = data.view === 'month' && day.month !== data.anchor.month;
              return (
                <div
                  class={`cal-day${outside ? ' outside' : ''}${sameDay(day, data.today) ? ' today' : ''}`}
                  data-date={civilToString(day)}
                >
                  <div class="cal-date">{day.day}</div>
                  {entries.map((e) =>
                    e.kind === 'post' ? (
                      <Entry post={e.post} tz={tz} />
                    ) : (
                      <GroupEntry
                        groupId={e.id}
                        members={e.members}
                        caption={data.groups[e.id]?.caption ?? ''}
                        tz={tz}
                        labels={data.labels}
                      />
                    ),
                  )}
                </div>
              );
            })}
          </div>
          <div class="legend">
            {POST_STATUSES.map((s) => (
              <span class={`badge status-${s}`}>{humanStatus(s)}</span>
            ))}
          </div>
        </>
      ) : (
        <p class="muted">Add a client to see its calendar.</p>
      )}
    </AdminLayout>
  );
}

import type { ListedPost, MemberItem } from '../../src/db/repos/index.js';
import { EDITABLE_STATUSES, type PostStatus } from '../../src/domain/post-status.js';
import { addDays, civilToString, dayOf, sameDay, type CivilDate } from '../civil-date.js';
import { PlatformBadge, StatusBadge } from '../components/bits.js';
import { LabelChips, groupSummary, labelsOfMembers, type LabelLookup } from '../components/group-card.js';
import { formatInZone, humanStatus, partsInZone, toLocalInput } from '../format.js';
import { AdminLayout, type PageContext } from '../layouts/admin.js';

/** What the calendar shows: the filters, the view and its date; each move form carries them back. */
export interface CalendarView {
  /** A client's id, `all`, or empty (the first client). */
  clientId: string;
  view: 'month' | 'week';
  date: string;
  accountId: string;
  status: string[];
  labelIds: string[];
}

/** The answer to a move: what happened, and how to undo it. */
export interface CalendarNotice {
  kind: 'ok' | 'warning' | 'error';
  text: string;
  undo?:
    | { kind: 'post'; id: string; version: number; at: number }
    | { kind: 'group'; id: string; version: number; delta: number; only: string }
    | undefined;
}

export interface CalendarData {
  shown: CalendarView;
  /** Across all clients (times in `tz`, the agency's zone). */
  all: boolean;
  /** The zone every time is shown (and every drop is read) in. */
  tz: string;
  client: { id: string; name: string; timezone: string } | null;
  clients: ReadonlyArray<{ id: string; name: string; timezone: string }>;
  accounts: ReadonlyArray<{ id: string; name: string; platform: string }>;
  statuses: readonly PostStatus[];
  /** The first day shown (a Monday) and how many days. */
  start: CivilDate;
  days: number;
  /** The month being shown (month view) or the week's Monday. */
  anchor: CivilDate;
  today: CivilDate;
  /** Posts in view; a group's members that miss the filters have `matches: false` (shown dimmed). */
  posts: CalendarPost[];
  /** The shared caption and version of each group in view. */
  groups: Record<string, { caption: string; version: number }>;
  labels: LabelLookup;
  labelOptions: Array<{ id: string; name: string }>;
  prev: string;
  next: string;
  title: string;
  notice: CalendarNotice | null;
}

export type CalendarPost = MemberItem;

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const HOURS = Array.from({ length: 24 }, (_, h) => h);
const pad = (n: number) => String(n).padStart(2, '0');

/** The view's state as hidden fields: a move answers with the same calendar. */
function ViewFields({ shown }: { shown: CalendarView }) {
  return (
    <>
      <input type="hidden" name="clientId" value={shown.clientId} />
      <input type="hidden" name="view" value={shown.view} />
      <input type="hidden" name="date" value={shown.date} />
      {shown.accountId ? <input type="hidden" name="accountId" value={shown.accountId} /> : null}
      {shown.status.map((s) => (
        <input type="hidden" name="status" value={s} />
      ))}
      {shown.labelIds.map((id) => (
        <input type="hidden" name="labelIds" value={id} />
      ))}
    </>
  );
}

/** A form that posts a move and swaps the calendar with the answer (a plain POST without script). */
const MOVE_FORM = {
  method: 'post',
  action: '/calendar/move',
  'hx-post': '/calendar/move',
  'hx-target': '#cal-region',
  'hx-select': '#cal-region',
  'hx-swap': 'outerHTML',
} as const;

/**
 * The keyboard's way to move a card: a "Move" button opening a day and time, posting what a drop
 * posts. Only cards that can still move have it.
 */
function MoveControl({
  kind,
  id,
  version,
  at,
  tz,
}: {
  kind: 'post' | 'group';
  id: string;
  version: number;
  at: number;
  tz: string;
}) {
  const local = toLocalInput(at, tz);
  return (
    <details class="cal-move">
      <summary class="cal-move-button" aria-label={`Move this ${kind}`}>
        Move
      </summary>
      {/* The view's state comes from the one #cal-view (a month holds up to 2,000 cards). */}
      <form {...MOVE_FORM} hx-include="#cal-view" class="cal-move-form">
        <input type="hidden" name="kind" value={kind} />
        <input type="hidden" name="id" value={id} />
        <input type="hidden" name="version" value={String(version)} />
        <label>
          Day <input type="date" name="day" value={local.slice(0, 10)} required />
        </label>
        <label>
          Time <input type="time" name="time" value={local.slice(11, 16)} required />
        </label>
        <button type="submit" class="small">
          Move here
        </button>
      </form>
    </details>
  );
}

/**
 * One chip for a group's members on a day: their networks, and a click opens the list of members
 * (a details element, so it works without script), each linking to its post.
 */
function GroupEntry({
  groupId,
  members,
  group,
  tz,
  labels,
}: {
  groupId: string;
  members: CalendarPost[];
  group: { caption: string; version: number } | undefined;
  tz: string;
  labels: LabelLookup;
}) {
  const first = members[0]!;
  const text = (group?.caption ?? '').trim() || first.caption.trim();
  const movable = group !== undefined && members.some((m) => EDITABLE_STATUSES.has(m.status));
  return (
    <div
      class="cal-card"
      draggable={movable ? 'true' : undefined}
      data-kind={movable ? 'group' : undefined}
      data-id={groupId}
      data-version={movable ? String(group.version) : undefined}
    >
      <details class="cal-group" data-group={groupId}>
        <summary class="cal-entry cal-group-chip" title={groupSummary(members)}>
          <span class="cal-time">{formatInZone(first.scheduledAt!, tz, 'time')}</span>{' '}
          {members.map((m) => (
            <span class={`platform-dot platform-${m.platform}${m.matches ? '' : ' dim'}`} title={m.accountName}>
              <span class="visually-hidden">{m.accountName}</span>
            </span>
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
      {movable ? (
        <MoveControl kind="group" id={groupId} version={group.version} at={first.scheduledAt!} tz={tz} />
      ) : null}
    </div>
  );
}

function Entry({ post, tz, all }: { post: ListedPost; tz: string; all: boolean }) {
  const movable = EDITABLE_STATUSES.has(post.status);
  return (
    <div
      class="cal-card"
      draggable={movable ? 'true' : undefined}
      data-kind={movable ? 'post' : undefined}
      data-id={post.id}
      data-version={movable ? String(post.version) : undefined}
    >
      <a
        href={`/posts/${post.id}`}
        class={`cal-entry status-${post.status}`}
        title={`${humanStatus(post.status)} · ${post.accountName}${all ? ` · ${post.clientName}` : ''}`}
        draggable="false"
      >
        <span class="cal-time">{formatInZone(post.scheduledAt!, tz, 'time')}</span>{' '}
        {/* The status's colour has its icon (app.css) and, for screen readers, its name: never colour alone. */}
        <span class="visually-hidden">
          {humanStatus(post.status)}, {post.accountName}:{' '}
        </span>
        <span class={`platform-dot platform-${post.platform}`}></span>{' '}
        {post.caption.trim() ? post.caption.slice(0, 40) : '(no caption)'}
      </a>
      {movable ? <MoveControl kind="post" id={post.id} version={post.version} at={post.scheduledAt!} tz={tz} /> : null}
    </div>
  );
}

function Notice({ notice, shown }: { notice: CalendarNotice; shown: CalendarView }) {
  const undo = notice.undo;
  const tone = notice.kind === 'error' ? 'error' : notice.kind === 'warning' ? 'info' : 'ok';
  return (
    <div class={`notice notice-${tone} cal-notice`} role={notice.kind === 'error' ? 'alert' : 'status'}>
      <span>{notice.text}</span>
      {undo ? (
        <form {...MOVE_FORM} class="cal-undo">
          <ViewFields shown={shown} />
          <input type="hidden" name="kind" value={undo.kind} />
          <input type="hidden" name="id" value={undo.id} />
          <input type="hidden" name="version" value={String(undo.version)} />
          <input type="hidden" name="undo" value="1" />
          {undo.kind === 'post' ? (
            <input type="hidden" name="at" value={String(undo.at)} />
          ) : (
            <>
              <input type="hidden" name="delta" value={String(undo.delta)} />
              <input type="hidden" name="only" value={undo.only} />
            </>
          )}
          <button type="submit" class="small secondary">
            Undo
          </button>
        </form>
      ) : null}
    </div>
  );
}

export function CalendarPage({ page, data }: { page: PageContext; data: CalendarData }) {
  const { tz, shown } = data;
  const filterQuery =
    (shown.accountId ? `&accountId=${encodeURIComponent(shown.accountId)}` : '') +
    shown.status.map((s) => `&status=${encodeURIComponent(s)}`).join('') +
    shown.labelIds.map((id) => `&labelIds=${encodeURIComponent(id)}`).join('');
  const base = (extra: string) =>
    `/calendar?clientId=${encodeURIComponent(shown.clientId)}&view=${shown.view}&date=${extra}${filterQuery}`;
  /** Where a click on an empty day or slot composes (a client must be chosen: its accounts, its zone). */
  const compose = (at: string) =>
    data.client && !data.all
      ? `/groups/new?clientId=${encodeURIComponent(data.client.id)}&at=${encodeURIComponent(at)}`
      : undefined;
  const cells = Array.from({ length: data.days }, (_, i) => addDays(data.start, i));
  // A day (and in the week, an hour of it) holds single posts and groups (one entry per group, at
  // its first member's time). Each post's day and hour in the zone, worked out once.
  type Entry = { kind: 'post'; post: CalendarPost } | { kind: 'group'; id: string; members: CalendarPost[] };
  const byKey = new Map<string, Entry[]>();
  const sorted = [...data.posts].sort((a, b) => (a.scheduledAt ?? 0) - (b.scheduledAt ?? 0) || (a.id < b.id ? -1 : 1));
  const groupKey = new Map<string, string>();
  for (const p of sorted) {
    if (p.scheduledAt === null) continue;
    let key = civilToString(dayOf(p.scheduledAt, tz));
    if (data.shown.view === 'week') key += `T${pad(partsInZone(p.scheduledAt, tz).hour)}`;
    // A group stays one card per day, in the slot of its first member that day.
    const groupDay = p.groupId ? `${p.groupId}|${key.slice(0, 10)}` : '';
    if (p.groupId && groupKey.has(groupDay)) key = groupKey.get(groupDay)!;
    else if (p.groupId) groupKey.set(groupDay, key);
    const entries = byKey.get(key) ?? [];
    byKey.set(key, entries);
    const group = p.groupId ? entries.find((e) => e.kind === 'group' && e.id === p.groupId) : undefined;
    if (group?.kind === 'group') group.members.push(p);
    else if (p.groupId) entries.push({ kind: 'group', id: p.groupId, members: [p] });
    else entries.push({ kind: 'post', post: p });
  }
  const show = (entries: Entry[]) =>
    entries.map((e) =>
      e.kind === 'post' ? (
        <Entry post={e.post} tz={tz} all={data.all} />
      ) : (
        <GroupEntry groupId={e.id} members={e.members} group={data.groups[e.id]} tz={tz} labels={data.labels} />
      ),
    );
  return (
    <AdminLayout title="Calendar" page={page} active="calendar">
      <form method="get" action="/calendar" class="filters cal-controls">
        <select name="clientId" aria-label="Client" data-autosubmit="true">
          <option value="all" selected={data.all}>
            All clients
          </option>
          {data.clients.map((c) => (
            <option value={c.id} selected={!data.all && c.id === data.client?.id}>
              {c.name}
            </option>
          ))}
        </select>
        <input type="hidden" name="date" value={shown.date} />
        <select name="view" aria-label="View" data-autosubmit="true">
          <option value="month" selected={shown.view === 'month'}>
            Month
          </option>
          <option value="week" selected={shown.view === 'week'}>
            Week
          </option>
        </select>
        {data.accounts.length ? (
          <select name="accountId" aria-label="Account">
            <option value="">All accounts</option>
            {data.accounts.map((a) => (
              <option value={a.id} selected={a.id === shown.accountId}>
                {a.name} ({a.platform})
              </option>
            ))}
          </select>
        ) : null}
        <select name="status" multiple aria-label="Status" size={3}>
          {data.statuses.map((s) => (
            <option value={s} selected={shown.status.includes(s)}>
              {humanStatus(s)}
            </option>
          ))}
        </select>
        {data.labelOptions.length ? (
          <select name="labelIds" multiple aria-label="Labels" size={Math.min(3, data.labelOptions.length)}>
            {data.labelOptions.map((l) => (
              <option value={l.id} selected={shown.labelIds.includes(l.id)}>
                {l.name}
              </option>
            ))}
          </select>
        ) : null}
        <button type="submit" class="small secondary">
          Show
        </button>
      </form>
      {data.client || data.all ? (
        <div id="cal-region" data-tz={tz}>
          {data.notice ? <Notice notice={data.notice} shown={shown} /> : null}
          <div class="cal-head">
            <a href={base(data.prev)} role="button" class="secondary outline small" aria-label="Previous">
              ←
            </a>
            <h2>
              {data.title}{' '}
              <span class="tz">
                · times in {tz}
                {data.all ? ' (your own zone, from Settings; choose a client for its zone)' : ''}
              </span>
            </h2>
            <a href={base(data.next)} role="button" class="secondary outline small" aria-label="Next">
              →
            </a>
            <a href={base(civilToString(data.today))} class="small">
              Today
            </a>
          </div>
          <p class="muted small cal-help">
            Drag a post or group to another {shown.view === 'week' ? 'day and hour' : 'day'} to move it, or use its Move
            button. {data.all ? 'Choose a client to compose from an empty slot.' : 'Click an empty slot to compose.'}
          </p>
          <div id="cal-view" hidden>
            <ViewFields shown={shown} />
          </div>
          <form {...MOVE_FORM} id="cal-drop-form" class="cal-drop-form" hidden>
            <ViewFields shown={shown} />
            <input type="hidden" name="kind" value="" />
            <input type="hidden" name="id" value="" />
            <input type="hidden" name="version" value="" />
            <input type="hidden" name="day" value="" />
            <input type="hidden" name="time" value="" />
          </form>
          <div class={`calendar cal-${shown.view}`}>
            {shown.view === 'week' ? <div class="cal-dow cal-hours-head"></div> : null}
            {cells.slice(0, 7).map((day, i) =>
              shown.view === 'week' ? (
                <div class="cal-dow">
                  {WEEKDAYS[i]} {day.day}
                </div>
              ) : (
                <div class="cal-dow">{WEEKDAYS[i]}</div>
              ),
            )}
            {shown.view === 'week' ? (
              <div class="cal-hours" aria-hidden="true">
                {HOURS.map((h) => (
                  <div class="cal-hour">{`${pad(h)}:00`}</div>
                ))}
              </div>
            ) : null}
            {cells.map((day) => {
              const date = civilToString(day);
              const outside = shown.view === 'month' && day.month !== data.anchor.month;
              const dayClass = `cal-day${outside ? ' outside' : ''}${sameDay(day, data.today) ? ' today' : ''}`;
              if (shown.view === 'month')
                return (
                  <div class={`${dayClass} cal-drop`} data-date={date} data-compose={compose(date)}>
                    <div class="cal-date">{day.day}</div>
                    {compose(date) ? (
                      <a class="cal-add" href={compose(date)} aria-label={`Compose on ${date}`}>
                        +
                      </a>
                    ) : null}
                    {show(byKey.get(date) ?? [])}
                  </div>
                );
              return (
                <div class={dayClass} data-date={date}>
                  {HOURS.map((h) => (
                    <div
                      class="cal-slot cal-drop"
                      data-date={date}
                      data-time={`${pad(h)}:00`}
                      data-compose={compose(`${date}T${pad(h)}:00`)}
                    >
                      {show(byKey.get(`${date}T${pad(h)}`) ?? [])}
                    </div>
                  ))}
                </div>
              );
            })}
          </div>
          <div class="legend">
            {data.statuses.map((s) => (
              <span class={`badge status-${s}`}>{humanStatus(s)}</span>
            ))}
          </div>
        </div>
      ) : (
        <p class="muted">Add a client to see its calendar.</p>
      )}
    </AdminLayout>
  );
}

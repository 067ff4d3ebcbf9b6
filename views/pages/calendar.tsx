import type { PostListItem } from '../../src/db/repos/index.js';
import { POST_STATUSES } from '../../src/domain/post-status.js';
import { addDays, civilToString, dayOf, sameDay, type CivilDate } from '../civil-date.js';
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
  posts: PostListItem[];
  prev: string;
  next: string;
  title: string;
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

function Entry({ post, tz }: { post: PostListItem; tz: string }) {
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
  const base = (extra: string) => `/calendar?clientId=${data.client?.id ?? ''}&view=${data.view}&date=${extra}`;
  const cells = Array.from({ length: data.days }, (_, i) => addDays(data.start, i));
  // Each post's calendar day in the zone, worked out once.
  const byDay = new Map<string, PostListItem[]>();
  for (const p of data.posts) {
    if (p.scheduledAt === null) continue;
    const key = civilToString(dayOf(p.scheduledAt, tz));
    byDay.set(key, [...(byDay.get(key) ?? []), p]);
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
        <noscript>
          <button type="submit">Show</button>
        </noscript>
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
              const posts = byDay.get(civilToString(day)) ?? [];
              const outside = data.view === 'month' && day.month !== data.anchor.month;
              return (
                <div
                  class={`cal-day${outside ? ' outside' : ''}${sameDay(day, data.today) ? ' today' : ''}`}
                  data-date={civilToString(day)}
                >
                  <div class="cal-date">{day.day}</div>
                  {posts.map((p) => (
                    <Entry post={p} tz={tz} />
                  ))}
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

import { Hono } from 'hono';
import {
  addDays,
  civilToString,
  parseCivil,
  startInstant,
  startOfWeek,
  dayOf,
  type CivilDate,
} from '../../../../views/civil-date.js';
import { CalendarPage, type CalendarPost } from '../../../../views/pages/calendar.js';
import type { AppDeps, AppEnv } from '../../context.js';
import { pageContext, render } from '../../render.js';
import { labelLookup } from './group-cards.js';
import { filtersOf } from './pipeline.js';

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const MAX_POSTS = 2000;

export function calendarRoutes(deps: AppDeps) {
  const { repos, clock } = deps;
  return new Hono<AppEnv>().get('/calendar', (c) => {
    const clients = repos.clients.options();
    const client = clients.find((x) => x.id === c.req.query('clientId')) ?? clients[0] ?? null;
    const view = c.req.query('view') === 'week' ? 'week' : 'month';
    const tz = client?.timezone ?? 'UTC';
    const today = dayOf(clock.now(), tz);
    const requested = parseCivil(c.req.query('date')) ?? today;
    let start: CivilDate;
    let days: number;
    let anchor: CivilDate;
    let prev: CivilDate;
    let next: CivilDate;
    let title: string;
    if (view === 'month') {
      anchor = { year: requested.year, month: requested.month, day: 1 };
      start = startOfWeek(anchor);
      days = 42;
      prev = {
        year: anchor.month === 1 ? anchor.year - 1 : anchor.year,
        month: anchor.month === 1 ? 12 : anchor.month - 1,
        day: 1,
      };
      next = {
        year: anchor.month === 12 ? anchor.year + 1 : anchor.year,
        month: anchor.month === 12 ? 1 : anchor.month + 1,
        day: 1,
      };
      title = `${MONTHS[anchor.month - 1]} ${anchor.year}`;
    } else {
      anchor = startOfWeek(requested);
      start = anchor;
      days = 7;
      prev = addDays(anchor, -7);
      next = addDays(anchor, 7);
      const end = addDays(anchor, 6);
      title =
        `Week of ${anchor.day} ${MONTHS[anchor.month - 1]!.slice(0, 3)} – ` +
        `${end.day} ${MONTHS[end.month - 1]!.slice(0, 3)} ${end.year}`;
    }
    const labelIds = filtersOf((k) => new URL(c.req.url).searchParams.getAll(k)).labelIds;
    const filter = {
      clientId: client?.id,
      from: startInstant(start, tz),
      to: startInstant(addDays(start, days), tz),
      labelIds: labelIds.length ? labelIds : undefined,
    };
    const matching = client ? repos.groupLists.list({ ...filter, limit: MAX_POSTS }, { collapse: false }).data : [];
    // A group's members that miss the label filter still show in its chip, dimmed.
    const groupIds = [...new Set(matching.flatMap((p) => (p.groupId ? [p.groupId] : [])))];
    const members = [...repos.groupLists.members(groupIds, filter).values()].flat();
    const byId = new Map<string, CalendarPost>(matching.map((p) => [p.id, { ...p, matches: true }]));
    for (const m of members) if (!byId.has(m.id)) byId.set(m.id, m);
    const posts = [...byId.values()].filter((p) => p.status !== 'cancelled');
    const labels = labelLookup(
      repos,
      posts.map((p) => p.id),
    );
    return render(
      c,
      <CalendarPage
        page={pageContext(c)}
        data={{
          view,
          client,
          clients,
          start,
          days,
          anchor,
          today,
          posts,
          groups: Object.fromEntries(
            [...repos.groupLists.groups(groupIds).values()].map((g) => [g.id, { caption: g.caption }]),
          ),
          labels,
          labelOptions: repos.labels.list().map((l) => ({ id: l.id, name: l.name })),
          labelIds,
          prev: civilToString(prev),
          next: civilToString(next),
          title,
        }}
      />,
    );
  });
}

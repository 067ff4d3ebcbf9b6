import { Hono, type Context } from 'hono';
import { HeraldError } from '../../../domain/errors.js';
import { POST_STATUSES, type PostStatus } from '../../../domain/post-status.js';
import {
  addDays,
  civilToString,
  parseCivil,
  startInstant,
  startOfWeek,
  dayOf,
  type CivilDate,
} from '../../../../views/civil-date.js';
import { formatInZone, fromLocalInput, toLocalInput } from '../../../../views/format.js';
import {
  CalendarPage,
  type CalendarNotice,
  type CalendarPost,
  type CalendarView,
} from '../../../../views/pages/calendar.js';
import { heldClients } from '../../../services/list-scope.js';
import { heldOf, scopeOf } from '../../client-reach.js';
import type { AppDeps, AppEnv } from '../../context.js';
import { formFields, pageContext, render } from '../../render.js';
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
/** "All clients" in the client filter. */
const ALL = 'all';
/** Across clients the calendar shows one zone: the signed-in admin's own (Settings), else UTC. */
const agencyZone = (c: Context<AppEnv>) => c.var.session?.admin?.timezone ?? 'UTC';
const MAX_MOVE_MS = 400 * 86_400_000;

/** What the calendar shows, read from a query string or a move form's hidden fields. */
function viewOf(get: (name: string) => string[]): CalendarView {
  const filters = filtersOf(get);
  const view = get('view')[0] === 'week' ? 'week' : 'month';
  return {
    clientId: filters.clientId,
    view,
    date: get('date')[0] ?? '',
    accountId: filters.accountId,
    status: filters.status,
    labelIds: filters.labelIds,
  };
}

export function calendarRoutes(deps: AppDeps) {
  const { repos, services, clock } = deps;

  function zoneOf(
    c: Context<AppEnv>,
    shown: CalendarView,
  ): {
    client: ReturnType<typeof repos.clients.options>[number] | null;
    tz: string;
  } {
    const clients = repos.clients.options(heldClients(scopeOf(c), shown.clientId === ALL ? '' : shown.clientId));
    if (shown.clientId === ALL) return { client: null, tz: agencyZone(c) };
    const client = clients.find((x) => x.id === shown.clientId) ?? clients[0] ?? null;
    return { client, tz: client?.timezone ?? agencyZone(c) };
  }

  function page(c: Context<AppEnv>, shown: CalendarView, notice: CalendarNotice | null, status: 200 | 422 = 200) {
    const held = heldOf(c);
    const clients = repos.clients.options(held);
    const { client, tz } = zoneOf(c, shown);
    const all = shown.clientId === ALL;
    const today = dayOf(clock.now(), tz);
    const requested = parseCivil(shown.date) ?? today;
    let start: CivilDate;
    let days: number;
    let anchor: CivilDate;
    let prev: CivilDate;
    let next: CivilDate;
    let title: string;
    if (shown.view === 'month') {
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
    const accounts = client ? repos.accounts.options(client.id) : [];
    const accountId = accounts.some((a) => a.id === shown.accountId) ? shown.accountId : '';
    const filter = {
      clientId: all ? undefined : client?.id,
      clientIds: held,
      accountId: accountId || undefined,
      status: shown.status.length ? (shown.status as PostStatus[]) : undefined,
      from: startInstant(start, tz),
      to: startInstant(addDays(start, days), tz),
      labelIds: shown.labelIds.length ? shown.labelIds : undefined,
    };
    const matching =
      client || all ? repos.groupLists.list({ ...filter, limit: MAX_POSTS }, { collapse: false }).data : [];
    // A group's members that miss the filters still show in its chip, dimmed.
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
          shown: { ...shown, clientId: all ? ALL : (client?.id ?? ''), accountId, date: civilToString(anchor) },
          all,
          tz,
          client,
          clients,
          accounts,
          statuses: POST_STATUSES,
          start,
          days,
          anchor,
          today,
          posts,
          groups: Object.fromEntries(
            [...repos.groupLists.groups(groupIds).values()].map((g) => [
              g.id,
              { caption: g.caption, version: g.version },
            ]),
          ),
          labels,
          labelOptions: repos.labels.list().map((l) => ({ id: l.id, name: l.name })),
          prev: civilToString(prev),
          next: civilToString(next),
          title,
          notice,
        }}
      />,
      status,
    );
  }

  /** The instant a drop means: `at` (an undo's exact time), else the day and time (or the mover's own time of day). */
  function target(form: { one(n: string): string }, current: number, tz: string): number | null {
    const at = form.one('at');
    if (/^\d{1,15}$/.test(at)) return Number(at);
    const day = parseCivil(form.one('day'));
    if (!day) return null;
    const time = /^([01]\d|2[0-3]):[0-5]\d$/.test(form.one('time'))
      ? form.one('time')
      : toLocalInput(current, tz).slice(11, 16);
    return fromLocalInput(`${civilToString(day)}T${time}`, tz);
  }

  return new Hono<AppEnv>()
    .get('/calendar', (c) =>
      page(
        c,
        viewOf((k) => new URL(c.req.url).searchParams.getAll(k)),
        null,
      ),
    )
    .post('/calendar/move', async (c) => {
      const form = await formFields(c);
      const kindOf = form.one('kind') === 'group' ? 'group' : 'post';
      // A card's Move form posted without script carries no view: show the moved card's client.
      const ownerOf = () =>
        (kindOf === 'group' ? repos.groups.get(form.one('id')) : repos.posts.get(form.one('id')))?.clientId ?? '';
      const shown = viewOf((k) => (k === 'clientId' && !form.one('clientId') ? [ownerOf()] : form.many(k)));
      const { tz } = zoneOf(c, shown);
      const kind = kindOf;
      const id = form.one('id');
      const version = Number(form.one('version'));
      const refuse = (text: string) => page(c, shown, { kind: 'error', text }, 422);
      if (!/^\d{1,9}$/.test(form.one('version'))) return refuse('The move carried no version; reload the calendar.');
      const when = (ms: number) => formatInZone(ms, tz);
      try {
        if (kind === 'post') {
          const post = repos.posts.get(id);
          if (!post || post.scheduledAt === null) return refuse('That post is not in the calendar any more.');
          const to = target(form, post.scheduledAt, tz);
          if (to === null) return refuse('Choose a valid day and time.');
          const moved = services.posts.reschedule(id, { version, scheduledAt: to }, c.var.actor);
          const undo = form.one('undo') === '1';
          return page(c, shown, {
            kind: 'ok',
            text: undo ? `Moved back to ${when(to)}.` : `Moved to ${when(to)}.`,
            undo: undo ? undefined : { kind: 'post', id, version: moved.version, at: post.scheduledAt },
          });
        }
        const members = (repos.groupLists.members([id]).get(id) ?? []).filter(
          (m) => m.status !== 'cancelled' && m.scheduledAt !== null,
        );
        const first = members[0];
        if (!first) return refuse('That group is not in the calendar any more.');
        const delta = /^-?\d{1,15}$/.test(form.one('delta'))
          ? Number(form.one('delta'))
          : (target(form, first.scheduledAt!, tz) ?? Number.NaN) - first.scheduledAt!;
        if (!Number.isFinite(delta) || Math.abs(delta) > MAX_MOVE_MS) return refuse('Choose a valid day and time.');
        const only = form.one('only') ? form.one('only').split(',') : undefined;
        const result = services.groups.moveBy(id, { version, deltaMs: delta, only }, c.var.actor);
        const refusedText = result.refused.map((r) => `${r.accountName}: ${r.reason}`).join(' ');
        if (result.moved.length === 0) return refuse(`Nothing in the group could move. ${refusedText}`.trim());
        const undo = form.one('undo') === '1';
        const firstMoved = result.moved[0]!;
        return page(c, shown, {
          kind: result.refused.length ? 'warning' : 'ok',
          text:
            `${undo ? 'Moved back' : 'Moved'} ${result.moved.length} post${result.moved.length === 1 ? '' : 's'} ` +
            `of the group to ${when(firstMoved.to)}.` +
            (result.refused.length ? ` Not moved: ${refusedText}` : ''),
          undo: undo
            ? undefined
            : {
                kind: 'group',
                id,
                version: result.version,
                delta: -delta,
                only: result.moved.map((m) => m.postId).join(','),
              },
        });
      } catch (err) {
        if (!(err instanceof HeraldError) || err.code === 'not_found') throw err;
        const detail =
          err.code === 'validation_failed' && err.message === 'Some fields are not valid.'
            ? 'Choose a valid time.'
            : err.message;
        return refuse(`Not moved: ${detail}`);
      }
    });
}

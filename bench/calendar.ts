// Dragging a post in a busy month: one client's month holding 2,000 posts (1,400 single posts and
// 200 groups of three), then 200 moves through POST /calendar/move exactly as a drop sends them
// (signed in, CSRF token, htmx request). Each move's time is the server's whole answer: the checks,
// the write, and the re-rendered month (measured in-process through app.request, so no network).
// Usage: npm run bench:calendar
import { seedGroup } from '../test/helpers/group-seed.js';
import { makeHerald, seedClient } from '../test/helpers/herald.js';
import { PageClient } from '../test/helpers/page-client.js';

const SINGLES = 1_400;
const GROUPS = 200;
const MOVES = 200;
const HOUR = 3_600_000;
// June 2030 in Berlin: far enough ahead that every move is in the future.
const MONTH_START = Date.UTC(2030, 5, 1, 6);

const t = await makeHerald({ ADMIN_EMAIL: 'admin@agency.test', ADMIN_PASSWORD: 'correct horse battery staple' });
await t.herald.services.auth.ensureConfiguredAdmin();
const s = seedClient(t, { name: 'Busy Bakery' });
const second = t.herald.services.accounts.connect({
  clientId: s.client.id,
  platform: 'facebook',
  externalId: 'fb-second',
  name: 'Second Page',
  accessToken: 'x',
  refreshToken: null,
  tokenExpiresAt: null,
  scopes: [],
});
const accounts = [s.facebook, second];
const seeding = performance.now();
const singles: string[] = [];
t.herald.database.immediate(() => {
  for (let i = 0; i < SINGLES; i++) {
    const at = MONTH_START + (i % 28) * 24 * HOUR + (i % 13) * HOUR;
    singles.push(
      t.herald.services.posts.create(
        {
          accountId: accounts[i % 2]!.id,
          caption: `Post ${i}`,
          scheduledAt: new Date(at).toISOString(),
          status: 'scheduled',
        },
        { kind: 'system' },
      ).id,
    );
  }
  for (let g = 0; g < GROUPS; g++)
    seedGroup(t, [s.facebook, second, s.facebook], {
      caption: `Group ${g}`,
      hours: (g % 28) * 24 + 14,
      now: MONTH_START,
    });
});
const seeded = t.herald.database.sqlite
  .prepare('SELECT COUNT(*) AS n FROM posts WHERE client_id = ?')
  .get(s.client.id) as { n: number };
console.log(`seeded ${seeded.n} posts in ${((performance.now() - seeding) / 1000).toFixed(1)} s`);

const b = new PageClient(t.herald.app);
await b.post('/login', { email: 'admin@agency.test', password: 'correct horse battery staple' });
const page = `/calendar?clientId=${s.client.id}&view=month&date=2030-06-01`;
const renders: number[] = [];
let bytes = 0;
for (let i = 0; i < 20; i++) {
  const started = performance.now();
  const { html } = await b.get(page);
  renders.push(performance.now() - started);
  bytes = html.length;
}

const moves: number[] = [];
let refused = 0;
for (let i = 0; i < MOVES; i++) {
  const id = singles[(i * 7) % singles.length]!;
  const post = t.herald.repos.posts.get(id)!;
  const day = new Date(post.scheduledAt!).getUTCDate();
  const target = `2030-06-${String((day % 28) + 1).padStart(2, '0')}`;
  const started = performance.now();
  const res = await b.post(
    '/calendar/move',
    {
      clientId: s.client.id,
      view: 'month',
      date: '2030-06-01',
      kind: 'post',
      id,
      version: String(post.version),
      day: target,
    },
    { htmx: true },
  );
  await res.text();
  moves.push(performance.now() - started);
  if (res.status !== 200) refused++;
}

// The service's part alone (checks and write, no page): the rest of a move is the month's render.
const services: number[] = [];
for (let i = 0; i < MOVES; i++) {
  const id = singles[(i * 11 + 3) % singles.length]!;
  const post = t.herald.repos.posts.get(id)!;
  const started = performance.now();
  t.herald.services.posts.reschedule(
    id,
    { version: post.version, scheduledAt: post.scheduledAt! + (i % 2 ? -HOUR : HOUR) },
    { kind: 'system' },
  );
  services.push(performance.now() - started);
}

const pct = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, c) => a - c);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};
const ms = (x: number) => `${x.toFixed(1)} ms`;
console.log(
  `month page: ${(bytes / 1024).toFixed(0)} KiB; render p50 ${ms(pct(renders, 50))}, p99 ${ms(pct(renders, 99))}`,
);
console.log(
  `move (POST + re-rendered month), ${MOVES} moves: p50 ${ms(pct(moves, 50))}, p99 ${ms(pct(moves, 99))}, ` +
    `max ${ms(Math.max(...moves))}; refused ${refused}`,
);
console.log(`the move alone (posts service): p50 ${ms(pct(services, 50))}, p99 ${ms(pct(services, 99))}`);
await t.close();

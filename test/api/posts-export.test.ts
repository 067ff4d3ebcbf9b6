// GET /api/v1/posts.csv: the posts GET /posts lists, in the columns the import reads back; text that a
// spreadsheet would run as a formula is neutralised and still parses back to the original; times in
// the client's zone with the offset of that day; one page in memory at a time.
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST_CSV_COLUMNS, POST_CSV_IMPORT_COLUMNS, unguardCell } from '../../src/domain/post-csv.js';
import { ManualClock } from '../../src/lib/clock.js';
import { json, makeHerald, seedClient, type TestHerald } from '../helpers/herald.js';
import { makeImage } from '../helpers/media-fixtures.js';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
type Row = Record<(typeof POST_CSV_COLUMNS)[number], string>;

const HOSTILE = [
  "=cmd|' /C calc'!A0",
  '@SUM(1)',
  '+1+2',
  '-2 degrees tonight',
  "'=already quoted",
  '\tTabbed start',
  'He said "hello", then left',
  'line one\nline two\r\nline three',
  '\u202Eevil.exe\u202C שלום עולם مرحبا',
];

function rowsOf(text: string): Row[] {
  return parse(text, { columns: true, bom: true }) as Row[];
}

describe('GET /api/v1/posts.csv', () => {
  let t: TestHerald;
  let acme: ReturnType<typeof seedClient>;
  let other: ReturnType<typeof seedClient>;
  let imageKey: string;
  const ids: Record<string, string> = {};

  const create = (body: Record<string, unknown>) => t.herald.services.posts.create(body, { kind: 'system' }).id;

  beforeAll(async () => {
    t = await makeHerald({}, { clock: new ManualClock(T0) });
    acme = seedClient(t);
    other = seedClient(t, { name: 'Other Co', timezone: 'America/New_York' });
    for (const [id, name] of [
      ['lbl_launch', 'Launch'],
      ['lbl_pillar', 'Pillar: recipes'],
    ])
      t.herald.repos.labels.insert({ id: id!, name: name!, color: '#112233', createdAt: 1, updatedAt: 1 });
    const form = new FormData();
    form.set('clientId', acme.client.id);
    form.set('file', new Blob([new Uint8Array(await makeImage(1080, 1080))]), 'bread.jpg');
    const media = await json(await t.api('POST', '/media', form));
    imageKey = new URL(media.url).pathname.split('/').pop()!;
    ids.full = create({
      accountId: acme.facebook.id,
      caption: 'Fresh bread at nine',
      mediaIds: [media.id],
      firstComment: 'Order at https://acme.example',
      labels: ['lbl_launch', 'lbl_pillar'],
      scheduledAt: '2026-03-28T08:00:00.000Z',
      status: 'scheduled',
    });
    ids.afterDst = create({
      accountId: acme.facebook.id,
      caption: 'After the clocks change',
      scheduledAt: '2026-03-30T07:00:00.000Z',
      status: 'scheduled',
    });
    ids.story = create({ accountId: acme.instagram.id, surface: 'story', mediaIds: [media.id], status: 'draft' });
    ids.autumn = create({
      accountId: acme.facebook.id,
      caption: 'Autumn',
      scheduledAt: '2026-10-26T08:00:00.000Z',
      status: 'draft',
      labels: ['lbl_launch'],
    });
    HOSTILE.forEach((caption, i) => {
      ids[`hostile${i}`] = create({
        accountId: acme.facebook.id,
        caption,
        firstComment: caption,
        scheduledAt: `2026-04-0${i + 1}T10:00:00.000Z`,
        status: 'draft',
      });
    });
    ids.published = create({ accountId: acme.facebook.id, caption: 'Went out', status: 'draft' });
    t.herald.database.sqlite
      .prepare("UPDATE posts SET status = 'published', scheduled_at = ?, published_at = ?, permalink = ? WHERE id = ?")
      .run(
        Date.parse('2026-02-20T09:00:00Z'),
        Date.parse('2026-02-20T09:00:42Z'),
        'https://fb.example/p/1',
        ids.published,
      );
    ids.other = create({
      accountId: other.facebook.id,
      caption: 'Someone else',
      scheduledAt: '2026-03-28T08:00:00.000Z',
      status: 'scheduled',
    });
  });
  afterAll(() => t.close());

  it('writes the columns in order, one row per post, as the import reads them', async () => {
    const res = await t.api('GET', `/posts.csv?clientId=${acme.client.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="posts-acme-bakery-2026-03-01\.csv"/);
    const text = await res.text();
    expect(text.split('\r\n')[0]).toBe(POST_CSV_COLUMNS.join(','));
    expect(POST_CSV_IMPORT_COLUMNS.every((c, i) => POST_CSV_COLUMNS[i] === c)).toBe(true);
    const rows = rowsOf(text);
    expect(rows.map((r) => r.post_id).sort()).toEqual(
      Object.keys(ids)
        .filter((k) => k !== 'other')
        .map((k) => ids[k])
        .sort(),
    );
    expect(rows.find((r) => r.post_id === ids.full)).toEqual({
      account_id: acme.facebook.id,
      network: 'facebook',
      account_name: 'Acme Page',
      time: '2026-03-28T09:00:00+01:00',
      caption: 'Fresh bread at nine',
      media_urls: `http://herald.test/media/${imageKey}`,
      first_comment: 'Order at https://acme.example',
      labels: 'Launch|Pillar: recipes',
      surface: 'feed',
      status: 'scheduled',
      post_id: ids.full,
      state: 'scheduled',
      published_at: '',
      permalink: '',
      last_error: '',
    });
    expect(rows.find((r) => r.post_id === ids.story)).toMatchObject({
      network: 'instagram',
      account_name: 'acme.bakery',
      time: '',
      surface: 'story',
      status: 'draft',
      state: 'draft',
    });
    // A published post goes back in as a draft: importing an export never publishes twice.
    expect(rows.find((r) => r.post_id === ids.published)).toMatchObject({
      status: 'draft',
      state: 'published',
      time: '2026-02-20T10:00:00+01:00',
      published_at: '2026-02-20T10:00:42+01:00',
      permalink: 'https://fb.example/p/1',
    });
  });

  it('writes times in the client zone with the offset of each date, across daylight-saving changes', async () => {
    const rows = rowsOf(await (await t.api('GET', `/posts.csv?clientId=${acme.client.id}`)).text());
    const time = (id: string) => rows.find((r) => r.post_id === id)!.time;
    expect(time(ids.full!)).toBe('2026-03-28T09:00:00+01:00');
    expect(time(ids.afterDst!)).toBe('2026-03-30T09:00:00+02:00');
    expect(time(ids.autumn!)).toBe('2026-10-26T09:00:00+01:00');
    for (const id of [ids.full!, ids.afterDst!, ids.autumn!])
      expect(Date.parse(time(id))).toBe(t.herald.repos.posts.get(id)!.scheduledAt);
    const theirs = rowsOf(await (await t.api('GET', `/posts.csv?clientId=${other.client.id}`)).text());
    expect(theirs.map((r) => r.time)).toEqual(['2026-03-28T04:00:00-04:00']);
  });

  it('neutralises formulas in every text cell, and unguardCell gives the original text back', async () => {
    const text = await (await t.api('GET', `/posts.csv?clientId=${acme.client.id}`)).text();
    const raw = parse(text, { bom: true }) as string[][];
    for (const cell of raw.flat()) expect(cell, cell).not.toMatch(/^[=+\-@\t\r]/);
    const rows = rowsOf(text);
    HOSTILE.forEach((caption, i) => {
      const row = rows.find((r) => r.post_id === ids[`hostile${i}`])!;
      expect(unguardCell(row.caption)).toBe(caption);
      expect(unguardCell(row.first_comment)).toBe(caption);
    });
    expect(rows.find((r) => r.post_id === ids.hostile0)!.caption).toBe("'=cmd|' /C calc'!A0");
    expect(rows.find((r) => r.post_id === ids.hostile4)!.caption).toBe("''=already quoted");
  });

  it.each<[string, (a: ReturnType<typeof seedClient>) => string, string[]]>([
    ['status', () => 'status=draft', ['story', 'autumn', ...HOSTILE.map((_, i) => `hostile${i}`)]],
    ['two statuses', () => 'status=scheduled,published', ['full', 'afterDst', 'published']],
    ['account', (a) => `accountId=${a.instagram.id}`, ['story']],
    ['time range', () => 'from=2026-03-28T00:00:00Z&to=2026-03-31T00:00:00Z', ['full', 'afterDst']],
    ['label', () => 'labelId=lbl_launch', ['full', 'autumn']],
  ])('filters by %s as GET /posts does', async (_name, query, expected) => {
    const path = `/posts.csv?clientId=${acme.client.id}&${query(acme)}`;
    const rows = rowsOf(await (await t.api('GET', path)).text());
    expect(rows.map((r) => r.post_id).sort()).toEqual(expected.map((k) => ids[k]).sort());
    const listed = await json(await t.api('GET', `/posts?clientId=${acme.client.id}&${query(acme)}&limit=200`));
    expect(listed.data.map((p: { id: string }) => p.id).sort()).toEqual(expected.map((k) => ids[k]).sort());
  });

  it('answers bad filters with validation_failed and an unknown client with not_found, never a 500', async () => {
    const bad = await t.api('GET', '/posts.csv?status=bogus&from=yesterday');
    expect(bad.status).toBe(400);
    const error = (await json(bad)).error;
    expect(error.code).toBe('validation_failed');
    expect(Object.keys(error.details).sort()).toEqual(['from', 'status.0']);
    const missing = await t.api('GET', '/posts.csv?clientId=cli_nope');
    expect(missing.status).toBe(404);
    expect((await json(missing)).error.code).toBe('not_found');
  });

  it("a client's export holds only its posts; a read token may export, no token may not", async () => {
    const { token } = t.herald.services.apiTokens.create({ name: 'reader', scope: 'read' });
    const res = await t.herald.app.request(`/api/v1/posts.csv?clientId=${other.client.id}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(rowsOf(text).map((r) => r.post_id)).toEqual([ids.other]);
    for (const id of Object.values(ids).filter((id) => id !== ids.other)) expect(text).not.toContain(id);
    // Another client's account under this client's id: nothing.
    const crossed = await t.api('GET', `/posts.csv?clientId=${other.client.id}&accountId=${acme.facebook.id}`);
    expect(rowsOf(await crossed.text())).toEqual([]);
    expect((await t.herald.app.request('/api/v1/posts.csv')).status).toBe(401);
    // Without a client, every client's posts (the agency's own token).
    const all = rowsOf(await (await t.api('GET', '/posts.csv')).text());
    expect(all.map((r) => r.post_id).sort()).toEqual(Object.values(ids).sort());
  });
});

describe('GET /api/v1/posts.csv with 50,000 posts', () => {
  let t: TestHerald;
  let clientId: string;
  const COUNT = 50_000;
  const CAPTION = `${'Fresh sourdough every morning, '.repeat(33)}#bread`;

  beforeAll(async () => {
    t = await makeHerald({}, { clock: new ManualClock(T0) });
    const seeded = seedClient(t);
    clientId = seeded.client.id;
    const first = t.herald.services.posts.create(
      { accountId: seeded.facebook.id, caption: CAPTION, scheduledAt: '2026-04-01T08:00:00.000Z', status: 'scheduled' },
      { kind: 'system' },
    ).id;
    const { sqlite } = t.herald.database;
    const columns = (sqlite.prepare('PRAGMA table_info(posts)').all() as Array<{ name: string }>).map((c) => c.name);
    const override: Record<string, string> = {
      id: "printf('post_bulk_%06d', n.i)",
      scheduled_at: 'p.scheduled_at + n.i * 60000',
      due_at: 'p.due_at + n.i * 60000',
      slot_key: 'NULL',
      current_attempt_id: 'NULL',
      evergreen_source_id: 'NULL',
    };
    const values = columns.map((c) => override[c] ?? `p.${c}`).join(', ');
    sqlite
      .prepare(
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
         INSERT INTO posts (${columns.join(', ')}) SELECT ${values} FROM n, posts p WHERE p.id = ?`,
      )
      .run(COUNT - 1, first);
  }, 120_000);
  afterAll(() => t.close());

  it('streams the file page by page: the heap stays flat while 50 MB go out (figures printed)', async () => {
    const v8 = await import('node:v8');
    const vm = await import('node:vm');
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    gc();
    const before = process.memoryUsage().heapUsed;
    const res = await t.api('GET', `/posts.csv?clientId=${clientId}`);
    const reader = res.body!.getReader();
    let bytes = 0;
    let lines = 0;
    let peak = 0;
    let chunks = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      for (const b of value) if (b === 10) lines++;
      if (++chunks % 10 === 0) {
        gc();
        peak = Math.max(peak, process.memoryUsage().heapUsed - before);
      }
    }
    gc();
    const after = process.memoryUsage().heapUsed - before;
    const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;
    console.log(
      `posts.csv of ${COUNT} posts: ${mb(bytes)} in ${chunks} pieces; heap after GC: before ${mb(before)}, ` +
        `peak while streaming +${mb(peak)}, after +${mb(after)}`,
    );
    expect(lines).toBe(COUNT + 1);
    expect(bytes).toBeGreaterThan(50 * 1048576);
    // Holding the posts (or the text) would keep tens of megabytes alive between pieces.
    expect(peak).toBeLessThan(16 * 1048576);
  }, 180_000);
});

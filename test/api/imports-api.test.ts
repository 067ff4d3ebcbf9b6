import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { json, makeHerald, seedClient, type TestHerald } from '../helpers/herald.js';
import { makeImage, startFileHost, type FileHost } from '../helpers/media-fixtures.js';

// A week before Berlin's clocks go forward (Sunday 2026-03-29, 02:00 → 03:00).
const clock = new ManualClock(Date.parse('2026-03-20T12:00:00Z'));
const HEADER = 'account_id,network,account_name,time,caption,media_urls,first_comment,labels,surface,status';

let t: TestHerald;
let files: FileHost;
let seeded: ReturnType<typeof seedClient>;

function form(csv: string | Buffer, clientId = seeded.client.id, name = 'posts.csv'): FormData {
  const body = new FormData();
  body.set('clientId', clientId);
  body.set('file', new Blob([typeof csv === 'string' ? csv : new Uint8Array(csv)]), name);
  return body;
}

async function dryRun(csv: string | Buffer, clientId?: string) {
  const res = await t.api('POST', '/imports', form(csv, clientId));
  return { status: res.status, body: await json(res) };
}

const countOf = (table: string) =>
  (t.herald.database.sqlite.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

beforeAll(async () => {
  const jpeg = await makeImage(1080, 1080);
  files = await startFileHost({
    '/bread.jpg': ['image/jpeg', jpeg],
    '/not-an-image.txt': ['text/plain', Buffer.from('hello, not a photo')],
  });
  t = await makeHerald({ OUTBOUND_PRIVATE_HOSTS: '127.0.0.1' }, { clock });
  seeded = seedClient(t);
  t.herald.services.labels.create({ name: 'Weekly', color: '#336699' });
  t.herald.services.labels.create({ name: 'Bread', color: '#993366' });
});
afterAll(async () => {
  await t.close();
  await files.close();
});

describe('POST /api/v1/imports (dry run)', () => {
  it('checks every row as the API would and writes no post', async () => {
    const fb = seeded.facebook.id;
    const csv = [
      HEADER,
      `${fb},,,2026-03-28 09:00,Before the change,,,Weekly,,scheduled`,
      `,facebook,Acme Page,2026-03-30 09:00,After the change,,,weekly|bread,feed,scheduled`,
      `,facebook,acme page,2026-03-30T09:00:00+01:00,With an offset,,,,,scheduled`,
      `,instagram,acme.bakery,,"Two lines
in one cell",${files.url}/bread.jpg ${files.url}/bread.jpg,"#bread",,,draft`,
      `,instagram,acme.bakery,,Same photo again,${files.url}/bread.jpg,,,,draft`,
      `,facebook,Nobody,,x,,,Nope,,draft`,
      `${fb},,,2026-03-19 09:00,In the past,,,,,scheduled`,
      `${fb},,,tomorrow,Bad time,,,,,sometime`,
    ].join('\r\n');
    const posts = countOf('posts');
    const { status, body } = await dryRun(csv);
    expect(status).toBe(200);
    expect(body.committed).toBe(false);
    expect(body.rows.map((r: any) => [r.line, r.ok])).toEqual([
      [2, true],
      [3, true],
      [4, true],
      [5, true],
      [7, true],
      [8, false],
      [9, false],
      [10, false],
    ]);
    expect(body.rows[5].errors).toEqual({
      account: ['the client has no Facebook account "Nobody"'],
      labels: ['unknown labels: Nope'],
    });
    expect(body.rows[6].errors).toEqual({ time: ['is in the past'] });
    expect(Object.keys(body.rows[7].errors).sort()).toEqual(['status', 'time']);
    expect(countOf('posts')).toBe(posts);
    // The photo was downloaded once and kept as the client's media, named after where it came from.
    const kept = t.herald.repos.media.listByClient(seeded.client.id, 50).data;
    expect(kept.filter((m) => m.originalName === 'import · bread.jpg')).toHaveLength(1);

    // Times: the client's zone on each side of the change, or the offset the cell carries.
    const stored = t.herald.repos.imports.get(body.id)!.rows as any[];
    expect(stored.slice(0, 3).map((r) => new Date(r.post.scheduledAt).toISOString())).toEqual([
      '2026-03-28T08:00:00.000Z',
      '2026-03-30T07:00:00.000Z',
      '2026-03-30T08:00:00.000Z',
    ]);
    expect(stored[1].post.labelIds).toHaveLength(2);
    expect(stored[3].post.caption).toBe('Two lines\nin one cell');
    expect(stored[3].post.mediaIds).toEqual(stored[4].post.mediaIds);

    // Rows with errors: the commit refuses, nothing is written.
    const refused = await t.api('POST', `/imports/${body.id}/commit`);
    expect(refused.status).toBe(409);
    expect((await json(refused)).error.message).toMatch(/3 of 8 rows have errors \(first on line 8\)/);
    expect(countOf('posts')).toBe(posts);
  });

  it('reads formula cells as text, the export guard undone, never as anything else', async () => {
    const csv = `${HEADER}\n,facebook,Acme Page,,"=HYPERLINK(""http://evil.test"",""click"")",,'=1+1,,,draft\n`;
    const { body } = await dryRun(csv);
    expect(body.rows).toEqual([{ line: 2, ok: true }]);
    const commit = await json(await t.api('POST', `/imports/${body.id}/commit`));
    const post = t.herald.services.posts.get(commit.rows[0].postId);
    expect(post.caption).toBe('=HYPERLINK("http://evil.test","click")');
    expect(post.firstComment).toBe('=1+1');
  });

  it('reads UTF-8 with a BOM and UTF-16 (LE and BE) with theirs; refuses other encodings in words', async () => {
    const csv = `${HEADER}\n,facebook,Acme Page,,Crème brûlée 🍮,,,,,draft\n`;
    const utf16be = Buffer.from(csv, 'utf16le').swap16();
    for (const bytes of [
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(csv)]),
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(csv, 'utf16le')]),
      Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be]),
    ]) {
      const { status, body } = await dryRun(bytes);
      expect(status).toBe(200);
      expect(body.rows).toEqual([{ line: 2, ok: true }]);
      expect((t.herald.repos.imports.get(body.id)!.rows as any[])[0].post.caption).toBe('Crème brûlée 🍮');
    }
    const latin1 = await dryRun(Buffer.from(csv.replace(' 🍮', ''), 'latin1'));
    expect(latin1.status).toBe(400);
    expect(latin1.body.error.message).toMatch(/not UTF-8 text .*Save it as "CSV UTF-8"/);
    const noBom = await dryRun(Buffer.from(csv, 'utf16le'));
    expect(noBom.status).toBe(400);
  });

  it('refuses a file over 5 MB, over 10,000 rows, or with unknown columns, saying so', async () => {
    const big = `${HEADER}\n`.padEnd(5 * 1024 * 1024 + 1, 'x');
    const tooBig = await dryRun(big);
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.error.message).toMatch(/larger than 5 MB/);

    const row = `,facebook,Acme Page,,Hello,,,,,draft`;
    const many = await dryRun(`${HEADER}\n${Array.from({ length: 10_001 }, () => row).join('\n')}\n`);
    expect(many.status).toBe(413);
    expect(many.body.error.message).toMatch(/more than 10,000 rows/);
    const enough = await dryRun(`${HEADER}\n${Array.from({ length: 10_000 }, () => row).join('\n')}\n`);
    expect(enough.status).toBe(200);
    expect(enough.body.rows).toHaveLength(10_000);

    const wrong = await dryRun(`account,when,caption\nx,y,z\n`);
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toMatch(/unknown columns: "account", "when"/);
    // Export-only columns are read and ignored.
    const exported = await dryRun(
      `network,account_name,caption,post_id,state,permalink\nfacebook,Acme Page,Hi,p1,x,y\n`,
    );
    expect(exported.body.rows).toEqual([{ line: 2, ok: true }]);
    const trailing = await dryRun(`network,account_name,caption,,\nfacebook,Acme Page,Hi,,\n`);
    expect(trailing.body.rows).toEqual([{ line: 2, ok: true }]);
    // An exported row names the account twice; another client's id falls back to the network and name.
    const moved = await dryRun(`account_id,network,account_name,caption\nacc_elsewhere,facebook,Acme Page,Hi\n`);
    expect(moved.body.rows).toEqual([{ line: 2, ok: true }]);
    const unknownId = await dryRun(`account_id,caption\nacc_elsewhere,Hi\n`);
    expect(unknownId.body.rows[0].errors).toEqual({ account: ['no account acc_elsewhere for this client'] });
    const noHeader = await dryRun(`,facebook,Acme Page,,Hello,,,,,draft\n`);
    expect(noHeader.status).toBe(400);
  });

  it('downloads media from a listed private host only; another private address is refused', async () => {
    const csv = [
      HEADER,
      `,instagram,acme.bakery,,Photo,${files.url}/bread.jpg,,,,draft`,
      `,instagram,acme.bakery,,Metadata,http://169.254.169.254/latest/meta-data,,,,draft`,
      `,instagram,acme.bakery,,Not a photo,${files.url}/not-an-image.txt,,,,draft`,
      `,instagram,acme.bakery,,Missing,${files.url}/missing.jpg,,,,draft`,
    ].join('\n');
    const { body } = await dryRun(csv);
    expect(body.rows[0]).toEqual({ line: 2, ok: true });
    expect(body.rows[1].errors.media_urls[0]).toMatch(/169\.254\.169\.254 is a private address/);
    expect(body.rows[2].errors.media_urls[0]).toMatch(/not-an-image\.txt: /);
    expect(body.rows[3].errors.media_urls[0]).toMatch(/answered 404/);
  });
});

describe('POST /api/v1/imports/:id/commit', () => {
  it('writes every row in one transaction, once: a failure half-way leaves nothing', async () => {
    t.herald.services.clients.update(seeded.client.id, { approvalMode: 'client' });
    const csv = [
      HEADER,
      ...Array.from(
        { length: 5 },
        (_, i) => `,facebook,Acme Page,2026-04-0${i + 1} 10:00,Post ${i},,,Weekly,,scheduled`,
      ),
      `,facebook,Acme Page,,A draft,,,,,draft`,
    ].join('\n');
    const { body } = await dryRun(csv);
    expect(body.rows.every((r: any) => r.ok)).toBe(true);
    const before = { posts: countOf('posts'), logs: countOf('post_logs'), events: countOf('events') };
    // The fourth post of the file makes the database refuse.
    const { sqlite } = t.herald.database;
    sqlite.exec(`CREATE TRIGGER import_boom BEFORE INSERT ON posts
      WHEN (SELECT count(*) FROM posts WHERE caption LIKE 'Post %') >= 3
      BEGIN SELECT RAISE(ABORT, 'injected failure'); END`);
    const failed = await t.api('POST', `/imports/${body.id}/commit`);
    expect(failed.status).toBe(500);
    expect({ posts: countOf('posts'), logs: countOf('post_logs'), events: countOf('events') }).toEqual(before);
    expect(t.herald.repos.imports.get(body.id)!.status).toBe('dry_run');
    sqlite.exec('DROP TRIGGER import_boom');

    const res = await t.api('POST', `/imports/${body.id}/commit`);
    expect(res.status).toBe(200);
    const done = await json(res);
    expect(done.committed).toBe(true);
    expect(done.rows.map((r: any) => r.line)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(done.rows.every((r: any) => r.ok && r.postId)).toBe(true);
    const made = done.rows.map((r: any) => t.herald.services.posts.get(r.postId));
    // Client approval applies as it does to the API's posts; the reviewers hear once.
    expect(made.map((p: any) => p.status)).toEqual([...Array(5).fill('pending_approval'), 'draft']);
    expect(made[0].labels).toHaveLength(1);
    expect(t.herald.services.posts.logs(made[0].id)[0]!.message).toMatch(/^Created as .* from a CSV import/);
    expect(countOf('events') - before.events).toBe(1);

    const again = await t.api('POST', `/imports/${body.id}/commit`);
    expect(again.status).toBe(409);
    expect(countOf('posts')).toBe(before.posts + 6);
    t.herald.services.clients.update(seeded.client.id, { approvalMode: 'none' });
  });

  it('commits in chunks: one cut off part-way says how far it got; a new commit adds the rest', async () => {
    const csv = [HEADER, ...Array.from({ length: 250 }, (_, i) => `,facebook,Acme Page,,Chunked ${i},,,,,draft`)].join(
      '\n',
    );
    const { body } = await dryRun(csv);
    expect(body.rows.every((r: any) => r.ok)).toBe(true);
    const before = countOf('posts');
    // The 151st post of the file is refused: the six chunks of 25 before it are in, its own is rolled back.
    const { sqlite } = t.herald.database;
    sqlite.exec(`CREATE TRIGGER import_chunk_boom BEFORE INSERT ON posts
      WHEN (SELECT count(*) FROM posts WHERE caption LIKE 'Chunked %') >= 150
      BEGIN SELECT RAISE(ABORT, 'injected failure'); END`);
    const failed = await t.api('POST', `/imports/${body.id}/commit`);
    expect(failed.status).toBe(500);
    expect(countOf('posts') - before).toBe(150);
    const partial = await json(await t.api('GET', `/imports/${body.id}`));
    expect(partial).toMatchObject({ committed: false, imported: 150 });
    expect(partial.rows.filter((r: any) => r.postId)).toHaveLength(150);
    sqlite.exec('DROP TRIGGER import_chunk_boom');

    const done = await json(await t.api('POST', `/imports/${body.id}/commit`));
    expect(done).toMatchObject({ committed: true, imported: 250 });
    expect(countOf('posts') - before).toBe(250);
    // Each line once: 250 distinct posts, one per caption.
    const captions = sqlite
      .prepare("SELECT count(DISTINCT caption) AS n FROM posts WHERE caption LIKE 'Chunked %'")
      .get() as { n: number };
    expect(captions.n).toBe(250);
    expect(new Set(done.rows.map((r: any) => r.postId)).size).toBe(250);
  });

  it("puts queue rows in the account's next free posting times (across the change to summer time)", async () => {
    const patched = await t.api('PATCH', `/accounts/${seeded.facebook.id}`, {
      postingTimes: [{ weekday: 1, time: '09:00' }],
    });
    expect(patched.status).toBe(200);
    const csv = [
      HEADER,
      `,facebook,Acme Page,,First in the queue,,,,,queue`,
      `,facebook,Acme Page,,Second in the queue,,,,,queue`,
      `,instagram,acme.bakery,,No posting times,${files.url}/bread.jpg,,,,queue`,
      `,facebook,Acme Page,2026-03-23 10:00,A time and the queue,,,,,queue`,
    ].join('\n');
    const { body } = await dryRun(csv);
    expect(body.rows.slice(0, 2)).toEqual([
      { line: 2, ok: true },
      { line: 3, ok: true },
    ]);
    expect(body.rows[2].errors).toEqual({
      status: ['queue: acme.bakery has no posting times; set them on its account page first'],
    });
    expect(body.rows[3].errors).toEqual({ time: ['must be empty: the queue picks the time'] });
    const clean = await dryRun(csv.split('\n').slice(0, 3).join('\n'));
    const done = await json(await t.api('POST', `/imports/${clean.body.id}/commit`));
    const made = done.rows.map((r: any) => t.herald.repos.posts.get(r.postId)!);
    expect(made.map((p: any) => [p.status, p.queued, new Date(p.scheduledAt).toISOString()])).toEqual([
      ['scheduled', true, '2026-03-23T08:00:00.000Z'],
      ['scheduled', true, '2026-03-30T07:00:00.000Z'],
    ]);
  });

  it('refuses the commit, writing nothing, when a label the dry run found was deleted since', async () => {
    const label = t.herald.services.labels.create({ name: 'Short-lived', color: '#123456' });
    const { body } = await dryRun(`${HEADER}\n,facebook,Acme Page,,Hi,,,Short-lived,,draft\n`);
    expect(body.rows).toEqual([{ line: 2, ok: true }]);
    t.herald.services.labels.delete(label.id);
    const posts = countOf('posts');
    const res = await t.api('POST', `/imports/${body.id}/commit`);
    expect(res.status).toBe(409);
    expect((await json(res)).error.message).toBe(
      'Line 2: a label or media file it names was deleted since the dry run. Upload the file again.',
    );
    expect(countOf('posts')).toBe(posts);
  });

  it('needs the write scope and answers 404 for an unknown import', async () => {
    const { token } = t.herald.services.apiTokens.create({ name: 'reader', scope: 'read' });
    const res = await t.herald.app.request('/api/v1/imports', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form(`${HEADER}\n`),
    });
    expect(res.status).toBe(403);
    expect((await t.api('POST', '/imports/imp_nope/commit')).status).toBe(404);
  });
});

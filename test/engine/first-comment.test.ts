import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { metaPlatform } from '../../src/platforms/meta/index.js';
import { FakeMeta } from '../fakes/meta.js';
import { startLiveHerald, type LiveHerald } from '../helpers/browser.js';
import { tempDir, TEST_SECRET } from '../helpers/herald.js';
import { makeImage } from '../helpers/media-fixtures.js';

// The first comment as its own step of the attempt, against the strict Meta fake: sent once,
// its id saved, its failure shown without failing the post, a lost answer settled by looking.

const APP = { appId: '1234567890', appSecret: 'app-secret' };

let meta: FakeMeta;
let live: LiveHerald;
let configDir: string;
let page: { pageId: string; pageToken: string; igUserId: string | null };
let fbId: string;
let igId: string;
let clientId: string;

beforeEach(async () => {
  meta = new FakeMeta(APP);
  const url = await meta.start();
  const env = {
    META_APP_ID: APP.appId,
    META_APP_SECRET: APP.appSecret,
    META_GRAPH_URL: `${url}/v25.0`,
    META_DIALOG_URL: `${url}/v25.0/dialog/oauth`,
  };
  configDir = tempDir();
  const config = loadConfig({ DATA_DIR: configDir, SECRET_KEY: TEST_SECRET, PUBLIC_URL: 'http://127.0.0.1:9', ...env });
  const { publishers } = metaPlatform({
    config,
    log: createLogger('silent'),
    options: { pollIntervalMs: 10, pollTimeoutMs: 5_000, slowDownMaxMs: 20, requestTimeoutMs: 5_000 },
  });
  live = await startLiveHerald(env, {
    publishers,
    engine: { backoffBaseMs: 1_000, backoffCapMs: 60_000, settleMs: 0, random: () => 1 },
  });
  // The tests drive the engine themselves.
  await live.herald.scheduler.stop(1_000);
  live.herald.lease.tick();
  const { clients, accounts } = live.herald.services;
  clientId = clients.create({ name: 'Acme Bakery', timezone: 'Europe/Berlin', approvalMode: 'none' }).id;
  page = meta.addPage({ name: 'Acme Bakery', instagram: { username: 'acme.bakery' } });
  fbId = accounts.connect({
    clientId,
    platform: 'facebook',
    externalId: page.pageId,
    name: 'Acme Bakery',
    accessToken: page.pageToken,
    scopes: [],
  }).id;
  igId = accounts.connect({
    clientId,
    platform: 'instagram',
    externalId: page.igUserId!,
    name: 'acme.bakery',
    accessToken: page.pageToken,
    scopes: [],
    parentAccountId: fbId,
  }).id;
});

afterEach(async () => {
  await live.close();
  await meta.stop();
  rmSync(configDir, { recursive: true, force: true });
});

const sqlite = () => live.herald.database.sqlite;

/** A scheduled post with a first comment (seeded as the composer writes it: status `waiting`). */
function schedule(caption: string, comment: string, accountId = fbId, mediaIds: string[] = []): string {
  const id = live.herald.services.posts.create(
    { accountId, caption, mediaIds, scheduledAt: new Date().toISOString(), status: 'scheduled' },
    { kind: 'system' },
  ).id;
  sqlite()
    .prepare("UPDATE posts SET first_comment = ?, first_comment_status = 'waiting' WHERE id = ?")
    .run(comment, id);
  return id;
}

async function round(): Promise<void> {
  live.herald.engine.runDue();
  await live.herald.engine.drain(30_000);
}

const post = (id: string) => live.herald.services.posts.get(id);
const commentPosts = () => meta.calls(/\/comments$/, 'POST');
const commentLogs = (id: string) =>
  live.herald.repos.posts
    .logsOf(id)
    .filter((l) => l.step === 'comment')
    .map((l) => l.message);
const events = (type: string) =>
  sqlite().prepare('SELECT data FROM events WHERE type = ?').all(type) as Array<{ data: string }>;

describe('first comment', () => {
  it('is posted once on the Facebook post, with its id saved on the post and the attempt', async () => {
    const id = schedule('Fresh bread today', 'Order at https://acme.test/order');
    await round();

    const p = post(id);
    expect(p.status).toBe('published');
    expect(p.firstCommentStatus).toBe('posted');
    expect(meta.comments.all).toHaveLength(1);
    const comment = meta.comments.all[0]!;
    expect(comment).toMatchObject({
      parentId: p.externalId,
      fromId: page.pageId,
      message: 'Order at https://acme.test/order',
    });
    // The full `{page}_{post}` id, with the Page token, and nothing but the message.
    expect(p.externalId).toMatch(new RegExp(`^${page.pageId}_`));
    expect(p.firstCommentId).toBe(comment.id);
    expect(live.herald.repos.publishing.getAttempt(p.currentAttemptId!)!.state.commentId).toBe(comment.id);
    expect(commentPosts()).toHaveLength(1);
    expect(p.firstCommentSends).toBe(1);
    expect(commentLogs(id)).toEqual([
      'Sending the first comment to Facebook (send 1).',
      'Facebook answered 200.',
      expect.stringMatching(/^First comment added on Facebook \(id /),
    ]);
    // Nothing left for the reconciler.
    const counts = await live.herald.engine.reconcile();
    expect(counts).toMatchObject({ commentsPosted: 0, commentsResent: 0, commentsFailed: 0 });
    expect(meta.comments.all).toHaveLength(1);
  });

  it('is posted on the published Instagram media id, never the container, without fields= on the POST', async () => {
    const image = await live.herald.services.media.ingest([await makeImage(1080, 1080, 'jpeg')], { clientId });
    const id = schedule('Sourdough #bread', 'Recipe in our bio', igId, [image.id]);
    await round();

    const p = post(id);
    expect(p.status).toBe('published');
    expect(p.firstCommentStatus).toBe('posted');
    const media = meta.igPublished[0]!;
    expect(meta.comments.all).toEqual([
      expect.objectContaining({ parentId: media.mediaId, fromId: page.igUserId, message: 'Recipe in our bio' }),
    ]);
    expect(commentPosts().map((r) => r.path)).toEqual([`/v25.0/${media.mediaId}/comments`]);
    expect(commentPosts()[0]!.query.fields).toBeUndefined();
    expect((commentPosts()[0]!.body as Record<string, string>).fields).toBeUndefined();
    expect(p.firstCommentId).toBe(meta.comments.all[0]!.id);
  });

  it('refused: the post stays published, the comment fails in the platform’s words, the event is out', async () => {
    // The Page token lacks pages_manage_engagement: Graph answers #200.
    meta.declinePermissions('pages_manage_engagement');
    const id = schedule('Fresh bread today', 'Order now');
    await round();

    const p = post(id);
    expect(p.status).toBe('published');
    expect(p.lastError).toBeNull();
    expect(p.firstCommentStatus).toBe('failed');
    expect(p.firstCommentError).toMatch(/pages_manage_engagement/);
    expect(meta.comments.all).toHaveLength(0);
    const failed = events('post.first_comment_failed');
    expect(failed).toHaveLength(1);
    expect(JSON.parse(failed[0]!.data)).toMatchObject({
      postId: id,
      accountId: fbId,
      platform: 'facebook',
      message: expect.stringMatching(/pages_manage_engagement/),
    });
    expect(events('post.failed')).toHaveLength(0);
    // A failed comment is never tried again on its own.
    await live.herald.engine.reconcile();
    expect(commentPosts()).toHaveLength(1);
  });

  it('lost answer: left sent, then found by the reconciler; exactly one comment on Facebook', async () => {
    meta.loseCommentAnswers(1);
    const id = schedule('Fresh bread today', 'Order now');
    await round();

    expect(post(id).status).toBe('published');
    expect(post(id).firstCommentStatus).toBe('sent');
    expect(meta.comments.all).toHaveLength(1);

    const counts = await live.herald.engine.reconcile();
    expect(counts).toMatchObject({ commentsPosted: 1, commentsResent: 0 });
    expect(post(id).firstCommentStatus).toBe('posted');
    expect(post(id).firstCommentId).toBe(meta.comments.all[0]!.id);
    expect(meta.comments.all).toHaveLength(1);
    expect(commentPosts()).toHaveLength(1);
    expect(commentLogs(id).at(-1)).toMatch(/found on Facebook after an unclear answer/);
  });

  it('lost answer on Instagram: found among the media’s comments by the account, posted once', async () => {
    const image = await live.herald.services.media.ingest([await makeImage(1080, 1080, 'jpeg')], { clientId });
    meta.loseCommentAnswers(1);
    const id = schedule('Sourdough #bread', 'Recipe in our bio', igId, [image.id]);
    await round();
    expect(post(id).firstCommentStatus).toBe('sent');

    await live.herald.engine.reconcile();
    expect(post(id).firstCommentStatus).toBe('posted');
    expect(post(id).firstCommentId).toBe(meta.comments.all[0]!.id);
    expect(meta.comments.all).toHaveLength(1);
    const reads = meta.calls(/\/comments$/, 'GET');
    expect(reads.map((r) => r.query.fields)).toEqual(['id,text,from']);
  });

  it('the same text by someone else is not ours: absent, sent once more', async () => {
    meta.inject({ method: 'POST', path: /\/comments$/, fault: { kind: 'reset' } });
    const id = schedule('Fresh bread today', 'Order now');
    await round();
    // A follower wrote the same words under the post meanwhile (Graph may withhold their `from`).
    const parentId = post(id).externalId!;
    meta.comments.add({ parentId, network: 'facebook', fromId: null, fromName: 'A fan', message: 'Order now' });
    meta.comments.add({ parentId, network: 'facebook', fromId: '42', fromName: 'Another fan', message: 'Order now' });

    const counts = await live.herald.engine.reconcile();
    expect(counts).toMatchObject({ commentsResent: 1 });
    expect(post(id).firstCommentStatus).toBe('posted');
    expect(meta.comments.all.filter((c) => c.fromId === page.pageId)).toHaveLength(1);
    expect(post(id).firstCommentId).toBe(meta.comments.all.find((c) => c.fromId === page.pageId)!.id);
  });

  it('proven absent: exactly one resend, then failed', async () => {
    // The connection drops before Facebook creates anything, twice.
    meta.inject({ method: 'POST', path: /\/comments$/, fault: { kind: 'reset' }, times: 2 });
    const id = schedule('Fresh bread today', 'Order now');
    await round();
    expect(post(id).firstCommentStatus).toBe('sent');

    const first = await live.herald.engine.reconcile();
    expect(first).toMatchObject({ commentsResent: 1 });
    expect(commentPosts()).toHaveLength(2);
    expect(post(id).firstCommentStatus).toBe('sent');

    const second = await live.herald.engine.reconcile();
    expect(second).toMatchObject({ commentsFailed: 1 });
    const p = post(id);
    expect(p.status).toBe('published');
    expect(p.firstCommentStatus).toBe('failed');
    expect(p.firstCommentSends).toBe(2);
    expect(p.firstCommentError).toMatch(/not found on Facebook after 2 sends/);
    expect(events('post.first_comment_failed')).toHaveLength(1);

    await live.herald.engine.reconcile();
    expect(commentPosts()).toHaveLength(2);
    expect(meta.comments.all).toHaveLength(0);
  });

  it('skipped when the account did not grant the comment permission; the post goes out', async () => {
    live.herald.services.accounts.connect({
      clientId,
      platform: 'facebook',
      externalId: page.pageId,
      name: 'Acme Bakery',
      accessToken: page.pageToken,
      scopes: ['pages_show_list', 'pages_read_engagement', 'pages_manage_posts'],
    });
    const id = schedule('Fresh bread today', 'Order now');
    await round();

    const p = post(id);
    expect(p.status).toBe('published');
    expect(p.firstCommentStatus).toBe('skipped');
    expect(p.firstCommentError).toMatch(/did not grant pages_manage_engagement\. Reconnect/);
    expect(commentPosts()).toHaveLength(0);
    expect(events('post.first_comment_failed')).toHaveLength(0);
  });

  it('a refusal that asks to wait: back to due with a retry time, sent again once it has passed', async () => {
    // #368: "misusing this feature by going too fast" — a temporary block.
    meta.failNext({
      code: 368,
      message: 'It looks like you were misusing this feature by going too fast.',
      path: /\/comments$/,
    });
    const id = schedule('Fresh bread today', 'Order now');
    const before = Date.now();
    await round();

    let p = post(id);
    expect(p.status).toBe('published');
    expect(p.firstCommentStatus).toBe('due');
    expect(p.firstCommentRetryAt).toBeGreaterThan(before + 60 * 60_000);
    expect(p.firstCommentError).toMatch(/^Will retry: /);
    // Not before its time.
    await live.herald.engine.reconcile();
    expect(commentPosts()).toHaveLength(1);

    sqlite()
      .prepare('UPDATE posts SET first_comment_retry_at = ? WHERE id = ?')
      .run(Date.now() - 1, id);
    const counts = await live.herald.engine.reconcile();
    expect(counts).toMatchObject({ commentsPosted: 1 });
    p = post(id);
    expect(p.firstCommentStatus).toBe('posted');
    expect(p.firstCommentSends).toBe(2);
    expect(meta.comments.all).toHaveLength(1);
  });

  it('asked to wait three times: gives up, the comment failed with the event, the post published', async () => {
    meta.failNext({
      code: 368,
      message: 'It looks like you were misusing this feature.',
      path: /\/comments$/,
      times: 3,
    });
    const id = schedule('Fresh bread today', 'Order now');
    await round();
    for (let retry = 0; retry < 2; retry++) {
      expect(post(id).firstCommentStatus).toBe('due');
      sqlite()
        .prepare('UPDATE posts SET first_comment_retry_at = ? WHERE id = ?')
        .run(Date.now() - 1, id);
      await live.herald.engine.reconcile();
    }
    const p = post(id);
    expect(p.status).toBe('published');
    expect(p.firstCommentStatus).toBe('failed');
    expect(p.firstCommentSends).toBe(3);
    expect(p.firstCommentError).toMatch(/^gave up after 3 tries: Facebook has temporarily blocked/);
    expect(events('post.first_comment_failed')).toHaveLength(1);
    expect(commentPosts()).toHaveLength(3);
    expect(meta.comments.all).toHaveLength(0);
  });

  it('a due comment left by a process that died after the publish settled: sent once by the reconciler', async () => {
    const id = schedule('Fresh bread today', 'Order now');
    // As the settle commit leaves it: published and due, nothing sent (the process died right after).
    sqlite().prepare("UPDATE posts SET first_comment = '', first_comment_status = 'none' WHERE id = ?").run(id);
    await round();
    sqlite().prepare("UPDATE posts SET first_comment = 'Order now', first_comment_status = 'due' WHERE id = ?").run(id);
    const counts = await live.herald.engine.reconcile();
    expect(counts).toMatchObject({ commentsPosted: 1 });
    expect(post(id).firstCommentStatus).toBe('posted');
    await live.herald.engine.reconcile();
    expect(meta.comments.all).toHaveLength(1);
    expect(commentPosts()).toHaveLength(1);
  });

  it('a process that lost its lease sends no comment; it stays due for the leader', async () => {
    const id = schedule('Fresh bread today', 'Order now');
    // Published by an attempt that settled, then the lease went to someone else before the comment.
    sqlite().prepare("UPDATE posts SET first_comment = '', first_comment_status = 'none' WHERE id = ?").run(id);
    await round();
    sqlite().prepare("UPDATE posts SET first_comment = 'Order now', first_comment_status = 'due' WHERE id = ?").run(id);
    sqlite().prepare("UPDATE leases SET holder = 'someone-else', epoch = epoch + 1 WHERE name = 'scheduler'").run();
    await live.herald.engine.reconcile();
    expect(commentPosts()).toHaveLength(0);
    expect(post(id).firstCommentStatus).toBe('due');
  });
});

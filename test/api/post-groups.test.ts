import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hoursFromNow, json, makeHerald, seedClient, type TestHerald } from '../helpers/herald.js';
import { makeImage } from '../helpers/media-fixtures.js';

async function upload(t: TestHerald, clientId: string, data: Buffer, name: string): Promise<string> {
  const form = new FormData();
  form.set('clientId', clientId);
  form.set('file', new Blob([new Uint8Array(data)]), name);
  return (await json(await t.api('POST', '/media', form))).id as string;
}

const count = (t: TestHerald, table: string) =>
  (t.herald.database.stmt(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

describe('post groups API', () => {
  let t: TestHerald;
  let seeded: ReturnType<typeof seedClient>;
  let imageId: string;
  let storyImageId: string;
  let labelId: string;

  beforeAll(async () => {
    t = await makeHerald();
    seeded = seedClient(t);
    imageId = await upload(t, seeded.client.id, await makeImage(1080, 1080), 'a.jpg');
    storyImageId = await upload(t, seeded.client.id, await makeImage(1080, 1920), 'story.jpg');
    labelId = 'lbl_spring';
    t.herald.repos.labels.insert({ id: labelId, name: 'Spring', color: '#22aa55', createdAt: 1, updatedAt: 1 });
  });
  afterAll(() => t.close());

  /** A scheduled group: Facebook feed and an Instagram Story, a shared caption and first comment. */
  async function makeGroup(extra: Record<string, unknown> = {}) {
    const res = await t.api('POST', '/post-groups', {
      clientId: seeded.client.id,
      caption: 'Fresh bread at 7',
      mediaIds: [imageId],
      firstComment: 'Order at https://acme.example',
      scheduledAt: hoursFromNow(5),
      status: 'scheduled',
      labels: [labelId],
      members: [
        { accountId: seeded.facebook.id },
        { accountId: seeded.instagram.id, surface: 'story', mediaIds: [storyImageId] },
      ],
      ...extra,
    });
    expect(res.status, JSON.stringify(await res.clone().json())).toBe(201);
    return json(res);
  }

  it('creates one post per account, linked by the group; a Story inherits neither caption nor comment', async () => {
    const group = await makeGroup();
    expect(group).toMatchObject({
      clientId: seeded.client.id,
      version: 1,
      caption: 'Fresh bread at 7',
      mediaIds: [imageId],
      firstComment: 'Order at https://acme.example',
      labels: [labelId],
    });
    const [fb, ig] = group.posts;
    expect(fb).toMatchObject({
      groupId: group.id,
      accountId: seeded.facebook.id,
      status: 'scheduled',
      caption: 'Fresh bread at 7',
      mediaIds: [imageId],
      surface: 'feed',
      firstComment: 'Order at https://acme.example',
      firstCommentStatus: 'waiting',
      labels: [labelId],
    });
    expect(ig).toMatchObject({
      groupId: group.id,
      surface: 'story',
      caption: '',
      mediaIds: [storyImageId],
      firstComment: '',
      firstCommentStatus: 'none',
    });
    const again = await json(await t.api('GET', `/post-groups/${group.id}`));
    expect(again.posts.map((p: { id: string }) => p.id)).toEqual([fb.id, ig.id]);
    const listed = await json(await t.api('GET', `/posts?groupId=${group.id}`));
    expect(listed.data.map((p: { id: string }) => p.id).sort()).toEqual([fb.id, ig.id].sort());
    expect(t.herald.services.posts.logs(fb.id)[0]!.message).toMatch(/Created as scheduled in a group/);
  });

  it('writes nothing when one member fails its checks, and names the member', async () => {
    const before = [count(t, 'posts'), count(t, 'post_groups'), count(t, 'post_labels')];
    const res = await t.api('POST', '/post-groups', {
      clientId: seeded.client.id,
      caption: 'Fresh bread',
      mediaIds: [imageId],
      members: [
        { accountId: seeded.facebook.id },
        { accountId: seeded.instagram.id, mediaIds: [] },
        { accountId: seeded.tiktok.id, firstComment: 'links here' },
      ],
      labels: [labelId],
    });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.error.code).toBe('validation_failed');
    expect(Object.keys(body.error.details)).toEqual(
      expect.arrayContaining(['members.1.mediaIds', 'members.2.firstComment']),
    );
    expect(body.error.details['members.0.caption']).toBeUndefined();
    expect([count(t, 'posts'), count(t, 'post_groups'), count(t, 'post_labels')]).toEqual(before);
  });

  it('refuses a caption given to a Story member and a second member for one account', async () => {
    const res = await t.api('POST', '/post-groups', {
      clientId: seeded.client.id,
      caption: 'Shared words',
      mediaIds: [storyImageId],
      members: [
        { accountId: seeded.instagram.id, surface: 'story', caption: 'Words on a story' },
        { accountId: seeded.instagram.id },
      ],
    });
    expect(res.status).toBe(400);
    const details = (await json(res)).error.details;
    expect(details['members.0.caption']).toBeDefined();
    expect(details['members.1.accountId']).toEqual(['is in the group twice']);
  });

  it('answers 409 on a stale group version, naming nothing written', async () => {
    const group = await makeGroup();
    const ok = await t.api('PATCH', `/post-groups/${group.id}`, { caption: 'New words', version: 1 });
    expect(ok.status).toBe(200);
    const stale = await t.api('PATCH', `/post-groups/${group.id}`, { caption: 'Other words', version: 1 });
    expect(stale.status).toBe(409);
    expect((await json(stale)).error.details).toMatchObject({ currentVersion: 2, yourVersion: 1 });
    expect((await json(await t.api('GET', `/post-groups/${group.id}`))).caption).toBe('New words');
  });

  it('answers 409 naming a member whose version is stale', async () => {
    const group = await makeGroup();
    const [fb, ig] = group.posts;
    // Someone edits the Facebook post on its own.
    const edit = await t.api('PATCH', `/posts/${fb.id}`, { scheduledAt: hoursFromNow(6), version: fb.version });
    expect(edit.status).toBe(200);
    const res = await t.api('PATCH', `/post-groups/${group.id}`, {
      caption: 'Changed',
      members: [
        { accountId: seeded.facebook.id, postId: fb.id, version: fb.version },
        { accountId: seeded.instagram.id, postId: ig.id, version: ig.version },
      ],
      version: group.version,
    });
    expect(res.status).toBe(409);
    expect((await json(res)).error.details).toMatchObject({ member: 0, postId: fb.id, yourVersion: fb.version });
    expect((await json(await t.api('GET', `/posts/${ig.id}`))).version).toBe(ig.version);
  });

  it('sends a shared edit to members that follow it and spares the ones that keep their own', async () => {
    const group = await makeGroup({
      members: [
        { accountId: seeded.facebook.id, caption: 'Facebook words' },
        { accountId: seeded.instagram.id, mediaIds: [imageId] },
      ],
    });
    const [fb, ig] = group.posts;
    expect(fb.caption).toBe('Facebook words');
    const res = await t.api('PATCH', `/post-groups/${group.id}`, {
      caption: 'Shared words, rewritten',
      version: group.version,
    });
    expect(res.status).toBe(200);
    const after = await json(res);
    const [fb2, ig2] = after.posts;
    expect(fb2).toMatchObject({ caption: 'Facebook words', version: fb.version });
    expect(ig2).toMatchObject({ caption: 'Shared words, rewritten', version: ig.version + 1 });

    // A member's own edit makes the field its own: the group's next caption passes it by.
    const own = await t.api('PATCH', `/posts/${ig2.id}`, { caption: 'Instagram words', version: ig2.version });
    expect(own.status).toBe(200);
    const third = await json(
      await t.api('PATCH', `/post-groups/${group.id}`, { caption: 'Third shared', version: after.version }),
    );
    expect(third.posts.map((p: { caption: string }) => p.caption)).toEqual(['Facebook words', 'Instagram words']);

    // caption: null hands the field back to the group.
    const back = await json(
      await t.api('PATCH', `/post-groups/${group.id}`, {
        members: [{ accountId: seeded.facebook.id, caption: null }, { accountId: seeded.instagram.id }],
        version: third.version,
      }),
    );
    expect(back.posts.map((p: { caption: string }) => p.caption)).toEqual(['Third shared', 'Instagram words']);
  });

  it('refuses to change a member that is already published, but files it under new labels', async () => {
    const group = await makeGroup();
    // Members come back in the order the request listed them.
    expect(group.posts.map((p: { accountId: string }) => p.accountId)).toEqual([
      seeded.facebook.id,
      seeded.instagram.id,
    ]);
    // The Facebook member follows the shared caption (the Story takes none), so a caption edit would change it.
    const fbAt = group.posts.findIndex((p: { accountId: string }) => p.accountId === seeded.facebook.id);
    const fb = group.posts[fbAt];
    const other = group.posts[1 - fbAt];
    t.herald.repos.posts.update(fb.id, { status: 'published', publishedAt: Date.now(), externalId: 'x1' });
    const res = await t.api('PATCH', `/post-groups/${group.id}`, { caption: 'Too late', version: group.version });
    expect(res.status).toBe(409);
    expect((await json(res)).error.details).toMatchObject({ postId: fb.id, status: 'published' });
    expect((await json(await t.api('GET', `/posts/${other.id}`))).version).toBe(other.version);

    t.herald.repos.labels.insert({ id: 'lbl_bread', name: 'Bread', color: '#aa5522', createdAt: 1, updatedAt: 1 });
    const labelled = await t.api('PATCH', `/post-groups/${group.id}`, {
      labels: ['lbl_bread'],
      version: group.version,
    });
    expect(labelled.status).toBe(200);
    expect((await json(labelled)).posts.map((p: { labels: string[] }) => p.labels)).toEqual([
      ['lbl_bread'],
      ['lbl_bread'],
    ]);
  });

  it('cancels the member of an account taken out, and adds a post for an account put in', async () => {
    const group = await makeGroup({ members: [{ accountId: seeded.facebook.id }] });
    const res = await t.api('PATCH', `/post-groups/${group.id}`, {
      members: [{ accountId: seeded.instagram.id }],
      version: group.version,
    });
    expect(res.status).toBe(200);
    const after = await json(res);
    expect(after.posts).toHaveLength(2);
    expect(after.posts[0]).toMatchObject({ accountId: seeded.facebook.id, status: 'cancelled' });
    expect(after.posts[1]).toMatchObject({
      accountId: seeded.instagram.id,
      status: 'scheduled',
      caption: 'Fresh bread at 7',
      mediaIds: [imageId],
      firstComment: 'Order at https://acme.example',
      labels: [labelId],
    });
    const logs = t.herald.services.posts.logs(group.posts[0].id);
    expect(logs.at(-1)!.message).toMatch(/taken out of the group/);
  });

  it('under client approval, a scheduled group waits for the client, asked once for all its members', async () => {
    const other = seedClient(t, { name: 'Other Bakery', approvalMode: 'client' });
    const otherImage = await upload(t, other.client.id, await makeImage(1080, 1080), 'b.jpg');
    const events = () =>
      t.herald.database
        .stmt("SELECT count(*) AS n FROM events WHERE type = 'approval.requested' AND client_id = ?")
        .get(other.client.id) as { n: number };
    const res = await t.api('POST', '/post-groups', {
      clientId: other.client.id,
      caption: 'For the client to approve',
      mediaIds: [otherImage],
      scheduledAt: hoursFromNow(5),
      status: 'scheduled',
      members: [{ accountId: other.facebook.id }, { accountId: other.instagram.id }],
    });
    expect(res.status).toBe(201);
    expect((await json(res)).posts.map((p: { status: string }) => p.status)).toEqual([
      'pending_approval',
      'pending_approval',
    ]);
    expect(events()).toEqual({ n: 1 });
  });

  it('needs the write scope to change a group', async () => {
    const group = await makeGroup();
    const { token } = t.herald.services.apiTokens.create({ name: 'reader', scope: 'read' });
    const headers = { authorization: `Bearer ${token}` };
    expect((await t.api('GET', `/post-groups/${group.id}`, undefined, headers)).status).toBe(200);
    const res = await t.api('PATCH', `/post-groups/${group.id}`, { caption: 'x', version: 1 }, headers);
    expect(res.status).toBe(403);
    expect((await t.api('GET', '/post-groups/grp_nope')).status).toBe(404);
  });

  it('checks a group without writing it (the editor’s live checks)', () => {
    const before = count(t, 'posts');
    const result = t.herald.services.groups.check({
      clientId: seeded.client.id,
      caption: 'x',
      members: [{ accountId: seeded.facebook.id }, { accountId: seeded.tiktok.id }],
    });
    expect(result.members[0]).toBeNull();
    expect(result.members[1]).toHaveProperty('mediaIds');
    expect(result.fields).toHaveProperty('members.1.mediaIds');
    expect(count(t, 'posts')).toBe(before);
  });
});

import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFileHost, type FileHost } from '../helpers/media-fixtures.js';
import { FakeMeta } from './meta.js';

// The comment rules of the Meta fake (docs/platforms/meta.md#first-comments), so the first-comment
// tests run against something that refuses what Graph refuses.

const APP = { appId: '1234567890', appSecret: 'app-secret' };

let files: FileHost;
let meta: FakeMeta;
let graphUrl: string;

beforeAll(async () => {
  const jpeg = await sharp({ create: { width: 1080, height: 1080, channels: 3, background: '#888' } })
    .jpeg()
    .toBuffer();
  files = await startFileHost({ '/photo.jpg': ['image/jpeg', jpeg] });
});
afterAll(async () => {
  await files.close();
});
beforeEach(async () => {
  meta = new FakeMeta(APP);
  graphUrl = `${await meta.start()}/v25.0`;
});
afterEach(async () => {
  await meta.stop();
});

async function graph(method: string, path: string, params: Record<string, string>) {
  const res = await fetch(`${graphUrl}${path}?${new URLSearchParams(params)}`, { method });
  return { status: res.status, json: (await res.json()) as any };
}

describe('Meta fake: Facebook comments', () => {
  async function fbPost() {
    const page = meta.addPage({ name: 'Bakery' });
    const post = await graph('POST', `/${page.pageId}/feed`, { message: 'Bread', access_token: page.pageToken });
    return { page, postId: post.json.id as string };
  }

  it('comments as the Page with its token on the full id, and lists it back with `from`', async () => {
    const { page, postId } = await fbPost();
    const made = await graph('POST', `/${postId}/comments`, { message: 'Order here', access_token: page.pageToken });
    expect(made.status).toBe(200);
    expect(made.json.id).toMatch(new RegExp(`^${postId.split('_')[1]}_`));
    const listed = await graph('GET', `/${postId}/comments`, {
      filter: 'toplevel',
      order: 'reverse_chronological',
      fields: 'id,message,from',
      access_token: page.pageToken,
    });
    expect(listed.json.data).toEqual([
      { id: made.json.id, message: 'Order here', from: { id: page.pageId, name: 'Bakery' } },
    ]);
  });

  it('refuses a bare post id (#100/33), another token or no permission (#200), and an empty comment', async () => {
    const { page, postId } = await fbPost();
    const bare = await graph('POST', `/${postId.split('_')[1]}/comments`, {
      message: 'x',
      access_token: page.pageToken,
    });
    expect(bare.json.error).toMatchObject({ code: 100, error_subcode: 33 });
    const other = meta.addPage({ name: 'Other' });
    const wrong = await graph('POST', `/${postId}/comments`, { message: 'x', access_token: other.pageToken });
    expect(wrong.json.error).toMatchObject({ code: 200 });
    const empty = await graph('POST', `/${postId}/comments`, { access_token: page.pageToken });
    expect(empty.json.error).toMatchObject({ code: 100 });
    meta.declinePermissions('pages_manage_engagement');
    const denied = await graph('POST', `/${postId}/comments`, { message: 'x', access_token: page.pageToken });
    expect(denied.json.error.message).toMatch(/Requires pages_manage_engagement/);
    expect(meta.comments.all).toHaveLength(0);
  });

  it('a lost answer: the comment exists, the client got nothing', async () => {
    const { page, postId } = await fbPost();
    meta.loseCommentAnswers(1);
    await expect(
      fetch(`${graphUrl}/${postId}/comments?${new URLSearchParams({ message: 'x', access_token: page.pageToken })}`, {
        method: 'POST',
      }),
    ).rejects.toThrow();
    expect(meta.comments.all).toHaveLength(1);
  });
});

describe('Meta fake: Instagram comments', () => {
  async function igMedia() {
    const page = meta.addPage({ name: 'Bakery', instagram: { username: 'bakery' } });
    const igId = page.igUserId!;
    const token = page.pageToken;
    const container = await graph('POST', `/${igId}/media`, {
      image_url: `${files.url}/photo.jpg`,
      access_token: token,
    });
    const media = await graph('POST', `/${igId}/media_publish`, {
      creation_id: container.json.id,
      access_token: token,
    });
    return { igId, token, containerId: container.json.id as string, mediaId: media.json.id as string };
  }

  it('comments on published media and lists it newest first as `text` with `from`', async () => {
    const { igId, token, mediaId } = await igMedia();
    const made = await graph('POST', `/${mediaId}/comments`, { message: 'Recipe in bio', access_token: token });
    expect(made.status).toBe(200);
    const listed = await graph('GET', `/${mediaId}/comments`, { fields: 'id,text,from', access_token: token });
    expect(listed.json.data).toEqual([
      { id: made.json.id, text: 'Recipe in bio', from: { id: igId, username: 'bakery' } },
    ]);
    const wrongField = await graph('GET', `/${mediaId}/comments`, { fields: 'message', access_token: token });
    expect(wrongField.json.error).toMatchObject({ code: 100 });
  });

  it('`fields=` on the POST creates the comment, then answers #20/1772107', async () => {
    const { token, mediaId } = await igMedia();
    const res = await graph('POST', `/${mediaId}/comments`, { message: 'x', fields: 'id', access_token: token });
    expect(res.json.error).toMatchObject({ code: 20, error_subcode: 1772107 });
    expect(meta.comments.all).toHaveLength(1);
  });

  it('refuses a container id and a missing instagram_manage_comments', async () => {
    const { token, containerId, mediaId } = await igMedia();
    const onContainer = await graph('POST', `/${containerId}/comments`, { message: 'x', access_token: token });
    expect(onContainer.json.error).toMatchObject({ code: 100, error_subcode: 33 });
    meta.declinePermissions('instagram_manage_comments');
    const denied = await graph('POST', `/${mediaId}/comments`, { message: 'x', access_token: token });
    expect(denied.json.error).toMatchObject({ code: 10 });
    expect(meta.comments.all).toHaveLength(0);
  });
});

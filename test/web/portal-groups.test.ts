import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHerald, seedClient, type TestHerald } from '../helpers/herald.js';
import { makeImage } from '../helpers/media-fixtures.js';
import { PageClient } from '../helpers/page-client.js';

// A post group reviewed in the portal: one card with every member's preview, approved (or sent
// back) at once, each member still through its own approval; per-member buttons stay.

let t: TestHerald;
const when = () => new Date(Date.now() + 86_400_000).toISOString();

async function portalFor(clientId: string): Promise<PageClient> {
  const browser = new PageClient(t.herald.app);
  await browser.request(new URL(t.herald.services.clients.createInvite(clientId).url).pathname);
  await browser.get('/portal/posts');
  return browser;
}

/** Posts for the client's accounts joined into one group (as the groups service links them). */
async function groupOf(clientId: string, accountIds: string[], caption: string) {
  const { posts, media } = t.herald.services;
  const image = await media.ingest([await makeImage(1080, 1350)], { clientId, originalName: 'loaf.jpg' });
  const members = accountIds.map((accountId) =>
    posts.create(
      { accountId, caption, mediaIds: [image.id], scheduledAt: when(), status: 'scheduled' },
      { kind: 'system' },
    ),
  );
  const id = `grp_${Math.random().toString(36).slice(2)}`;
  const { sqlite } = t.herald.database;
  sqlite
    .prepare('INSERT INTO post_groups (id, client_id, caption, created_at, updated_at) VALUES (?, ?, ?, ?, ?)')
    .run(id, clientId, caption, Date.now(), Date.now());
  for (const m of members) sqlite.prepare('UPDATE posts SET group_id = ? WHERE id = ?').run(id, m.id);
  return { id, members };
}

beforeAll(async () => {
  t = await makeHerald();
});
afterAll(() => t.close());

describe('portal: a group as one card', () => {
  it('shows every member’s preview in one card and approves each member awaiting the client', async () => {
    const acme = seedClient(t, { approvalMode: 'client' });
    const browser = await portalFor(acme.client.id);
    const group = await groupOf(acme.client.id, [acme.facebook.id, acme.instagram.id], 'Spring <b>loaves</b> #bread');
    const alone = t.herald.services.posts.create(
      { accountId: acme.facebook.id, caption: 'On its own', scheduledAt: when(), status: 'scheduled' },
      { kind: 'system' },
    );
    const { html } = await browser.get('/portal/posts');
    const card = html.slice(html.indexOf(`id="group-${group.id}"`));
    expect(card).toContain('One post for 2 accounts');
    expect(card).toContain('data-platform="facebook"');
    expect(card).toContain('data-platform="instagram"');
    expect(card).toContain('<span class="pv-hashtag">#bread</span>');
    expect(html).not.toContain('<b>loaves</b>');
    expect(html).toContain('/portal/accounts/'); // avatars through the portal's own route
    // Per-member buttons stay.
    for (const m of group.members) expect(card).toContain(`/portal/posts/${m.id}/approve`);

    // Without the CSRF token nothing happens.
    expect((await browser.post(`/portal/groups/${group.id}/approve`, {}, { csrf: false })).status).toBe(403);
    expect(t.herald.services.posts.get(group.members[0]!.id).status).toBe('pending_approval');

    expect((await browser.post(`/portal/groups/${group.id}/approve`, {})).status).toBe(303);
    for (const m of group.members) expect(t.herald.services.posts.get(m.id).status).toBe('scheduled');
    expect(t.herald.services.posts.get(alone.id).status).toBe('pending_approval');
    expect((await browser.get('/portal/posts')).html).toContain('Approved for 2 accounts');
  });

  it('sends every member back with the comment', async () => {
    const acme = seedClient(t, { name: 'Rejects', approvalMode: 'client' });
    const browser = await portalFor(acme.client.id);
    const group = await groupOf(acme.client.id, [acme.facebook.id, acme.instagram.id], 'Too early');
    expect((await browser.post(`/portal/groups/${group.id}/reject`, { comment: 'Wait a week' })).status).toBe(303);
    for (const m of group.members)
      expect(t.herald.services.posts.get(m.id)).toMatchObject({ status: 'rejected', reviewComment: 'Wait a week' });
  });

  it('another client’s group is not touched', async () => {
    const acme = seedClient(t, { name: 'Owner', approvalMode: 'client' });
    const other = seedClient(t, { name: 'Stranger', approvalMode: 'client' });
    const group = await groupOf(acme.client.id, [acme.facebook.id, acme.instagram.id], 'Mine');
    const stranger = await portalFor(other.client.id);
    await stranger.post(`/portal/groups/${group.id}/approve`, {});
    for (const m of group.members) expect(t.herald.services.posts.get(m.id).status).toBe('pending_approval');
    expect((await stranger.get('/portal/posts')).html).toContain('Nothing in this post waits for your approval');
  });

  it('says the first comment will be skipped when the account has not allowed comments', async () => {
    const acme = seedClient(t, { name: 'No comment scope', approvalMode: 'client' });
    const page = t.herald.services.accounts.connect({
      clientId: acme.client.id,
      platform: 'facebook',
      externalId: 'fb-no-comments',
      name: 'Page without comments',
      accessToken: 'token',
      refreshToken: null,
      tokenExpiresAt: null,
      scopes: ['pages_manage_posts'],
      platformData: { scopes: ['pages_manage_posts'] },
    });
    const browser = await portalFor(acme.client.id);
    t.herald.services.posts.create(
      {
        accountId: page.id,
        caption: 'With a comment',
        firstComment: 'Link inside',
        scheduledAt: when(),
        status: 'scheduled',
      },
      { kind: 'system' },
    );
    const { html } = await browser.get('/portal/posts');
    expect(html).toContain('data-missing-scopes');
    expect(html).toContain('pages_manage_engagement');
  });
});

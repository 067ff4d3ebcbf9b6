import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHerald, seedClient, type TestHerald } from '../helpers/herald.js';
import { PageClient } from '../helpers/page-client.js';

// The portal lets a client review what its agency sent for review, and nothing more: not the
// agency's drafts, not posts already scheduled, not anything when the agency approves itself.

let t: TestHerald;
const when = () => new Date(Date.now() + 86_400_000).toISOString();

async function portalFor(clientId: string): Promise<PageClient> {
  const browser = new PageClient(t.herald.app);
  await browser.request(new URL(t.herald.services.clients.createInvite(clientId).url).pathname);
  await browser.get('/portal/posts');
  return browser;
}

beforeAll(async () => {
  t = await makeHerald();
});
afterAll(() => t.close());

describe('what a client may review', () => {
  it('under client approval: only posts waiting for it; drafts and scheduled posts are the agency’s', async () => {
    const acme = seedClient(t, { approvalMode: 'client' });
    const browser = await portalFor(acme.client.id);
    const { posts } = t.herald.services;
    const draft = posts.create(
      { accountId: acme.facebook.id, caption: 'Agency draft', scheduledAt: when(), status: 'draft' },
      { kind: 'system' },
    );
    const waiting = posts.create(
      { accountId: acme.facebook.id, caption: 'For review', scheduledAt: when(), status: 'scheduled' },
      { kind: 'system' },
    );
    expect(waiting.status).toBe('pending_approval');
    expect((await browser.post(`/portal/posts/${waiting.id}/approve`, {})).status).toBe(303);
    const scheduled = posts.get(waiting.id);
    expect(scheduled.status).toBe('scheduled');

    expect((await browser.post(`/portal/posts/${draft.id}/approve`, {})).status).toBe(303);
    expect((await browser.post(`/portal/posts/${scheduled.id}/reject`, { comment: 'changed my mind' })).status).toBe(
      303,
    );
    expect(posts.get(draft.id).status).toBe('draft');
    expect(posts.get(scheduled.id)).toMatchObject({ status: 'scheduled', version: scheduled.version });
    expect((await browser.get('/portal/posts')).html).toContain('Only posts waiting for your approval');
  });

  it('when the agency approves (or nobody does), the portal approves nothing', async () => {
    for (const approvalMode of ['admin', 'none'] as const) {
      const client = seedClient(t, { name: `Agency-approved ${approvalMode}`, approvalMode });
      const browser = await portalFor(client.client.id);
      const draft = t.herald.services.posts.create(
        { accountId: client.facebook.id, caption: 'Draft', scheduledAt: when(), status: 'draft' },
        { kind: 'system' },
      );
      const pending = t.herald.services.posts.act(draft.id, 'submit', { kind: 'system' });
      expect(pending.status).toBe('pending_approval');
      expect((await browser.post(`/portal/posts/${pending.id}/approve`, {})).status).toBe(303);
      expect(t.herald.services.posts.get(pending.id).status).toBe('pending_approval');
    }
  });

  it('a review comment longer than 2,000 characters is refused, not cut', async () => {
    const acme = seedClient(t, { name: 'Long comments', approvalMode: 'client' });
    const browser = await portalFor(acme.client.id);
    const post = t.herald.services.posts.create(
      { accountId: acme.facebook.id, caption: 'For review', scheduledAt: when(), status: 'scheduled' },
      { kind: 'system' },
    );
    await browser.post(`/portal/posts/${post.id}/reject`, { comment: 'x'.repeat(2001) });
    expect(t.herald.services.posts.get(post.id).status).toBe('pending_approval');
    expect((await browser.get('/portal/posts')).html).toContain('The comment is too long: at most 2000 characters.');
  });
});

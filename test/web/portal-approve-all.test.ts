import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHerald, seedClient, type TestHerald } from '../helpers/herald.js';
import { PageClient } from '../helpers/page-client.js';

let t: TestHerald;
const SYSTEM = { kind: 'system' } as const;

beforeAll(async () => {
  t = await makeHerald();
});
afterAll(() => t.close());

describe('portal: approve all', () => {
  it('19 waiting: one confirmed form approves each as the client would, one changed meanwhile is skipped', async () => {
    const acme = seedClient(t, { approvalMode: 'client' });
    const { posts } = t.herald.services;
    const ids = Array.from({ length: 19 }, (_, i) => {
      const at = new Date(Date.now() + (i + 1) * 3_600_000).toISOString();
      return posts.create(
        { accountId: acme.facebook.id, caption: `Post ${i + 1}`, scheduledAt: at, status: 'scheduled' },
        SYSTEM,
      ).id;
    });
    expect(ids.map((id) => posts.get(id).status).every((s) => s === 'pending_approval')).toBe(true);

    const browser = new PageClient(t.herald.app);
    await browser.request(new URL(t.herald.services.clients.createInvite(acme.client.id).url).pathname);
    const { html } = await browser.get('/portal/posts');
    expect(html).toContain('Approve all (19)');
    expect(html).toContain('data-confirm="Approve all 19 posts? Each will be published at its time."');
    // Per-post approve and ask-for-changes stay.
    expect(html.match(/action="\/portal\/posts\/[^"]+\/approve"/g)).toHaveLength(19);
    expect(html.match(/action="\/portal\/posts\/[^"]+\/reject"/g)).toHaveLength(19);
    const seen = [...html.matchAll(/name="post" value="([^"]+)"/g)].map((m) => m[1]!);
    expect(seen).toHaveLength(19);

    // The agency changes one after the client opened the page: the client never saw the new words.
    const stale = ids[7]!;
    posts.update(stale, { version: posts.get(stale).version, caption: 'Post 8, reworded' }, SYSTEM);

    const res = await browser.post('/portal/posts/approve-all', { post: seen });
    expect(res.status).toBe(303);
    const after = ids.map((id) => posts.get(id));
    expect(after.filter((p) => p.status === 'scheduled')).toHaveLength(18);
    expect(posts.get(stale).status).toBe('pending_approval');
    const page = (await browser.get('/portal/posts')).html;
    expect(page).toContain('Approved 18 posts');
    expect(page).toContain('Not approved (1): “Post 8, reworded”: It changed after you opened the page');

    // Each approved the way the per-post button does: its log line and audit entry name the client.
    for (const id of ids.filter((id) => id !== stale)) {
      expect(posts.logs(id).filter((l) => l.step === 'approve')).toHaveLength(1);
      expect(posts.logs(id).find((l) => l.step === 'approve')!.message).toMatch(/^Approved \(.*client/i);
    }
    const audit = t.herald.repos.audit.list({ kind: 'post.approve', clientId: acme.client.id, limit: 100 }).data;
    expect(audit).toHaveLength(18);
    expect(new Set(audit.map((a) => a.actorKind))).toEqual(new Set(['client']));
    expect(posts.logs(stale).some((l) => l.step === 'approve')).toBe(false);
  });

  it('another client’s post in the form is not approved', async () => {
    const mine = seedClient(t, { name: 'Mine', approvalMode: 'client' });
    const theirs = seedClient(t, { name: 'Theirs', approvalMode: 'client' });
    const at = new Date(Date.now() + 3_600_000).toISOString();
    const other = t.herald.services.posts.create(
      { accountId: theirs.facebook.id, caption: 'Theirs', scheduledAt: at, status: 'scheduled' },
      SYSTEM,
    );
    const browser = new PageClient(t.herald.app);
    await browser.request(new URL(t.herald.services.clients.createInvite(mine.client.id).url).pathname);
    await browser.get('/portal/posts');
    expect((await browser.post('/portal/posts/approve-all', { post: [`${other.id}:${other.version}`] })).status).toBe(
      303,
    );
    expect(t.herald.services.posts.get(other.id).status).toBe('pending_approval');
  });
});

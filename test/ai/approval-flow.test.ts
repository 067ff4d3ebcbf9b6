import { afterEach, describe, expect, it } from 'vitest';
import { FakePlatform } from '../fakes/fake-platform.js';
import { aiHarness, type AiHarness } from '../helpers/ai-harness.js';
import { PageClient } from '../helpers/page-client.js';
import { TestPublisher } from '../helpers/test-publisher.js';

let h: AiHarness;
let platform: FakePlatform;
afterEach(async () => {
  await h?.close();
  await platform?.stop();
});

/** From the rule to the platform: write, approve as the mode says, publish at the slot. */
async function setup(mode: 'none' | 'admin' | 'client') {
  platform = new FakePlatform();
  await platform.start();
  h = await aiHarness(
    { ADMIN_EMAIL: 'admin@agency.test', ADMIN_PASSWORD: 'correct horse battery staple' },
    { clientApproval: mode, publishers: [new TestPublisher(platform.url)] },
  );
  await h.t.herald.services.auth.ensureConfiguredAdmin();
  h.t.herald.lease.tick();
  h.t.herald.services.rules.create(h.seeded.client.id, {
    name: 'Daily bread',
    cron: '0 9 * * *',
    topics: ['rye'],
    accountIds: [h.seeded.facebook.id],
    horizonDays: 1,
  });
  await h.t.herald.generator.generateDue();
  const [post] = h.t.herald.services.posts.list({ clientId: h.seeded.client.id }, 10).data;
  return post!;
}

async function publishAtSlot(slot: number) {
  h.clock.set(slot + 1000);
  h.t.herald.lease.tick();
  h.t.herald.lease.tick();
  h.t.herald.engine.runDue();
  await h.t.herald.engine.drain(5000);
}

describe('each approval mode, end to end', () => {
  it('none: written, scheduled and published without anyone', async () => {
    const post = await setup('none');
    expect(post.status).toBe('scheduled');
    await publishAtSlot(post.scheduledAt!);
    expect(h.t.herald.services.posts.get(post.id).status).toBe('published');
    expect(platform.posts.map((p) => p.key)).toEqual([post.id]);
  });

  it('admin: waits for an admin, who approves it in the pages', async () => {
    const post = await setup('admin');
    expect(post.status).toBe('pending_approval');
    const admin = new PageClient(h.t.herald.app);
    await admin.post('/login', { email: 'admin@agency.test', password: 'correct horse battery staple' });
    await admin.get(`/posts/${post.id}`);
    expect((await admin.post(`/posts/${post.id}/do/approve`, {})).status).toBe(303);
    expect(h.t.herald.services.posts.get(post.id)).toMatchObject({
      status: 'scheduled',
      approvedBy: 'admin@agency.test',
    });
    await publishAtSlot(post.scheduledAt!);
    expect(h.t.herald.services.posts.get(post.id).status).toBe('published');
  });

  it('client: waits for the client, who approves it in the portal', async () => {
    const post = await setup('client');
    expect(post.status).toBe('pending_approval');
    const { url } = h.t.herald.services.clients.createInvite(h.seeded.client.id);
    const client = new PageClient(h.t.herald.app);
    await client.request(new URL(url).pathname);
    const page = await client.get('/portal/posts');
    expect(page.html).toContain('Fresh from the oven: rye');
    expect((await client.post(`/portal/posts/${post.id}/approve`, {})).status).toBe(303);
    expect(h.t.herald.services.posts.get(post.id)).toMatchObject({
      status: 'scheduled',
      approvedBy: 'the client (portal)',
    });
    await publishAtSlot(post.scheduledAt!);
    expect(h.t.herald.services.posts.get(post.id).status).toBe('published');
  });

  it('not approved by its slot: not published, visible as missed', async () => {
    const post = await setup('client');
    await publishAtSlot(post.scheduledAt!);
    expect(h.t.herald.services.posts.get(post.id).status).toBe('missed');
    expect(platform.posts).toHaveLength(0);
  });
});

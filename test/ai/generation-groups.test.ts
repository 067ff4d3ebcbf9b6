import { afterEach, describe, expect, it } from 'vitest';
import { aiHarness, userMessage, type AiHarness } from '../helpers/ai-harness.js';

let h: AiHarness;
afterEach(async () => h?.close());

const SYSTEM = { kind: 'system' } as const;

function groupRule(h: AiHarness) {
  return h.t.herald.services.rules.create(h.seeded.client.id, {
    name: 'Daily bread',
    cron: '0 9 * * *',
    topics: ['sourdough', 'rye'],
    accountIds: [h.seeded.facebook.id, h.seeded.instagram.id],
    media: 'image',
    horizonDays: 2,
  });
}

const allPosts = (h: AiHarness) =>
  h.t.herald.services.posts.list({ clientId: h.seeded.client.id }, 200).data.filter((p) => p.status !== 'cancelled');

const prompts = (h: AiHarness) => h.groq.completionCalls().map((c) => userMessage(JSON.parse(c.raw.toString())));

describe('AI groups', () => {
  it("a rule's posts for one slot form one group, however many runs write them", async () => {
    h = await aiHarness();
    const rule = groupRule(h);
    expect(await h.t.herald.generator.generateDue()).toMatchObject({ created: 4, failed: 0 });
    const first = allPosts(h);
    const groupIds = new Set(first.map((p) => p.groupId));
    expect(groupIds.size).toBe(2);
    expect(groupIds.has(null)).toBe(false);
    for (const id of groupIds) {
      const view = h.t.herald.services.groups.get(id!);
      expect(view.group).toMatchObject({ source: 'ai', ruleId: rule.id });
      expect(view.group.slotKey).toBe(`${rule.id}|${view.group.scheduledAt}`);
      expect(view.posts.map((p) => p.accountId).sort()).toEqual([h.seeded.facebook.id, h.seeded.instagram.id].sort());
      expect(view.posts.every((p) => p.groupOverrides?.caption && p.groupOverrides.mediaIds)).toBe(true);
    }
    // A slot written again (its untouched Instagram post cancelled and freed) joins the slot's group.
    const ig = first.find((p) => p.accountId === h.seeded.instagram.id)!;
    expect(h.t.herald.services.posts.cancelUntouched(ig.id, 'Cancelled: test.')).toBe(true);
    expect(await h.t.herald.generator.generateDue()).toMatchObject({ created: 1 });
    const second = allPosts(h);
    const rewritten = second.find((p) => p.accountId === h.seeded.instagram.id && p.scheduledAt === ig.scheduledAt)!;
    expect(rewritten.id).not.toBe(ig.id);
    expect(rewritten.groupId).toBe(ig.groupId);
    expect(h.t.herald.database.stmt('SELECT count(*) AS n FROM post_groups').get()).toEqual({ n: 2 });

    // Regeneration keeps the post in its group.
    await h.t.herald.generator.regenerate(rewritten.id, SYSTEM);
    expect(h.t.herald.services.posts.get(rewritten.id).groupId).toBe(ig.groupId);
  });

  it('a rule with one account writes posts without a group', async () => {
    h = await aiHarness();
    h.t.herald.services.rules.create(h.seeded.client.id, {
      name: 'Solo',
      cron: '0 9 * * *',
      accountIds: [h.seeded.facebook.id],
      horizonDays: 1,
    });
    await h.t.herald.generator.generateDue();
    expect(allPosts(h).map((p) => p.groupId)).toEqual([null]);
  });

  it("copies the rule's labels to what it writes, and the image keeps the AI's alt text", async () => {
    h = await aiHarness();
    const { repos } = h.t.herald;
    repos.labels.insert({ id: 'lbl_bread', name: 'Bread', color: '#aa5500', createdAt: 1, updatedAt: 1 });
    repos.labels.insert({ id: 'lbl_spring', name: 'Spring', color: '#00aa55', createdAt: 1, updatedAt: 1 });
    const rule = groupRule(h);
    repos.labels.setForRule(rule.id, ['lbl_bread', 'lbl_spring']);
    await h.t.herald.generator.generateDue();
    const written = allPosts(h);
    expect(written).toHaveLength(4);
    for (const post of written) {
      expect([...post.labels].sort()).toEqual(['lbl_bread', 'lbl_spring']);
      const [media] = repos.media.getMany(post.mediaIds);
      expect(media!.altText).toBe(`${post.topic} on a wooden table`);
    }
  });

  it("gives the AI the client's snippets as standard hashtags and sign-offs, within the hashtag limit", async () => {
    h = await aiHarness();
    const { repos } = h.t.herald;
    const clientId = h.seeded.client.id;
    const snippet = (id: string, kind: 'hashtags' | 'signature' | 'cta' | 'other', text: string, forAi = true) =>
      repos.snippets.insert({ id, clientId, name: id, text, kind, forAi, createdAt: 1, updatedAt: 1 });
    const many = Array.from({ length: 40 }, (_, i) => `#tag${i}`).join(' ');
    snippet('snp_tags', 'hashtags', `#AcmeBakery #berlinbread ${many}`);
    snippet('snp_sig', 'signature', '— baked with love by Acme');
    snippet('snp_cta', 'cta', 'Order ahead at acme.example');
    snippet('snp_private', 'signature', 'internal note: never say this', false);
    h.t.herald.services.rules.create(clientId, {
      name: 'Daily bread',
      cron: '0 9 * * *',
      accountIds: [h.seeded.facebook.id],
      horizonDays: 1,
    });
    await h.t.herald.generator.generateDue();
    const [prompt] = prompts(h);
    expect(prompt).toMatch(/standard hashtags/);
    const tagLine = prompt!.split('\n')[prompt!.split('\n').findIndex((l) => /standard hashtags/.test(l)) + 1]!;
    const limit = h.t.herald.networks.platform('facebook')!.ai.hashtags;
    expect(tagLine.startsWith('#AcmeBakery #berlinbread')).toBe(true);
    expect(tagLine.split(' ')).toHaveLength(Math.min(limit, 42));
    expect(prompt).toMatch(/sign-offs[^\n]*\n(- .+\n)*- — baked with love by Acme(\n|$)/);
    expect(prompt).toMatch(/sign-offs[^\n]*\n(- .+\n)*- Order ahead at acme\.example(\n|$)/);
    expect(prompt).not.toMatch(/internal note/);
  });
});

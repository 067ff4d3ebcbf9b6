// The Teams sender against a strict fake of a Teams Workflows webhook: an Adaptive Card message in
// the envelope the flow reads, 202 Accepted, a bundle kept under 28 KB, Retry-After honoured, and a
// deleted flow (404) given up at once.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventRecord } from '../../src/domain/events.js';
import { teamsSender } from '../../src/notify/teams-sender.js';
import { TeamsWebhookFake } from '../fakes/teams-webhook.js';
import { type ChatHarness, chatHarness, T0 } from '../helpers/chat-channels.js';
import { seedClient } from '../helpers/herald.js';

let h: ChatHarness;
let teams: TeamsWebhookFake;
beforeEach(async () => {
  h = await chatHarness();
  teams = new TeamsWebhookFake();
  await teams.start();
});
afterEach(async () => {
  await teams.stop();
  await h.t.close();
});

const addChannel = () =>
  h.t.herald.services.channels.create({ kind: 'teams', name: 'Agency channel', url: teams.webhookUrl }).channel;

describe('Teams sender', () => {
  it('posts an Adaptive Card in the Workflows envelope and counts 202 Accepted as delivered', async () => {
    const { client } = seedClient(h.t);
    // Connecting the accounts told of account.connected; those events are not what this test sends.
    h.t.herald.deliveries.fanOut();
    const channel = addChannel();
    h.emit('post.published', client.id, {
      title: 'Published on Instagram',
      text: 'Fresh rye today',
      url: 'http://herald.test/posts/p1',
    });
    await h.pass();
    expect(teams.refusals).toEqual([]);
    expect(teams.messages).toHaveLength(1);
    const message = teams.messages[0]!;
    expect(message.type).toBe('message');
    expect(message.attachments).toHaveLength(1);
    const { contentType, contentUrl, content } = message.attachments[0];
    expect(contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(contentUrl).toBeNull();
    expect(content).toMatchObject({
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      type: 'AdaptiveCard',
      version: '1.4',
      actions: [{ type: 'Action.OpenUrl', title: 'Open in Herald', url: 'http://herald.test/posts/p1' }],
    });
    expect(content.body[0]).toMatchObject({ type: 'TextBlock', text: 'Published on Instagram', weight: 'Bolder' });
    expect(content.body[1]).toMatchObject({ type: 'TextBlock', text: 'Fresh rye today', wrap: true });
    expect(content.body[2].facts).toEqual([
      { title: 'Event', value: 'Post published' },
      { title: 'Client', value: 'Acme Bakery' },
      { title: 'When', value: '{{DATE(2026-11-30T09:00:00Z, SHORT)}} {{TIME(2026-11-30T09:00:00Z)}}' },
    ]);
    expect(h.deliveriesOf(channel.id)[0]).toMatchObject({ status: 'delivered', responseStatus: 202 });
  });

  it('keeps a bundle of 40 long events under 28 KB (the rest counted) and Teams takes it', async () => {
    const channel = addChannel();
    const events: EventRecord[] = Array.from({ length: 40 }, (_, i) => ({
      id: `evt_${i}`,
      type: 'post.failed',
      clientId: null,
      createdAt: new Date(T0).toISOString(),
      data: { title: `Failure ${i}`, text: 'z'.repeat(3000) },
    }));
    const result = await teamsSender(h.notifyDeps).send(channel.id, events, {
      signal: AbortSignal.timeout(5000),
      attempt: 1,
      deliveryIds: [],
    });
    expect(result).toMatchObject({ ok: true, status: 202 });
    expect(teams.refusals).toEqual([]);
    const body = teams.messages[0]!.attachments[0].content.body;
    expect(body[0].text).toBe('40 notifications from Herald');
    expect(body.at(-1).text).toMatch(/^…and \d+ more in Herald$/);
    expect(Buffer.byteLength(JSON.stringify(teams.messages[0]))).toBeLessThanOrEqual(28 * 1024);
  });

  it('waits the Retry-After of a 429, then delivers', async () => {
    const channel = addChannel();
    teams.fail({ status: 429, headers: { 'retry-after': '20' } });
    h.emit('job.failed', null, { title: 'Job failed' });
    await h.pass();
    expect(h.deliveriesOf(channel.id)[0]).toMatchObject({ status: 'pending', responseStatus: 429, dueAt: T0 + 20_000 });
    h.clock.advance(20_000);
    await h.pass();
    expect(h.deliveriesOf(channel.id)[0]).toMatchObject({ status: 'delivered', attempts: 2, responseStatus: 202 });
  });

  it('gives up at once when the flow is gone (404)', async () => {
    const channel = addChannel();
    teams.gone();
    h.emit('job.failed', null, { title: 'Job failed' });
    await h.pass();
    expect(h.deliveriesOf(channel.id)[0]).toMatchObject({ status: 'failed', attempts: 1, responseStatus: 404 });
  });
});

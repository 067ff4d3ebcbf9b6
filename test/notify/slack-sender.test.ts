// The Slack sender against a strict fake of Slack's incoming webhook: the Block Kit message Slack
// accepts, its limits, retries on 429 (Retry-After) and 5xx, and a removed webhook given up at once.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventRecord } from '../../src/domain/events.js';
import { slackSender } from '../../src/notify/slack-sender.js';
import { SlackWebhookFake } from '../fakes/slack-webhook.js';
import { type ChatHarness, chatHarness, T0 } from '../helpers/chat-channels.js';
import { seedClient } from '../helpers/herald.js';

let h: ChatHarness;
let slack: SlackWebhookFake;
beforeEach(async () => {
  h = await chatHarness();
  slack = new SlackWebhookFake();
  await slack.start();
});
afterEach(async () => {
  await slack.stop();
  await h.t.close();
});

function addChannel(events: string[] = []) {
  return h.t.herald.services.channels.create({ kind: 'slack', name: 'Ops', url: slack.webhookUrl, events }).channel;
}

function record(i: number, title: string, text = ''): EventRecord {
  return {
    id: `evt_${i}`,
    type: 'post.failed',
    clientId: null,
    createdAt: new Date(T0 + i * 1000).toISOString(),
    data: { title, text, url: `http://herald.test/posts/post_${i}` },
  };
}

describe('Slack sender', () => {
  it('posts a Block Kit message Slack accepts: header, mrkdwn section, context and a button to Herald', async () => {
    const { client } = seedClient(h.t);
    // Connecting the accounts told of account.connected; those events are not what this test sends.
    h.t.herald.deliveries.fanOut();
    const channel = addChannel();
    h.emit('post.failed', client.id, {
      title: 'Post failed on Facebook',
      text: 'Facebook said <no> & the token expired',
      url: 'http://herald.test/posts/post_1',
    });
    await h.pass();
    expect(slack.refusals).toEqual([]);
    expect(slack.messages).toHaveLength(1);
    const message = slack.messages[0]!;
    expect(message.text).toBe('Post failed on Facebook — Facebook said &lt;no&gt; &amp; the token expired');
    expect(message.blocks.map((b: { type: string }) => b.type)).toEqual(['header', 'section', 'context', 'actions']);
    expect(message.blocks[0].text).toEqual({ type: 'plain_text', text: 'Post failed on Facebook', emoji: true });
    expect(message.blocks[1].text).toEqual({
      type: 'mrkdwn',
      text: 'Facebook said &lt;no&gt; &amp; the token expired',
    });
    expect(message.blocks[2].elements[0].text).toMatch(/^Post failed · Acme Bakery · <!date\^\d+\^/);
    expect(message.blocks[3].elements[0]).toMatchObject({ type: 'button', url: 'http://herald.test/posts/post_1' });
    expect(h.deliveriesOf(channel.id)[0]).toMatchObject({
      status: 'delivered',
      responseStatus: 200,
      responseBody: 'ok',
    });
    expect(h.t.herald.repos.notify.getChannel(channel.id)!.lastSuccessAt).toBe(T0);
  });

  it('keeps within Block Kit limits: a 500-character title and 10,000 characters of text are cut', async () => {
    addChannel();
    h.emit('job.failed', null, { title: 'T'.repeat(500), text: 'x'.repeat(10_000) });
    await h.pass();
    expect(slack.refusals).toEqual([]);
    const [message] = slack.messages;
    expect(message!.blocks[0].text.text).toHaveLength(150);
    expect(message!.blocks[0].text.text.endsWith('…')).toBe(true);
    expect(message!.blocks[1].text.text).toHaveLength(3000);
  });

  it('sends a bundle of 60 events as one message of at most 50 blocks, the rest counted', async () => {
    const channel = addChannel();
    const sender = slackSender(h.notifyDeps);
    const events = Array.from({ length: 60 }, (_, i) => record(i, `Failure ${i}`, `why ${i}`));
    const result = await sender.send(channel.id, events, {
      signal: AbortSignal.timeout(5000),
      attempt: 1,
      deliveryIds: [],
    });
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(slack.refusals).toEqual([]);
    const [message] = slack.messages;
    expect(message!.blocks.length).toBeLessThanOrEqual(50);
    expect(message!.blocks[0].text.text).toBe('60 notifications from Herald');
    expect(message!.blocks.at(-1).elements[0].text).toBe('…and 36 more in Herald');
    expect(message!.blocks[1].text.text).toBe('*<http://herald.test/posts/post_0|Failure 0>*\nwhy 0');
  });

  it('waits the Retry-After of a 429, retries a 500, then delivers', async () => {
    const channel = addChannel();
    slack.fail({ status: 429, headers: { 'retry-after': '30' } });
    slack.fail({ status: 500, body: 'rollup_error' });
    h.emit('post.failed', null, { title: 'Post failed' });
    await h.pass();
    let [delivery] = h.deliveriesOf(channel.id);
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1, responseStatus: 429, dueAt: T0 + 30_000 });
    h.clock.advance(29_000);
    await h.pass();
    expect(slack.server.requests).toHaveLength(1);
    h.clock.advance(1000);
    await h.pass();
    [delivery] = h.deliveriesOf(channel.id);
    expect(delivery).toMatchObject({
      status: 'pending',
      attempts: 2,
      responseStatus: 500,
      responseBody: 'rollup_error',
    });
    h.clock.advance(60_000);
    await h.pass();
    expect(h.deliveriesOf(channel.id)[0]).toMatchObject({ status: 'delivered', attempts: 3 });
    expect(slack.messages).toHaveLength(1);
  });

  it('gives up at once on a removed webhook (404 no_service) and an archived channel (410)', async () => {
    const channel = addChannel();
    slack.gone('removed');
    h.emit('post.failed', null, { title: 'One' });
    await h.pass();
    expect(h.deliveriesOf(channel.id)[0]).toMatchObject({
      status: 'failed',
      attempts: 1,
      responseStatus: 404,
      responseBody: 'no_service',
    });
    slack.gone('archived');
    // A later delivery, so that it is the newest in the log.
    h.clock.advance(1000);
    h.emit('post.failed', null, { title: 'Two' });
    await h.pass();
    expect(h.deliveriesOf(channel.id)[0]).toMatchObject({ status: 'failed', responseStatus: 410 });
    expect(h.t.herald.repos.notify.getChannel(channel.id)!.consecutiveFailures).toBe(2);
  });
});

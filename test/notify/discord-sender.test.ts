// The Discord sender against a strict fake of Discord's execute-webhook endpoint: embeds within
// Discord's limits (per field and 6000 in all), no pings, Retry-After from a 429's body, and a
// deleted webhook (404 Unknown Webhook) given up at once.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventRecord } from '../../src/domain/events.js';
import { discordSender } from '../../src/notify/discord-sender.js';
import { DiscordWebhookFake } from '../fakes/discord-webhook.js';
import { type ChatHarness, chatHarness, T0 } from '../helpers/chat-channels.js';
import { seedClient } from '../helpers/herald.js';

let h: ChatHarness;
let discord: DiscordWebhookFake;
beforeEach(async () => {
  h = await chatHarness();
  discord = new DiscordWebhookFake();
  await discord.start();
});
afterEach(async () => {
  await discord.stop();
  await h.t.close();
});

const addChannel = () =>
  h.t.herald.services.channels.create({ kind: 'discord', name: 'Alerts', url: discord.webhookUrl }).channel;

const send = (channelId: string, events: EventRecord[]) =>
  discordSender(h.notifyDeps).send(channelId, events, {
    signal: AbortSignal.timeout(5000),
    attempt: 1,
    deliveryIds: [],
  });

function record(i: number, title: string, text: string): EventRecord {
  return {
    id: `evt_${i}`,
    type: 'rule.idle',
    clientId: null,
    createdAt: new Date(T0).toISOString(),
    data: { title, text },
  };
}

describe('Discord sender', () => {
  it('posts one embed Discord accepts (204), with the type and client as fields and no mentions parsed', async () => {
    const { client } = seedClient(h.t);
    // Connecting the accounts told of account.connected; those events are not what this test sends.
    h.t.herald.deliveries.fanOut();
    const channel = addChannel();
    h.emit('account.needs_reauth', client.id, {
      title: 'Reconnect Acme Page',
      text: '@everyone Facebook no longer accepts the token.',
      url: 'http://herald.test/clients/x',
    });
    await h.pass();
    expect(discord.refusals).toEqual([]);
    expect(discord.messages).toEqual([
      {
        embeds: [
          {
            title: 'Reconnect Acme Page',
            description: '@everyone Facebook no longer accepts the token.',
            url: 'http://herald.test/clients/x',
            color: expect.any(Number),
            timestamp: '2026-11-30T09:00:00Z',
            fields: [
              { name: 'Event', value: 'Account needs reconnecting', inline: true },
              { name: 'Client', value: 'Acme Bakery', inline: true },
            ],
            footer: { text: 'Herald' },
          },
        ],
        allowed_mentions: { parse: [] },
      },
    ]);
    expect(h.deliveriesOf(channel.id)[0]).toMatchObject({ status: 'delivered', responseStatus: 204 });
  });

  it('cuts a title to 256 and keeps ten 4,000-character descriptions within 6,000 characters in all', async () => {
    const channel = addChannel();
    const events = Array.from({ length: 14 }, (_, i) => record(i, 'T'.repeat(300), 'd'.repeat(4000)));
    expect(await send(channel.id, events)).toMatchObject({ ok: true, status: 204 });
    expect(discord.refusals).toEqual([]);
    const [message] = discord.messages;
    expect(message!.embeds).toHaveLength(10);
    expect(message!.embeds[0].title).toHaveLength(256);
    expect(message!.embeds[9].title).toBe('…and 5 more in Herald');
  });

  it('the fake refuses what Discord refuses (a 257-character title) with Invalid Form Body', async () => {
    const res = await fetch(discord.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ embeds: [{ title: 'x'.repeat(257) }] }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 50035, errors: { embeds: { 0: { title: expect.anything() } } } });
  });

  it('honours retry_after from a 429 body, retries a 502, then delivers', async () => {
    const channel = addChannel();
    discord.fail({ status: 429, body: { message: 'You are being rate limited.', retry_after: 42.5, global: false } });
    discord.fail({ status: 502 });
    h.emit('backup.failed', null, { title: 'Backup failed' });
    await h.pass();
    expect(h.deliveriesOf(channel.id)[0]).toMatchObject({ status: 'pending', responseStatus: 429, dueAt: T0 + 42_500 });
    h.clock.advance(42_500);
    await h.pass();
    expect(h.deliveriesOf(channel.id)[0]).toMatchObject({ status: 'pending', attempts: 2, responseStatus: 502 });
    h.clock.advance(60_000);
    await h.pass();
    expect(h.deliveriesOf(channel.id)[0]).toMatchObject({ status: 'delivered', attempts: 3 });
  });

  it('gives up at once on a deleted webhook (404 Unknown Webhook)', async () => {
    const channel = addChannel();
    discord.gone();
    h.emit('backup.failed', null, { title: 'Backup failed' });
    await h.pass();
    const [delivery] = h.deliveriesOf(channel.id);
    expect(delivery).toMatchObject({ status: 'failed', attempts: 1, responseStatus: 404 });
    expect(JSON.parse(delivery!.responseBody!)).toEqual({ message: 'Unknown Webhook', code: 10015 });
  });
});

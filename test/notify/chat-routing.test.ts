// Who hears of what: agency-wide channels hear of every client, a client's channel only of its
// own client, and each channel only of the types its filter names (empty: all). Real senders, real
// fakes of Slack, Discord and Teams.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiscordWebhookFake } from '../fakes/discord-webhook.js';
import { SlackWebhookFake } from '../fakes/slack-webhook.js';
import { TeamsWebhookFake } from '../fakes/teams-webhook.js';
import { type ChatHarness, chatHarness } from '../helpers/chat-channels.js';
import { seedClient } from '../helpers/herald.js';

let h: ChatHarness;
let slack: SlackWebhookFake;
let discord: DiscordWebhookFake;
let teams: TeamsWebhookFake;
beforeEach(async () => {
  h = await chatHarness();
  [slack, discord, teams] = [new SlackWebhookFake(), new DiscordWebhookFake(), new TeamsWebhookFake()];
  await Promise.all([slack.start(), discord.start(), teams.start()]);
});
afterEach(async () => {
  await Promise.all([slack.stop(), discord.stop(), teams.stop()]);
  await h.t.close();
});

const titlesOf = {
  slack: () => slack.messages.map((m) => m.blocks[0].text.text),
  discord: () => discord.messages.map((m) => m.embeds[0].title),
  teams: () => teams.messages.map((m) => m.attachments[0].content.body[0].text),
};

describe('chat channels: scope and event filter', () => {
  it('sends agency channels every client, client channels their own, each only the types it asked for', async () => {
    const acme = seedClient(h.t).client;
    const other = h.t.herald.services.clients.create({ name: 'Other Co', timezone: 'UTC' });
    // Connecting the accounts told of account.connected; those events are not what this test sends.
    h.t.herald.deliveries.fanOut();
    const { channels } = h.t.herald.services;
    // Slack: agency-wide, failures only. Discord: Acme only, every type. Teams: Other Co, published only.
    channels.create({ kind: 'slack', name: 'Agency failures', url: slack.webhookUrl, events: ['post.failed'] });
    channels.create({ kind: 'discord', name: 'Acme', url: discord.webhookUrl, clientId: acme.id });
    channels.create({
      kind: 'teams',
      name: 'Other Co',
      url: teams.webhookUrl,
      clientId: other.id,
      events: ['post.published'],
    });
    h.emit('post.failed', acme.id, { title: 'Acme failed' });
    h.emit('post.failed', other.id, { title: 'Other failed' });
    h.emit('post.published', acme.id, { title: 'Acme published' });
    h.emit('post.published', other.id, { title: 'Other published' });
    h.emit('backup.failed', null, { title: 'Backup failed' });
    await h.pass();
    expect(slack.refusals).toEqual([]);
    expect(titlesOf.slack().sort()).toEqual(['Acme failed', 'Other failed']);
    expect(titlesOf.discord().sort()).toEqual(['Acme failed', 'Acme published']);
    expect(titlesOf.teams()).toEqual(['Other published']);
  });

  it('a test goes only to the channel it was sent from', async () => {
    const { channels } = h.t.herald.services;
    const one = channels.create({ kind: 'slack', name: 'One', url: slack.webhookUrl }).channel;
    channels.create({ kind: 'discord', name: 'Two', url: discord.webhookUrl });
    const { deliveryId } = channels.sendTest(one.id);
    await h.pass();
    expect(titlesOf.slack()).toEqual(['Test notification from Herald']);
    expect(discord.messages).toEqual([]);
    expect(h.t.herald.repos.notify.getDelivery(deliveryId)).toMatchObject({ status: 'delivered' });
  });
});

import { SYSTEM } from '../../src/domain/actor.js';
import { UnsubscribeTokens } from '../../src/notify/unsubscribe-token.js';
import { json, seedClient, type TestHerald } from './herald.js';
import { makeImage } from './media-fixtures.js';

// The fixtures behind the tables built from the app's own route list (the CSRF matrix, the accessibility sweep): a
// value for each path parameter, found by the path segment before it and its name, so a route added later with a new
// parameter has no fixture and the table that reads it fails until one is given here.

/** A value for each path parameter; a list means the route is visited once per value. */
export type Fixtures = Record<string, string | string[]>;

/** Seeds one row of everything a path parameter can name, on a client of its own, and returns the values. */
export async function seedRouteFixtures(t: TestHerald) {
  const { services } = t.herald;
  const seeded = seedClient(t);
  const media = await services.media.ingest([await makeImage(64, 64)], { clientId: seeded.client.id });
  const invite = services.clients.createInvite(seeded.client.id);
  const runId = (await json<{ runId: string }>(await t.api('POST', '/jobs/maintenance/run'))).runId;
  const backup = await services.backups.create();
  const otherAdmin = await services.auth.createAdmin({ email: 'other@agency.test', password: 'another long password' });
  const memberInvite = services.members.invite(SYSTEM, { email: 'new@agency.test', role: 'editor' });

  // A chat channel (its URL is only checked, never called: nothing runs the delivery loop here) and a test's delivery.
  const channel = services.channels.create({
    kind: 'slack',
    name: 'Ops',
    url: 'https://hooks.slack.com/services/T000/B000/xyz',
  }).channel;
  const channelTest = services.channels.sendTest(channel.id);
  const webhook = services.channels.create({ kind: 'webhook', url: 'https://hooks.example.com/herald' }).channel;
  const webhookTest = services.channels.sendTest(webhook.id);

  const ids = {
    client: seeded.client.id,
    account: seeded.facebook.id,
    rule: services.rules.create(seeded.client.id, { name: 'R', cron: '0 9 * * *' }).id,
    post: services.posts.create({ accountId: seeded.facebook.id, caption: 'x' }, SYSTEM).id,
    group: services.groups.create(
      { clientId: seeded.client.id, caption: 'x', members: [{ accountId: seeded.facebook.id }] },
      SYSTEM,
    ).group.id,
    invite: invite.invite.id,
    inviteSecret: new URL(invite.url).pathname.split('/').pop()!,
    token: services.apiTokens.create({ name: 'x' }).row.id,
    media: media.id,
    mediaKey: media.key,
    admin: otherAdmin.id,
    joinSecret: new URL(memberInvite.url).pathname.split('/').pop()!,
    channel: channel.id,
    delivery: channelTest.deliveryId,
    webhook: webhook.id,
    webhookDelivery: webhookTest.deliveryId,
    unsubscribe: new UnsubscribeTokens(t.config.secretKey).make('someone@client.test', 'digest'),
    label: services.labels.create({ name: 'Campaign', color: '#1971c2' }).id,
    snippet: services.snippets.create(seeded.client.id, { name: 'Tags', text: '#bread' }).id,
    import: (
      await services.imports.dryRun(
        { clientId: seeded.client.id, fileName: 'plan.csv', bytes: Buffer.from('network,account_name\nfacebook,x\n') },
        SYSTEM,
      )
    ).id,
    // A loopback address not listed in OUTBOUND_PRIVATE_HOSTS: refused at once, nothing is fetched.
    feed: (
      await services.feeds.create(seeded.client.id, {
        url: 'http://127.0.0.1:9/feed.xml',
        accountIds: [seeded.facebook.id],
      })
    ).id,
  };

  const fixtures: Fixtures = {
    'clients/:id': ids.client,
    'clients/:clientId': ids.client,
    'accounts/:id': ids.account,
    'rules/:id': ids.rule,
    'posts/:id': ids.post,
    'groups/:id': ids.group,
    'post-groups/:id': ids.group,
    'do/:action': ['approve', 'reject', 'cancel', 'retry', 'submit'],
    'invites/:inviteId': ids.invite,
    'invite/:token': ids.inviteSecret,
    'tokens/:id': ids.token,
    'media/:id': ids.media,
    'media/:key': ids.mediaKey,
    'media/:mediaId': ids.media,
    'labels/:id': ids.label,
    'snippets/:id': ids.snippet,
    'imports/:id': ids.import,
    'import/:importId': ids.import,
    'feeds/:id': ids.feed,
    'jobs/:id': 'maintenance',
    'jobs/:name': 'maintenance',
    'runs/:id': runId,
    'backups/:name': backup.name,
    'auth/:connector': 'tiktok',
    'team/:id': ids.admin,
    'members/:id': ids.admin,
    'join/:token': ids.joinSecret,
    'channels/:id': ids.channel,
    'webhooks/:id': ids.webhook,
    'deliveries/:deliveryId': ids.webhookDelivery,
    'deliveries/:id': ids.delivery,
    'unsubscribe/:token': ids.unsubscribe,
    // Neither exists: the routes answer after the sign-in and CSRF checks this table is about.
    'passkeys/:id': 'no-such-passkey',
    'sessions/:id': 'no-such-session',
  };
  return { ids, fixtures };
}

/**
 * The concrete paths of a route pattern, each parameter filled from `fixtures` (a list gives one path per value),
 * or the problem: a parameter without a fixture, or a wildcard.
 */
export function expandPattern(pattern: string, fixtures: Fixtures): { paths: string[]; problem: string | null } {
  let paths = [''];
  const segments = pattern.split('/').slice(1);
  for (const [i, segment] of segments.entries()) {
    if (segment.includes('*')) {
      return { paths: [], problem: `wildcard route ${pattern}: name it in MIDDLEWARE or give it a fixture` };
    }
    if (!segment.startsWith(':')) {
      paths = paths.map((p) => `${p}/${segment}`);
      continue;
    }
    const key = `${segments[i - 1] ?? ''}/${segment}`;
    const value = fixtures[key];
    if (value === undefined) return { paths: [], problem: `no fixture for "${key}" in ${pattern}` };
    paths = paths.flatMap((p) => (Array.isArray(value) ? value : [value]).map((v) => `${p}/${encodeURIComponent(v)}`));
  }
  return { paths, problem: null };
}

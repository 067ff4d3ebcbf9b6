// /api/v1/webhooks: endpoints of kind `webhook` only, the secret shown once, validation with
// details, private targets refused unless OUTBOUND_PRIVATE_HOSTS names them, the delivery log paged.
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { json, makeHerald, seedClient, type TestHerald } from '../helpers/herald.js';

let t: TestHerald | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const HOOK = 'https://hooks.example.com/herald/abcdefghijklmnop';

describe('webhooks API', () => {
  it('create shows the secret once; list, get, patch and delete see webhooks only', async () => {
    t = await makeHerald();
    const { client } = seedClient(t);
    const created = await t.api('POST', '/webhooks', { url: HOOK, events: ['post.failed'], clientId: client.id });
    expect(created.status).toBe(201);
    const hook = await json(created);
    expect(hook).toMatchObject({ events: ['post.failed'], clientId: client.id, active: true });
    expect(hook.id).toMatch(/^chn_/);
    expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(hook.secret.slice(6), 'base64')).toHaveLength(32);
    expect(hook.url).toBe('https://hooks.example.com/herald/abcd…');

    // A chat channel lives in the same table but is not a webhook.
    const slack = t.herald.services.channels.create({ kind: 'slack', url: 'https://hooks.slack.com/services/T/B/x' });
    expect((await t.api('GET', `/webhooks/${slack.channel.id}`)).status).toBe(404);
    expect((await t.api('DELETE', `/webhooks/${slack.channel.id}`)).status).toBe(404);

    const list = await json(await t.api('GET', '/webhooks'));
    expect(list.data.map((h: { id: string }) => h.id)).toEqual([hook.id]);
    expect(list.nextCursor).toBeNull();
    const got = await json(await t.api('GET', `/webhooks/${hook.id}`));
    expect(got).not.toHaveProperty('secret');
    expect(JSON.stringify(list)).not.toContain(hook.secret.slice(6, 20));

    const patched = await t.api('PATCH', `/webhooks/${hook.id}`, { events: [], clientId: null, active: false });
    expect(await json(patched)).toMatchObject({ events: [], clientId: null, active: false });
    const resumed = await json(await t.api('PATCH', `/webhooks/${hook.id}`, { active: true }));
    expect(resumed.active).toBe(true);

    expect((await t.api('DELETE', `/webhooks/${hook.id}`)).status).toBe(204);
    expect((await t.api('GET', `/webhooks/${hook.id}`)).status).toBe(404);
    expect(t.herald.services.channels.list()).toHaveLength(1);
  });

  it.each([
    ['no url', { events: [] }, 'url', /required/],
    ['not a URL', { url: 'hooks' }, 'url', /not a URL/],
    ['ftp', { url: 'ftp://example.com/x' }, 'url', /http or https/],
    ['plain http to a public host', { url: 'http://hooks.example.com/x' }, 'url', /must use https/],
    ['loopback address', { url: 'https://127.0.0.1:8443/x' }, 'url', /private address.*OUTBOUND_PRIVATE_HOSTS/],
    ['private address', { url: 'https://10.1.2.3/x' }, 'url', /private address/],
    ['cloud metadata', { url: 'https://169.254.169.254/latest' }, 'url', /private address/],
    ['localhost', { url: 'https://localhost:8443/x' }, 'url', /loopback.*OUTBOUND_PRIVATE_HOSTS/],
    ['unknown event type', { url: HOOK, events: ['post.exploded'] }, 'events.0', /not an event type/],
    ['unknown client', { url: HOOK, clientId: 'cli_nope' }, 'clientId', /no such client/],
    ['a bad own secret', { url: HOOK, secret: 'hunter2' }, 'secret', /whsec_/],
  ])('%s → 400 validation_failed with details', async (_name, body, field, message) => {
    t = await makeHerald();
    const res = await t.api('POST', '/webhooks', body);
    expect(res.status).toBe(400);
    const { error } = await json(res);
    expect(error.code).toBe('validation_failed');
    expect(error.details[field]?.join(' ')).toMatch(message);
    expect(t.herald.services.channels.list()).toHaveLength(0);
  });

  it('a body that is not a JSON object is refused', async () => {
    t = await makeHerald();
    for (const body of ['[]', '"x"', 'null']) {
      const res = await t.api('POST', '/webhooks', body);
      expect(res.status).toBe(400);
      expect((await json(res)).error.details.body).toEqual(['must be a JSON object']);
    }
  });

  it('a loopback receiver is allowed once OUTBOUND_PRIVATE_HOSTS names it, and only that one', async () => {
    t = await makeHerald({ OUTBOUND_PRIVATE_HOSTS: '127.0.0.1' });
    expect((await t.api('POST', '/webhooks', { url: 'http://127.0.0.1:9000/hook' })).status).toBe(201);
    expect((await t.api('POST', '/webhooks', { url: 'http://127.0.0.2:9000/hook' })).status).toBe(400);
    const hook = (await json(await t.api('GET', '/webhooks'))).data[0];
    const moved = await t.api('PATCH', `/webhooks/${hook.id}`, { url: 'https://192.168.1.10/hook' });
    expect(moved.status).toBe(400);
    expect((await json(moved)).error.details.url[0]).toMatch(/private address/);
  });

  it('the delivery log: newest first, cursor paged, by status; redeliver only its own deliveries', async () => {
    const clock = new ManualClock(Date.parse('2026-11-30T09:00:00Z'));
    t = await makeHerald({}, { clock });
    t.herald.lease.tick();
    const hook = await json(await t.api('POST', '/webhooks', { url: HOOK }));
    const other = await json(await t.api('POST', '/webhooks', { url: `${HOOK}/other` }));
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(
        t.herald.database.immediate(() => t!.herald.services.events.emit('post.published', null, { title: `#${i}` }))
          .id,
      );
      t.herald.deliveries.fanOut();
      clock.advance(1000);
    }
    const first = await json(await t.api('GET', `/webhooks/${hook.id}/deliveries?limit=3`));
    expect(first.data.map((d: { eventId: string }) => d.eventId)).toEqual([ids[4], ids[3], ids[2]]);
    expect(first.data[0]).toMatchObject({
      eventType: 'post.published',
      status: 'pending',
      attempts: 0,
      responseStatus: null,
      responseBody: null,
      error: null,
      lastAttemptAt: null,
    });
    expect(first.data[0].nextAttemptAt).toBe(first.data[0].createdAt);
    const second = await json(await t.api('GET', `/webhooks/${hook.id}/deliveries?limit=3&cursor=${first.nextCursor}`));
    expect(second.data.map((d: { eventId: string }) => d.eventId)).toEqual([ids[1], ids[0]]);
    expect(second.nextCursor).toBeNull();
    expect((await json(await t.api('GET', `/webhooks/${hook.id}/deliveries?status=delivered`))).data).toEqual([]);
    const bad = await t.api('GET', `/webhooks/${hook.id}/deliveries?status=lost`);
    expect((await json(bad)).error.details.status).toBeDefined();

    const foreign = (await json(await t.api('GET', `/webhooks/${other.id}/deliveries?limit=1`))).data[0];
    expect((await t.api('POST', `/webhooks/${hook.id}/deliveries/${foreign.id}/redeliver`)).status).toBe(404);
    expect((await t.api('POST', `/webhooks/${hook.id}/deliveries/dlv_nope/redeliver`)).status).toBe(404);
    expect((await t.api('POST', '/webhooks/chn_nope/test')).status).toBe(404);
  });
});

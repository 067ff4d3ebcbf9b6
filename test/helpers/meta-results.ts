// One Herald on a manual clock with the Meta fakes, and a Facebook post published by the engine
// to a Page with the results permissions: the start of every publish → collect → results test.
import { ManualClock } from '../../src/lib/clock.js';
import { FakeMeta } from '../fakes/meta.js';
import { makeHerald, type TestHerald } from './herald.js';

const APP = { appId: '1234567890', appSecret: 'app-secret' };
export const T0 = Date.parse('2026-06-01T10:00:00.000Z');

export interface MetaResultsHarness {
  meta: FakeMeta;
  t: TestHerald;
  clock: ManualClock;
  close(): Promise<void>;
}

/** Started and leading; `env` adds variables (an admin to sign in with, say). */
export async function metaResultsHarness(env: Record<string, string> = {}): Promise<MetaResultsHarness> {
  const clock = new ManualClock(T0);
  const meta = new FakeMeta(APP);
  meta.now = () => clock.now();
  const url = await meta.start();
  const t = await makeHerald(
    {
      ...env,
      META_APP_ID: APP.appId,
      META_APP_SECRET: APP.appSecret,
      META_GRAPH_URL: `${url}/v25.0`,
      META_DIALOG_URL: `${url}/v25.0/dialog/oauth`,
    },
    {
      clock,
      platformOptions: { meta: { pollIntervalMs: 10, requestTimeoutMs: 5_000 } },
      engine: { settleMs: 0, random: () => 0 },
    },
  );
  await t.herald.services.auth.ensureConfiguredAdmin();
  t.herald.lease.tick();
  return {
    meta,
    t,
    clock,
    async close() {
      await t.close();
      await meta.stop();
    },
  };
}

/** A client with a Facebook Page (results permissions granted) and one post the engine published at T0. */
export async function publishedPagePost(h: MetaResultsHarness) {
  const { services } = h.t.herald;
  const clientId = services.clients.create({ name: 'Acme Bakery', timezone: 'UTC', approvalMode: 'none' }).id;
  const page = h.meta.addPage({ name: 'Acme Bakery' });
  const accountId = services.accounts.connect({
    clientId,
    platform: 'facebook',
    externalId: page.pageId,
    name: 'Acme Bakery',
    accessToken: page.pageToken,
    tokenExpiresAt: null,
    scopes: ['pages_manage_posts', 'read_insights', 'pages_read_engagement'],
  }).id;
  const postId = services.posts.create(
    { accountId, caption: 'Fresh bread today', scheduledAt: new Date(T0).toISOString(), status: 'scheduled' },
    { kind: 'system' },
  ).id;
  h.t.herald.engine.runDue();
  await h.t.herald.engine.drain(10_000);
  return { clientId, page, accountId, postId, post: services.posts.get(postId) };
}

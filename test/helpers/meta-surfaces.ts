import { rmSync } from 'node:fs';
import { loadConfig } from '../../src/config.js';
import type { Surface } from '../../src/domain/composer.js';
import { createLogger } from '../../src/log.js';
import { metaPlatform } from '../../src/platforms/meta/index.js';
import { FakeMeta } from '../fakes/meta.js';
import { startLiveHerald, type LiveHerald } from './browser.js';
import { tempDir, TEST_SECRET } from './herald.js';
import { makeImage, makeMp4, type Mp4Options } from './media-fixtures.js';

const APP = { appId: '1234567890', appSecret: 'app-secret' };

/** A live Herald publishing to the Meta fake, with one Page and its linked Instagram account. */
export interface MetaSurfacesRig {
  meta: FakeMeta;
  live: LiveHerald;
  page: { pageId: string; pageToken: string; igUserId: string };
  facebookId: string;
  instagramId: string;
  clientId: string;
  image(width?: number, height?: number, format?: 'jpeg' | 'png'): Promise<string>;
  video(options?: Mp4Options): Promise<string>;
  /** A scheduled post on `surface`, written through the posts service (so checked as the API checks it). */
  seed(accountId: string, surface: Surface, mediaIds: string[], caption?: string, firstComment?: string): string;
  /**
   * The same, with the checks bypassed: written as a feed post, then its surface, caption and media
   * set on the row, for media the platform itself must refuse.
   */
  seedUnchecked(accountId: string, surface: Surface, mediaIds: string[], caption?: string): string;
  /** One engine round: due posts are attempted, and the engine drains. */
  round(): Promise<void>;
  post(id: string): ReturnType<LiveHerald['herald']['services']['posts']['get']>;
  state(id: string): Readonly<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function startMetaSurfaces(): Promise<MetaSurfacesRig> {
  const meta = new FakeMeta(APP);
  const url = await meta.start();
  const env = {
    META_APP_ID: APP.appId,
    META_APP_SECRET: APP.appSecret,
    META_GRAPH_URL: `${url}/v25.0`,
    META_DIALOG_URL: `${url}/v25.0/dialog/oauth`,
  };
  const configDir = tempDir();
  const config = loadConfig({ DATA_DIR: configDir, SECRET_KEY: TEST_SECRET, PUBLIC_URL: 'http://127.0.0.1:9', ...env });
  const { publishers } = metaPlatform({
    config,
    log: createLogger('silent'),
    options: { pollIntervalMs: 10, pollTimeoutMs: 2_000, slowDownMaxMs: 20, requestTimeoutMs: 5_000 },
  });
  const live = await startLiveHerald(env, {
    publishers,
    engine: { backoffBaseMs: 1_000, backoffCapMs: 60_000, settleMs: 0, random: () => 0 },
  });
  await live.herald.scheduler.stop(1_000);
  const { clients, accounts, posts, media } = live.herald.services;
  const clientId = clients.create({ name: 'Acme Bakery', timezone: 'Europe/Berlin', approvalMode: 'none' }).id;
  const created = meta.addPage({ name: 'Acme Bakery', instagram: { username: 'acme.bakery' } });
  const page = { ...created, igUserId: created.igUserId! };
  const facebookId = accounts.connect({
    clientId,
    platform: 'facebook',
    externalId: page.pageId,
    name: 'Acme Bakery',
    accessToken: page.pageToken,
    scopes: [],
  }).id;
  const instagramId = accounts.connect({
    clientId,
    platform: 'instagram',
    externalId: page.igUserId,
    name: 'acme.bakery',
    accessToken: page.pageToken,
    scopes: [],
    parentAccountId: facebookId,
  }).id;
  let placeholder: string | null = null;
  const image = async (width = 1080, height = 1920, format: 'jpeg' | 'png' = 'jpeg') =>
    (await media.ingest([await makeImage(width, height, format)], { clientId })).id;
  // A feed-valid square image, for writing a post before its surface is set.
  placeholder = await image(1080, 1080);
  const repos = live.herald.repos;
  return {
    meta,
    live,
    page,
    facebookId,
    instagramId,
    clientId,
    image,
    video: async (options = {}) => (await media.ingest([makeMp4({ frameRate: 30, ...options })], { clientId })).id,
    seed(accountId, surface, mediaIds, caption = '', firstComment = '') {
      const at = new Date().toISOString();
      const input = { accountId, surface, caption, firstComment, mediaIds, scheduledAt: at, status: 'scheduled' };
      return posts.create(input, { kind: 'system' }).id;
    },
    seedUnchecked(accountId, surface, mediaIds, caption = '') {
      const id = posts.create(
        {
          accountId,
          caption: 'placeholder',
          mediaIds: [placeholder!],
          scheduledAt: new Date().toISOString(),
          status: 'scheduled',
        },
        { kind: 'system' },
      ).id;
      repos.posts.update(id, { surface, caption });
      repos.posts.setMedia(id, mediaIds);
      return id;
    },
    async round() {
      live.herald.engine.runDue();
      await live.herald.engine.drain(30_000);
    },
    post: (id) => posts.get(id),
    state: (id) => repos.publishing.getAttempt(posts.get(id).currentAttemptId!)!.state,
    async close() {
      await live.close();
      await meta.stop();
      rmSync(configDir, { recursive: true, force: true });
    },
  };
}

import { join } from 'node:path';
import type { AttemptRow, PostWithMedia } from '../../db/repos/index.js';
import type { AttemptContext, PublishMedia, StepLog } from '../../platforms/types.js';
import type { EngineRuntime } from './runtime.js';

/**
 * Builds what a publisher sees for one attempt: the post, its media (public URLs and files), the
 * account with decrypted tokens, `save`, which persists external ids in their own commit, and
 * `storeTokens` for a session the publisher renewed.
 */
export function buildContext(
  engine: EngineRuntime,
  post: PostWithMedia,
  attempt: AttemptRow,
  signal: AbortSignal,
): AttemptContext {
  const { repos, accounts, media: mediaService, clock, config, posts, networks } = engine.deps;
  const accountRow = repos.accounts.get(post.accountId)!;
  const account = accounts.forPlatform(accountRow);
  const rows = repos.media.getMany(post.mediaIds);
  const media: PublishMedia[] = post.mediaIds.map((id) => {
    const m = rows.find((r) => r.id === id)!;
    return {
      id: m.id,
      mime: m.mime,
      size: m.size,
      width: m.width,
      height: m.height,
      durationMs: m.durationMs,
      altText: m.altText,
      frameRate: m.frameRate,
      url: mediaService.url(m.key),
      path: join(config.mediaDir, m.key),
      jpegUrl: async () => mediaService.url(await mediaService.jpegKeyFor(m.id)),
    };
  });
  const client = repos.clients.get(post.clientId) as unknown as Record<string, unknown> | undefined;
  const settings = Object.fromEntries(
    (networks.networkOf(accountRow.platform)?.descriptor.clientSettings ?? []).map((s) => {
      const value = client?.[s.field];
      return [s.key, typeof value === 'string' && value !== '' ? value : null];
    }),
  );
  const state: Record<string, unknown> = { ...attempt.state };
  return {
    postId: post.id,
    attemptId: attempt.id,
    caption: post.caption,
    surface: post.surface,
    firstComment: post.firstComment,
    options: post.options ?? {},
    source: post.source,
    scheduledAt: post.scheduledAt,
    media,
    account,
    client: { settings },
    state,
    sentAt: attempt.sentAt,
    save(patch) {
      Object.assign(state, patch);
      repos.publishing.saveState(attempt.id, state, String(patch.step ?? 'saved'));
    },
    storeTokens(tokens) {
      accounts.storeTokens(account.id, tokens);
    },
    log(entry: StepLog) {
      posts.log(post.id, { ...entry, level: entry.level ?? 'info', attemptId: attempt.id });
    },
    now: () => clock.now(),
    signal,
  };
}

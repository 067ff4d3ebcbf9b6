import type {
  AttemptContext,
  PublishAccount,
  PublishMedia,
  RefreshedTokens,
  StepLog,
} from '../../src/platforms/types.js';

/**
 * An attempt as the engine hands it to a publisher, for publisher tests that run without the
 * engine: `save` persists into `state` (and is recorded in `saves`), `log` collects into `logs`,
 * `storeTokens` records into `stored`. Every field of the contract is set, so a field added to
 * AttemptContext is added here once rather than in each network's tests.
 */
export type TestAttempt = { -readonly [K in keyof AttemptContext]: AttemptContext[K] } & {
  state: Record<string, unknown>;
  logs: StepLog[];
  saves: Array<Record<string, unknown>>;
  stored: RefreshedTokens[];
};

export function testAttempt(fields: {
  account: PublishAccount;
  caption: string;
  now: () => number;
  media?: PublishMedia[];
  options?: Record<string, unknown>;
  state?: Record<string, unknown>;
  clientSettings?: Record<string, string | null>;
  source?: 'ai' | 'manual';
  scheduledAt?: number | null;
}): TestAttempt {
  const ctx: TestAttempt = {
    postId: 'post-1',
    attemptId: 'attempt-1',
    surface: 'feed',
    firstComment: '',
    caption: fields.caption,
    source: fields.source ?? 'manual',
    scheduledAt: fields.scheduledAt ?? null,
    media: fields.media ?? [],
    account: fields.account,
    options: fields.options ?? {},
    client: { settings: fields.clientSettings ?? {} },
    state: fields.state ?? {},
    sentAt: null,
    logs: [],
    saves: [],
    stored: [],
    save: (patch) => {
      ctx.saves.push(patch);
      Object.assign(ctx.state, patch);
    },
    storeTokens: (tokens) => void ctx.stored.push(tokens),
    log: (entry) => void ctx.logs.push(entry),
    now: fields.now,
    signal: new AbortController().signal,
  };
  return ctx;
}

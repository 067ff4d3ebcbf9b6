// The contract between the publishing engine and each platform. Only src/platforms/<vendor>/
// knows URLs, payloads and error codes; the engine sees these shapes.
import type { Platform } from '../domain/platform-limits.js';

export type PlatformErrorKind = 'transient' | 'rate_limited' | 'auth' | 'permanent' | 'unknown_outcome';

/**
 * Every vendor error becomes one of these. `message` is plain words for the admin ("Instagram
 * refused the image: the aspect ratio must be between 4:5 and 1.91:1"); `code` keeps the
 * vendor's own code for the logs.
 *
 * - transient: try again later (nothing happened).
 * - rate_limited: try again after `retryAfterMs`; `scope` says whether the account or the whole
 *   platform app is throttled.
 * - auth: the account's tokens no longer work; a person must reconnect it.
 * - permanent: the platform refused this content; retrying will not help.
 * - unknown_outcome: the request may have taken effect (timeout, reset, 5xx after it left).
 */
export class PlatformError extends Error {
  constructor(
    readonly kind: PlatformErrorKind,
    message: string,
    readonly code: string = kind,
    readonly options: { retryAfterMs?: number; scope?: 'account' | 'platform' } = {},
  ) {
    super(message);
    this.name = 'PlatformError';
  }
  get retryAfterMs(): number | undefined {
    return this.options.retryAfterMs;
  }
}

export interface PublishMedia {
  readonly id: string;
  readonly mime: string;
  readonly size: number;
  readonly width: number | null;
  readonly height: number | null;
  readonly durationMs: number | null;
  readonly altText: string;
  /** The public URL the platform fetches (PUBLIC_URL/media/<key>). */
  readonly url: string;
  /** The file on disk, for uploads Herald pushes itself. */
  readonly path: string;
  /** A JPEG rendition's URL for platforms that take only JPEG (made on first use). */
  jpegUrl(): Promise<string>;
}

export interface PublishAccount {
  readonly id: string;
  readonly platform: Platform;
  readonly externalId: string;
  readonly name: string;
  readonly platformData: Record<string, unknown>;
  readonly accessToken: string;
  readonly refreshToken: string | null;
  readonly tokenExpiresAt: number | null;
}

/** What a step may log; never tokens. */
export interface StepLog {
  step: string;
  message: string;
  level?: 'info' | 'ok' | 'warn' | 'error';
  request?: string;
  code?: string;
  durationMs?: number;
}

export interface AttemptContext {
  readonly postId: string;
  readonly attemptId: string;
  readonly caption: string;
  readonly scheduledAt: number | null;
  readonly media: readonly PublishMedia[];
  readonly account: PublishAccount;
  readonly client: { readonly tiktokPrivacy: string | null };
  /** External ids saved so far in this attempt (and, for a later attempt, by the previous one). */
  readonly state: Readonly<Record<string, unknown>>;
  /** When the publish call left, for attempts being checked. */
  readonly sentAt: number | null;
  /** Persists external ids at once, in their own commit, before the next step. */
  save(patch: Record<string, unknown>): void;
  log(entry: StepLog): void;
  now(): number;
  sleep(ms: number): Promise<void>;
  readonly signal: AbortSignal;
}

export interface PublishResult {
  readonly externalId: string;
  readonly permalink: string | null;
}

export type LookupResult =
  | { readonly status: 'published'; readonly externalId: string; readonly permalink: string | null }
  /** Proof the post is not on the platform: it may be sent again. */
  | { readonly status: 'absent'; readonly reason: string }
  /** The platform is still processing what was sent. */
  | { readonly status: 'pending'; readonly reason: string }
  /** The platform says it failed for good. */
  | { readonly status: 'failed'; readonly error: PlatformError }
  /** Cannot tell (yet). */
  | { readonly status: 'unknown'; readonly reason: string };

/**
 * One platform's publishing, in three steps the engine runs in order:
 * - prepare: everything before the point of no return (creator info, containers, unpublished
 *   uploads). May be repeated; must not make anything public.
 * - send: the one call that publishes (FB /feed, IG media_publish, TikTok init). The engine
 *   records that it is about to happen before calling it, and never calls it twice in an attempt.
 * - confirm: waits for the platform's final word (processing, permalink).
 * - lookup: for an attempt whose outcome is unknown, asks the platform what happened.
 * Errors are PlatformErrors; anything else thrown after send counts as an unknown outcome.
 */
export interface Publisher {
  readonly platform: Platform;
  prepare(ctx: AttemptContext): Promise<void>;
  send(ctx: AttemptContext): Promise<void>;
  confirm(ctx: AttemptContext): Promise<PublishResult>;
  lookup(ctx: AttemptContext): Promise<LookupResult>;
}

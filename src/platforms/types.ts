// The contract between the publishing engine and each platform. Only src/platforms/<vendor>/
// knows URLs, payloads and error codes; the engine sees these shapes.
import type { Surface } from '../domain/composer.js';
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
  /** Frames per second of a video, when the file said (Reels and Stories check it). */
  readonly frameRate?: number | null;
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
  /** Where on the network the post appears (feed, story, reel); publishers without surfaces only see `feed`. */
  readonly surface: Surface;
  /** The first comment to publish after the post ('' for none), sent through `Publisher.firstComment`. */
  readonly firstComment: string;
  /** 'ai' when a content rule's AI wrote it (TikTok labels AI-generated content). */
  readonly source: 'ai' | 'manual';
  readonly scheduledAt: number | null;
  readonly media: readonly PublishMedia[];
  readonly account: PublishAccount;
  /**
   * The post's own fields its platform declares (its descriptor's `postOptions`), as the
   * platform's schema returned them when the post was written; {} when none.
   */
  readonly options: Readonly<Record<string, unknown>>;
  /** The client's options for this account's network, by the keys its descriptor's `clientSettings` declare. */
  readonly client: { readonly settings: Readonly<Record<string, string | null>> };
  /** External ids saved so far in this attempt (and, for a later attempt, by the previous one). */
  readonly state: Readonly<Record<string, unknown>>;
  /** When the publish call left, for attempts being checked. */
  readonly sentAt: number | null;
  /** Persists external ids at once, in their own commit, before the next step. */
  save(patch: Record<string, unknown>): void;
  /**
   * Stores tokens the publisher had to renew during the attempt (an access token that expired
   * mid-publish), encrypted and in one commit, as the refresh job would: a rotated refresh token
   * must be kept or the account is lost once the old one stops working. Later attempts use them.
   */
  storeTokens(tokens: RefreshedTokens): void;
  log(entry: StepLog): void;
  /** The engine's time, which `sentAt` and `scheduledAt` are on. Publishers wait through their own Clock. */
  now(): number;
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
  /** The first comment, for platforms that take one (their descriptor declares `firstComment`). */
  readonly firstComment?: FirstCommentPublisher;
}

/** What a lookup of a first comment found. */
export type CommentLookup =
  | { readonly status: 'found'; readonly commentId: string }
  /** Proof the comment is not there: it may be sent again. */
  | { readonly status: 'absent'; readonly reason: string }
  /** Cannot tell (yet). */
  | { readonly status: 'unknown'; readonly reason: string };

/**
 * A platform's first comment: posted under the published post as its own step, after the
 * engine has recorded (fenced) that the call is about to leave. `ctx` is the attempt that
 * published the post: `ctx.state` holds the ids its publisher saved (the parent the comment hangs
 * on) and `result` is what `confirm` or a lookup returned.
 * - post: sends the comment once; returns its id. Throws PlatformError (unknown_outcome when it
 *   may have been created).
 * - find: for a comment whose outcome is unknown, looks for it among the post's comments by the
 *   account's own comments with the same text; never guesses "absent".
 */
export interface FirstCommentPublisher {
  post(ctx: AttemptContext, result: PublishResult, message: string): Promise<string>;
  find(ctx: AttemptContext, result: PublishResult, message: string): Promise<CommentLookup>;
}

// ---- Connecting accounts (OAuth) and keeping their tokens alive ----------------------------

/** An account the user granted, as a connector found it after the OAuth callback. */
export interface ConnectedAccount {
  readonly platform: Platform;
  readonly externalId: string;
  readonly name: string;
  readonly username?: string | null;
  readonly accessToken: string;
  /** TikTok: the refresh token. Meta: the long-lived user token page tokens are derived from. */
  readonly refreshToken?: string | null;
  readonly tokenExpiresAt: number | null;
  readonly refreshExpiresAt?: number | null;
  readonly scopes: readonly string[];
  /** Instagram: the external id of the Facebook Page it is reached through. */
  readonly parentExternalId?: string | null;
  readonly platformData?: Record<string, unknown>;
}

export interface ConnectResult {
  readonly accounts: readonly ConnectedAccount[];
  /**
   * Things the person should know even though something connected ("Instagram: no business account is linked
   * to Page X").
   */
  readonly warnings: readonly string[];
}

/** A connection that did not work, in words for the person who tried (client or admin). */
export class ConnectError extends Error {
  constructor(
    readonly reason: 'denied' | 'missing_permissions' | 'no_accounts' | 'failed',
    message: string,
    readonly details: { readonly missing?: readonly string[]; readonly help?: readonly string[] } = {},
  ) {
    super(message);
    this.name = 'ConnectError';
  }
}

/** A form connection that continues at the vendor's consent page (docs/adding-a-network.md#connecting). */
export interface FormRedirect {
  readonly redirectTo: string;
}

export interface AuthorizationRequest {
  /** The single-use state sent to the vendor and checked on the way back. */
  readonly state: string;
  /** Exactly `${PUBLIC_URL}/auth/<connector>/callback`, as registered with the vendor. */
  readonly redirectUri: string;
  /** A PKCE verifier, for vendors that take one. */
  readonly codeVerifier: string;
  /** The descriptor's `connect.oauth.entries[].key` the person chose; absent for the main connect button. */
  readonly entry?: string;
}

export interface RefreshAccount extends PublishAccount {
  readonly refreshExpiresAt: number | null;
  readonly scopes: readonly string[];
  readonly lastRefreshedAt: number | null;
}

export interface RefreshedTokens {
  readonly accessToken: string;
  readonly refreshToken?: string | null;
  readonly tokenExpiresAt: number | null;
  readonly refreshExpiresAt?: number | null;
  readonly scopes?: readonly string[];
}

/**
 * One network's way of connecting accounts and keeping them alive: Meta's OAuth connects Facebook
 * Pages and the Instagram business accounts linked to them; TikTok's connects the TikTok user. A
 * network that connects through a form (its descriptor's `connect.form`) implements
 * `connectWithForm`; one that connects only that way may leave the OAuth methods out.
 */
export interface Connector {
  readonly id: string;
  readonly label: string;
  readonly platforms: readonly Platform[];
  /** Where to send the browser to ask for consent. */
  authorizationUrl?(request: AuthorizationRequest): Promise<string>;
  /** The callback: code → tokens → every asset granted. Throws ConnectError in words for people. */
  complete?(callbackUrl: URL, request: AuthorizationRequest): Promise<ConnectResult>;
  /**
   * A form-kind connection: the values of the descriptor's `connect.form.fields`, by name and
   * trimmed → every account they give access to. Throws ConnectError in words for people.
   */
  connectWithForm?(
    values: Readonly<Record<string, string>>,
    options: {
      signal: AbortSignal;
      /**
       * Starts an OAuth flow for this connection (a single-use state bound to the browser session,
       * as `/auth/<id>/start` makes): a form that only finds where to authorize (a Mastodon
       * instance's address) answers `{ redirectTo }` with that request's state in its URL, and the
       * normal callback (`complete`) finishes the connection.
       */
      authorization(): AuthorizationRequest;
    },
  ): Promise<ConnectResult | FormRedirect>;
  /**
   * Keeps an account's access alive: refreshes tokens that expire soon, and checks the others
   * (`check: true` asks for a health check even when nothing is due). Returns tokens to store,
   * or null when nothing changed; throws PlatformError('auth') when a person must reconnect.
   */
  refresh(account: RefreshAccount, options: { check: boolean; signal: AbortSignal }): Promise<RefreshedTokens | null>;
  /**
   * The account's picture as the vendor gives it now (its URL, or null for none), asked after the
   * daily health check so a changed picture (or a CDN address that expired) is followed; stored as
   * `platformData.avatarUrl` (docs/adding-a-network.md#account-pictures). Optional.
   */
  picture?(account: PublishAccount, options: { signal: AbortSignal }): Promise<string | null>;
}

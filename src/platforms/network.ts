// What a network says about itself (docs/adding-a-network.md). Each folder under src/platforms/
// exports one NetworkDescriptor from its index.ts; src/platforms/registry.ts lists them, and the
// pages, validation, generation, token refresh and the portal loop over that list.
import type { ZodType } from 'zod';
import type { Config } from '../config.js';
import type { Surface } from '../domain/composer.js';
import type { FieldErrors } from '../domain/errors.js';
import type { CaptionLimits, MediaFacts } from '../domain/platform-limits.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../log.js';
import type { InsightsReader } from './insights.js';
import type { Connector, Publisher } from './types.js';

/** A bad value in a network's environment variables; src/config.ts reports it as a ConfigError. */
export class NetworkConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
    this.name = 'NetworkConfigError';
  }
}

/**
 * The environment variables a network reads, and the settings it makes of them. src/config.ts is
 * still the only reader of the environment: it validates `env` with the rest and hands the parsed
 * values to `read`; the result is `config[<network id>]`.
 */
export interface NetworkConfig<C> {
  /** One zod schema per variable, each `.optional()` (absent means the default). */
  readonly env: Readonly<Record<string, ZodType<unknown>>>;
  /** Parsed values (absent ones undefined) → settings. Throws NetworkConfigError for a bad combination. */
  read(env: Readonly<Record<string, unknown>>): C;
  /** True when the credentials are set: only then is the network built and offered. */
  configured(config: C): boolean;
  /** The System page's line for a configured network ("https://graph.facebook.com/v25.0"). */
  summary(config: C): string;
}

/** A field of a form-kind connection, rendered on the portal and the admin client page. */
export interface ConnectField {
  readonly name: string;
  readonly label: string;
  readonly type: 'text' | 'password' | 'url';
  readonly hint?: string;
  readonly placeholder?: string;
  readonly autocomplete?: string;
}

/** A connection made by filling in a form (a handle and an app password) instead of an OAuth redirect. */
export interface ConnectForm {
  /** Plain words above the fields (what an app password is, why it is safe). */
  readonly intro: string;
  readonly fields: readonly ConnectField[];
  /** Where the person creates what the form asks for. */
  readonly help?: { readonly text: string; readonly url: string };
}

/**
 * A per-client option of this network, shown on the client form (e.g. TikTok's privacy level) and
 * handed to its publisher as `AttemptContext.client.settings[key]`.
 */
export interface ClientSetting {
  /** The name the publisher reads it by. */
  readonly key: string;
  /** The client field (a column of clients) it is stored in, and the form field's name. */
  readonly field: string;
  readonly label: string;
  readonly options: ReadonlyArray<readonly [value: string, label: string]>;
  readonly hint?: string;
}

/**
 * A field a post to this platform carries beyond its caption and media (a button, an event's
 * dates), rendered in the post editor and sent as `options.<name>` through the API.
 */
export interface PostField {
  /** Its key in the post's options; the editor's input is named `options.<name>`. */
  readonly name: string;
  readonly label: string;
  /** `datetime`: a wall-clock `YYYY-MM-DDTHH:mm` (an input of type datetime-local). */
  readonly kind: 'select' | 'text' | 'url' | 'datetime';
  /** For `select`: value and label; an empty value means "not set". */
  readonly choices?: ReadonlyArray<readonly [value: string, label: string]>;
  /**
   * For `select`: further choices that depend on the post's account (a Pinterest account's boards),
   * read from its platformData and listed after `choices` (docs/adding-a-network.md#post-options).
   */
  accountChoices?(
    platformData: Readonly<Record<string, unknown>>,
  ): ReadonlyArray<readonly [value: string, label: string]>;
  readonly help?: string;
}

/**
 * A per-account setting a platform declares (a Pinterest account's default board), shown as a
 * select beside the account on the admin client page. Its choices come from the account's
 * platformData and the chosen value is stored there under `key`
 * (docs/adding-a-network.md#account-settings).
 */
export interface AccountSetting {
  readonly key: string;
  readonly label: string;
  readonly hint?: string;
  /** The choices for this account; the first one stands when none is stored yet. */
  choices(platformData: Readonly<Record<string, unknown>>): ReadonlyArray<readonly [value: string, label: string]>;
}

/**
 * The per-post options a platform declares: the editor's fields, and the schema that parses what
 * the editor or the API sent (absent fields undefined, never empty strings). Its issues become
 * field errors named `options.<path>`; what it returns is stored on the post, checked by `check`,
 * and handed to the publisher as `AttemptContext.options`.
 */
export interface PostOptions {
  readonly fields: readonly PostField[];
  readonly schema: ZodType<Record<string, unknown>>;
}

/** One more connect button of an OAuth connection: its `key`, button name and what it gives. */
export interface OAuthEntry {
  readonly key: string;
  readonly label: string;
  readonly description: string;
}

/** What the AI writer knows about a platform. */
export interface WritingHabits {
  /** One line of style for the prompt ("Instagram caption: a strong first line …"). */
  readonly style: string;
  /** How many hashtags its posts carry by habit (never more than its limit). */
  readonly hashtags: number;
  /** The generated image's shape: pixel size for the pre-check, aspect ratio for the image model. */
  readonly image: { readonly width: number; readonly height: number; readonly aspect: '1:1' | '4:5' | '9:16' };
  /** Posts without media are refused (rules for it must generate an image). */
  readonly needsImage: boolean;
}

/** What a platform's `check` may know of the account a post is for. */
export interface AccountFacts {
  /** What its connector stored on it (docs/adding-a-network.md#the-descriptor). */
  readonly platformData: Readonly<Record<string, unknown>>;
}

/** What the pages know of a connected account's access, for a platform's `accountNote`. */
export interface AccountAccess {
  /** A refresh token is stored: the refresh job can renew access without the person. */
  readonly renewable: boolean;
  readonly tokenExpiresAt: number | null;
}

/**
 * A surface of a platform beyond its feed (an Instagram Story, a Facebook Reel): its own caption
 * rules, media and check (docs/composer.md#stories-and-reels).
 */
export interface SurfaceSpec<C = unknown> {
  /** "Story", "Reel". */
  readonly label: string;
  /** Its caption's limits, or null when it carries no caption (a Story): a caption is then refused. */
  readonly caption: CaptionLimits | null;
  readonly media: {
    readonly images: boolean;
    readonly videos: boolean;
    /** How many media a post of it takes (a Story or Reel: exactly one). */
    readonly min: number;
    readonly max: number;
  };
  /** Whether a first comment can hang on it. */
  readonly firstComment: boolean;
  /** Its full check when a post is written, as the platform's own `check`. */
  check(
    caption: string,
    media: readonly MediaFacts[],
    config: C,
    options: Readonly<Record<string, unknown>>,
    account: AccountFacts | null,
  ): FieldErrors | null;
  /** A line for people about how it will show these media ("not 9:16: Facebook may show bars"), or null. */
  describe?(media: readonly MediaFacts[]): string | null;
}

/** One platform a network publishes to (Meta gives two: facebook and instagram). */
export interface PlatformDescriptor<C = unknown> {
  /** Stored in accounts.platform and posts; never renamed once used. */
  readonly id: string;
  readonly label: string;
  /** What the post editor counts against. */
  readonly limits: CaptionLimits;
  /** Which media it takes at all. */
  readonly media: { readonly images: boolean; readonly videos: boolean };
  /**
   * The full check of a post when it is written; field errors in plain words, or null. `options`
   * is what `postOptions.schema` returned ({} for a platform without options). `account` is the
   * account posted to, when there is one, for limits that differ per account (a Mastodon
   * instance's own); null for a check of the platform alone (an AI draft's review).
   */
  check(
    caption: string,
    media: readonly MediaFacts[],
    config: C,
    options: Readonly<Record<string, unknown>>,
    account: AccountFacts | null,
  ): FieldErrors | null;
  /** Fields a post to it carries beyond caption and media (docs/adding-a-network.md#post-options). */
  readonly postOptions?: PostOptions;
  /** Surfaces beyond the feed it publishes to (docs/composer.md#stories-and-reels); absent: feed only. */
  readonly surfaces?: Partial<Record<Exclude<Surface, 'feed'>, SurfaceSpec<C>>>;
  /**
   * The first comment it takes under a feed post (its publisher implements `firstComment`): its
   * length, and the scopes the account must have granted (checked against `platformData.scopes`
   * when the connector stores them). Absent: no first comments.
   */
  readonly firstComment?: {
    readonly maxLength: number;
    readonly scopes: ReadonlyArray<{ readonly scope: string; readonly why: string }>;
  };
  /** Settings of each account of it, chosen on the client page (docs/adding-a-network.md#account-settings). */
  readonly accountSettings?: readonly AccountSetting[];
  readonly ai: WritingHabits;
  /** Why the autopilot cannot write for it under this configuration (null: it can). */
  generationBlocked?(config: C): string | null;
  /**
   * An account of this platform is reached through a parent account of another platform of the
   * same network (an Instagram account through its Facebook Page): it uses the parent's token, a
   * refreshed parent token is stored on it too, and a parent that must be reconnected takes it along.
   */
  readonly parent?: { readonly platform: string; readonly sharesToken: boolean };
  /**
   * A line shown beside an account on the portal and the client page, or null: a network whose
   * tokens cannot always be renewed says by when to reconnect.
   */
  accountNote?(account: AccountAccess, now: number): string | null;
  /**
   * A line for people about how this platform will publish the post's media (a YouTube Short or a
   * regular video), shown in the post editor, or null. It must call the same rule the publisher
   * decides by, so the editor never says one thing and the publisher does another
   * (docs/adding-a-network.md#media-notes).
   */
  describe?(media: readonly MediaFacts[]): string | null;
  /**
   * Results: the scopes an account must have granted for its numbers to be read, each with what
   * it is for (README, the connect page). An account without them shows "reconnect to see
   * results" (docs/results.md). Absent: the platform reports no results.
   */
  readonly insights?: {
    readonly scopes: ReadonlyArray<{ readonly scope: string; readonly why: string }>;
    /** Whether an account of this platform has results at all (a LinkedIn member profile has none); all when absent. */
    appliesTo?(platformData: Readonly<Record<string, unknown>>): boolean;
  };
}

/**
 * A network's own small key-value storage (per-instance app credentials, a pending connection's
 * context), kept in the settings table under `network:<id>:<key>` and sealed with the SecretBox.
 */
export interface NetworkStore {
  get(key: string): string | null;
  put(key: string, value: string): void;
  delete(key: string): void;
}

/** What a network's `create` receives; `config` is its own settings, `app` the whole Config. */
export interface NetworkDeps<C> {
  readonly config: C;
  readonly app: Config;
  readonly log: Logger;
  /** This network's sealed key-value storage (docs/adding-a-network.md#storage). */
  readonly store: NetworkStore;
  readonly clock?: Clock;
  /** Test-only waits and timeouts, as the network declares them (HeraldOptions.platformOptions[id]). */
  readonly options?: unknown;
}

/** One line of a network's usage on the System page: a quota or cap, how much of it is used and when it resets. */
export interface UsageLine {
  readonly label: string;
  readonly used: number;
  /** null: no limit is known; the line shows what was used. */
  readonly limit: number | null;
  /** Epoch ms, or null. */
  readonly resetsAt: number | null;
}

export interface NetworkRuntime {
  readonly connector: Connector;
  readonly publishers: readonly Publisher[];
  /** The network's quotas and caps as they stand, for the System page (docs/adding-a-network.md#usage). */
  usage?(): readonly UsageLine[];
  /** How results are read, one reader per platform that declares `insights` (docs/results.md). */
  readonly insights?: readonly InsightsReader[];
}

export interface NetworkDescriptor<C = unknown, Id extends string = string> {
  /** The connection's id: `/auth/<id>/start`, `/auth/<id>/callback`, `/auth/<id>/form`, `config[<id>]`. */
  readonly id: Id;
  /** The connect button's name ("Facebook & Instagram"). */
  readonly label: string;
  /** What connecting gives, for the person connecting. */
  readonly description: string;
  /** How it connects: an OAuth redirect, a form, or both. */
  readonly connect: {
    readonly oauth?: {
      /** The redirect URI's name in the vendor's console, for the Settings page. */ readonly consoleName: string;
      /**
       * Further connect buttons of the same OAuth connection, each asking for more (Google's
       * "Connect YouTube" asks for the YouTube scopes only then); the connector receives the chosen
       * `key` as `AuthorizationRequest.entry` (docs/adding-a-network.md#connecting).
       */
      readonly entries?: readonly OAuthEntry[];
    };
    readonly form?: ConnectForm;
  };
  readonly config: NetworkConfig<C>;
  /** What an admin must do when it is not configured ("set META_APP_ID and META_APP_SECRET (see …)"). */
  readonly setup: string;
  readonly platforms: readonly PlatformDescriptor<C>[];
  readonly clientSettings?: readonly ClientSetting[];
  /** Builds the connector and publishers (called only when configured). */
  create(deps: NetworkDeps<C>): NetworkRuntime;
}

// The networks Herald reaches: adding one is its folder under src/platforms/, and one line in
// NETWORKS (docs/adding-a-network.md). Everything else loops over this list.
import type { InsightsReader } from './insights.js';
import type { Config } from '../config.js';
import type { Surface } from '../domain/composer.js';
import type { FieldErrors } from '../domain/errors.js';
import type { CaptionLimits, MediaFacts, Platform } from '../domain/platform-limits.js';
import type { Clock } from '../lib/clock.js';
import { fieldErrorsOf } from '../domain/validation.js';
import type { Logger } from '../log.js';
import { bluesky } from './bluesky/index.js';
import { google } from './google/index.js';
import { linkedin } from './linkedin/index.js';
import { mastodon } from './mastodon/index.js';
import { meta } from './meta/index.js';
import type {
  AccountFacts,
  AccountSetting,
  ClientSetting,
  NetworkDescriptor,
  NetworkStore,
  PlatformDescriptor,
  PostField,
  UsageLine,
} from './network.js';
import { pinterest } from './pinterest/index.js';
import { threads } from './threads/index.js';
import { tiktok } from './tiktok/index.js';
import type { Connector, Publisher } from './types.js';
import { x } from './x/index.js';

// biome-ignore format: one network per line, so adding one is a one-line change
export const NETWORKS = [
  meta,
  tiktok,
  threads,
  bluesky,
  linkedin,
  google,
  pinterest,
  mastodon,
  x,
] as const;

type Settings<N> = N extends NetworkDescriptor<infer C> ? C : never;

/** Each listed network's settings under its id (`config.meta`, `config.tiktok`, …). */
export type NetworkConfigs = { readonly [N in (typeof NETWORKS)[number] as N['id']]: Settings<N> };

/**
 * A network as this server runs it: its descriptor, its settings, and (when configured) its connector
 * and publishers.
 */
export interface ActiveNetwork {
  readonly descriptor: NetworkDescriptor;
  readonly settings: unknown;
  readonly configured: boolean;
  readonly connector: Connector | null;
  readonly publishers: readonly Publisher[];
  /** Its quotas and caps as they stand (empty when it declares none or is not configured). */
  usage(): readonly UsageLine[];
  /** Its results readers, one per platform that reports results (empty when not configured). */
  readonly insights: readonly InsightsReader[];
}

/**
 * The networks of one Herald: built from the descriptors (NETWORKS unless a test passes its own
 * list), each created only when configured. Lookups by network id and by platform id.
 */
export class Networks {
  readonly list: readonly ActiveNetwork[];
  private readonly byPlatform = new Map<Platform, { network: ActiveNetwork; platform: PlatformDescriptor }>();

  constructor(deps: {
    config: Config;
    log: Logger;
    clock?: Clock;
    descriptors?: readonly NetworkDescriptor[];
    /** Per network id: test-only waits and timeouts the network's `create` understands. */
    options?: Readonly<Record<string, unknown>>;
    /** Each network's sealed key-value storage; without it (a unit test) a memory one. */
    store?: (networkId: string) => NetworkStore;
  }) {
    const descriptors: readonly NetworkDescriptor[] = deps.descriptors ?? NETWORKS;
    this.list = descriptors.map((descriptor) => {
      // A network outside NETWORKS (a test's) has no variables of its own in Config: its defaults apply.
      const settings = (deps.config as unknown as Record<string, unknown>)[descriptor.id] ?? descriptor.config.read({});
      const configured = descriptor.config.configured(settings);
      const runtime = configured
        ? descriptor.create({
            config: settings,
            app: deps.config,
            log: deps.log,
            store: deps.store?.(descriptor.id) ?? memoryStore(),
            ...(deps.clock ? { clock: deps.clock } : {}),
            ...(deps.options?.[descriptor.id] !== undefined ? { options: deps.options[descriptor.id] } : {}),
          })
        : null;
      return {
        descriptor,
        settings,
        configured,
        connector: runtime?.connector ?? null,
        publishers: runtime?.publishers ?? [],
        usage: () => runtime?.usage?.() ?? [],
        insights: runtime?.insights ?? [],
      };
    });
    for (const network of this.list) {
      if (this.list.filter((n) => n.descriptor.id === network.descriptor.id).length > 1)
        throw new Error(`the network ${network.descriptor.id} is listed twice`);
      for (const platform of network.descriptor.platforms) {
        if (this.byPlatform.has(platform.id)) throw new Error(`two networks declare the platform ${platform.id}`);
        this.byPlatform.set(platform.id, { network, platform });
      }
    }
  }

  network(id: string): ActiveNetwork | undefined {
    return this.list.find((n) => n.descriptor.id === id);
  }

  platform(id: Platform): PlatformDescriptor | undefined {
    return this.byPlatform.get(id)?.platform;
  }

  /** The network an account of this platform was connected through. */
  networkOf(platform: Platform): ActiveNetwork | undefined {
    return this.byPlatform.get(platform)?.network;
  }

  /** The results reader of a platform, when its network is configured and reads results. */
  insightsReader(platform: Platform): InsightsReader | undefined {
    return this.byPlatform.get(platform)?.network.insights.find((r) => r.platform === platform);
  }

  /**
   * The scopes results need that `granted` lacks (`granted` as the connector stored it), or null
   * when nothing is missing, the platform reports no results, or this account has none to report.
   */
  missingInsightScopes(
    platform: Platform,
    granted: string,
    platformData: Readonly<Record<string, unknown>> = {},
  ): string[] | null {
    const insights = this.platform(platform)?.insights;
    if (!insights || insights.appliesTo?.(platformData) === false) return null;
    const have = new Set(granted.split(/[\s,]+/).filter(Boolean));
    const missing = insights.scopes.map((s) => s.scope).filter((scope) => !have.has(scope));
    return missing.length ? missing : null;
  }

  /** The platform's name for people; an unknown id (a network since removed) shows as itself. */
  label(platform: Platform): string {
    return this.platform(platform)?.label ?? platform;
  }

  /** Every platform's label by id. */
  labels(): Record<string, string> {
    return Object.fromEntries([...this.byPlatform].map(([id, { platform }]) => [id, platform.label]));
  }

  /** Every platform's label, caption limits and post fields, for views (which cannot reach the registry themselves). */
  editorPlatforms(): Record<string, { label: string; limits: CaptionLimits; fields: readonly PostField[] }> {
    return Object.fromEntries(
      [...this.byPlatform].map(([id, { platform }]) => [
        id,
        { label: platform.label, limits: platform.limits, fields: platform.postOptions?.fields ?? [] },
      ]),
    );
  }

  /**
   * A post's options parsed by its platform's schema: what to store (null for a platform that
   * declares none), or field errors named `options.<path>`. Absent options are parsed as {}.
   */
  parseOptions(
    platform: Platform,
    input: unknown,
  ): { readonly options: Record<string, unknown> | null; readonly errors: FieldErrors | null } {
    const declared = this.platform(platform)?.postOptions;
    if (!declared) {
      const empty = input === null || input === undefined || (typeof input === 'object' && !Object.keys(input).length);
      return { options: null, errors: empty ? null : { options: [`${this.label(platform)} posts take no options.`] } };
    }
    const result = declared.schema.safeParse(input ?? {});
    if (result.success) return { options: result.data, errors: null };
    const errors = Object.entries(fieldErrorsOf(result.error)).map(([k, v]) => [
      k === '_' ? 'options' : `options.${k}`,
      v,
    ]);
    return { options: null, errors: Object.fromEntries(errors) };
  }

  /**
   * Checks a post (with its parsed options) against the platform's own rules for the surface it
   * goes to, and the account's own limits when it is given; an unknown platform accepts nothing.
   */
  check(
    platform: Platform,
    caption: string,
    media: readonly MediaFacts[],
    options: Readonly<Record<string, unknown>> | null = null,
    account: AccountFacts | null = null,
    surface: Surface = 'feed',
  ): FieldErrors | null {
    const entry = this.byPlatform.get(platform);
    if (!entry) return { platform: [`Herald does not publish to ${platform}.`] };
    const settings = entry.network.settings as never;
    if (surface === 'feed') return entry.platform.check(caption, media, settings, options ?? {}, account);
    const spec = entry.platform.surfaces?.[surface];
    if (!spec) return { surface: [`Herald publishes no ${surface}s to ${entry.platform.label}.`] };
    const errors: FieldErrors = {};
    const name = `${entry.platform.label} ${spec.label}`;
    if (spec.caption === null && caption.trim() !== '')
      errors.caption = [`A ${name} carries no caption: leave it empty (put the words in the image or video).`];
    if (media.length < spec.media.min || media.length > spec.media.max) {
      const count =
        spec.media.min === spec.media.max ? `exactly ${spec.media.min}` : `${spec.media.min} to ${spec.media.max}`;
      errors.mediaIds = [`A ${name} takes ${count} ${spec.media.max === 1 ? 'image or video' : 'media'}.`];
    }
    const problems = spec.check(caption, media, settings, options ?? {}, account);
    for (const [field, messages] of Object.entries(problems ?? {})) (errors[field] ??= []).push(...messages);
    return Object.keys(errors).length ? errors : null;
  }

  /** The surfaces a platform publishes to, `feed` first, with their labels. */
  surfaces(platform: Platform): ReadonlyArray<{ readonly surface: Surface; readonly label: string }> {
    const declared = this.platform(platform)?.surfaces ?? {};
    const more = (Object.entries(declared) as [Surface, { label: string }][]).map(([surface, spec]) => ({
      surface,
      label: spec.label,
    }));
    return [{ surface: 'feed', label: 'Post' }, ...more];
  }

  /** Whether a post to this platform and surface can carry a first comment. */
  takesFirstComment(platform: Platform, surface: Surface = 'feed'): boolean {
    const descriptor = this.platform(platform);
    if (!descriptor?.firstComment) return false;
    return surface === 'feed' || descriptor.surfaces?.[surface]?.firstComment === true;
  }

  /** A first comment checked against the platform and surface ('' is always fine); field errors or null. */
  checkFirstComment(platform: Platform, surface: Surface, text: string): FieldErrors | null {
    if (text === '') return null;
    const descriptor = this.platform(platform);
    const label = descriptor?.label ?? platform;
    if (!descriptor?.firstComment) return { firstComment: [`${label} posts take no first comment in Herald.`] };
    if (!this.takesFirstComment(platform, surface)) {
      const spec = surface === 'feed' ? undefined : descriptor.surfaces?.[surface];
      return { firstComment: [`A ${label} ${spec?.label ?? surface} takes no first comment.`] };
    }
    const length = [...text].length;
    const max = descriptor.firstComment.maxLength;
    if (length > max) return { firstComment: [`is ${length} characters; ${label} takes at most ${max}.`] };
    return null;
  }

  /**
   * The first-comment scopes an account has not granted, when its connector stored what it granted
   * (`platformData.scopes`); [] when all are there or nothing is known.
   */
  missingCommentScopes(platform: Platform, platformData: Readonly<Record<string, unknown>>): string[] {
    const wanted = this.platform(platform)?.firstComment?.scopes ?? [];
    const granted = platformData.scopes;
    if (!Array.isArray(granted)) return [];
    // A broad grant covers its narrower scopes: Mastodon's `write` includes `write:statuses`.
    const covered = (scope: string) => granted.includes(scope) || granted.includes(scope.split(':')[0]);
    return wanted.map((w) => w.scope).filter((scope) => !covered(scope));
  }

  /** Why the autopilot cannot write for this platform under this configuration, or null. */
  generationBlocked(platform: Platform): string | null {
    const entry = this.byPlatform.get(platform);
    if (!entry) return `Herald does not publish to ${platform}`;
    return entry.platform.generationBlocked?.(entry.network.settings as never) ?? null;
  }

  /** The platform's line about how it will publish these media (its `describe`), or null. */
  describe(platform: Platform, media: readonly MediaFacts[], surface: Surface = 'feed'): string | null {
    if (!media.length) return null;
    const descriptor = this.platform(platform);
    if (surface !== 'feed') return descriptor?.surfaces?.[surface]?.describe?.(media) ?? null;
    return descriptor?.describe?.(media) ?? null;
  }

  /** Each account's note from its platform's `accountNote`, by account id (accounts without one left out). */
  accountNotes(
    accounts: readonly {
      readonly id: string;
      readonly platform: Platform;
      readonly refreshTokenEnc: string | null;
      readonly tokenExpiresAt: number | null;
    }[],
    now: number,
  ): Record<string, string> {
    const notes: Record<string, string> = {};
    for (const a of accounts) {
      const note = this.platform(a.platform)?.accountNote?.(
        { renewable: a.refreshTokenEnc !== null, tokenExpiresAt: a.tokenExpiresAt },
        now,
      );
      if (note) notes[a.id] = note;
    }
    return notes;
  }

  /**
   * Each account's settings its platform declares, with their choices and the value in force (the
   * stored one while it is still a choice, else the first), by account id; accounts without any
   * left out.
   */
  accountSettings(
    accounts: readonly { readonly id: string; readonly platform: Platform; readonly platformData: string }[],
  ): Record<string, AccountSettingView[]> {
    const out: Record<string, AccountSettingView[]> = {};
    for (const a of accounts) {
      const declared = this.platform(a.platform)?.accountSettings;
      if (!declared?.length) continue;
      const data = parseData(a.platformData);
      out[a.id] = declared.map((s) => {
        const choices = s.choices(data);
        const stored = typeof data[s.key] === 'string' ? (data[s.key] as string) : null;
        const value = choices.some(([v]) => v === stored) ? stored! : (choices[0]?.[0] ?? '');
        return { key: s.key, label: s.label, ...(s.hint ? { hint: s.hint } : {}), choices, value };
      });
    }
    return out;
  }

  /**
   * The settings an admin chose for an account, checked against its platform's declared choices:
   * the platformData patch to store, or the reason it is refused.
   */
  accountSettingsPatch(
    account: { readonly platform: Platform; readonly platformData: string },
    values: Readonly<Record<string, string | undefined>>,
  ): { readonly patch: Record<string, string> } | { readonly error: string } {
    const declared: readonly AccountSetting[] = this.platform(account.platform)?.accountSettings ?? [];
    if (!declared.length) return { error: `${this.label(account.platform)} accounts have no settings.` };
    const data = parseData(account.platformData);
    const patch: Record<string, string> = {};
    for (const s of declared) {
      const value = values[s.key];
      if (value === undefined) continue;
      if (!s.choices(data).some(([v]) => v === value))
        return { error: `That ${s.label.toLowerCase()} is not a choice.` };
      patch[s.key] = value;
    }
    return { patch };
  }

  /** Every network's per-client options, for the client form. */
  clientSettings(): ClientSetting[] {
    return this.list.flatMap((n) => n.descriptor.clientSettings ?? []);
  }

  /** Every configured network's usage lines, under its label, for the System page. */
  usage(): { network: string; lines: readonly UsageLine[] }[] {
    return this.list.flatMap((n) => {
      const lines = n.usage();
      return lines.length ? [{ network: n.descriptor.label, lines }] : [];
    });
  }

  connectors(): Connector[] {
    return this.list.flatMap((n) => (n.connector ? [n.connector] : []));
  }

  publishers(): Publisher[] {
    return this.list.flatMap((n) => n.publishers);
  }
}

/** An account setting as the client page shows it. */
export interface AccountSettingView {
  readonly key: string;
  readonly label: string;
  readonly hint?: string;
  readonly choices: ReadonlyArray<readonly [value: string, label: string]>;
  readonly value: string;
}

function parseData(json: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(json) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Storage that lives as long as the process (a Networks built without a database). */
function memoryStore(): NetworkStore {
  const values = new Map<string, string>();
  return {
    get: (key) => values.get(key) ?? null,
    put: (key, value) => void values.set(key, value),
    delete: (key) => void values.delete(key),
  };
}

/** The publishers by platform; registering one twice is a wiring mistake and refused. */
export class PublisherRegistry {
  private readonly publishers = new Map<Platform, Publisher>();

  register(publisher: Publisher): this {
    if (this.publishers.has(publisher.platform))
      throw new Error(`a publisher for ${publisher.platform} is already registered`);
    this.publishers.set(publisher.platform, publisher);
    return this;
  }

  get(platform: Platform): Publisher | undefined {
    return this.publishers.get(platform);
  }
}

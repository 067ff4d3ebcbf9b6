// Posting to Bluesky: prepare builds the whole record (facets, uploaded images or a link card) and
// saves it with a record key Herald chose; send writes it with putRecord under that key; lookup asks
// the PDS for that key. A repeated putRecord of the same record is a no-op, so a lost answer can never
// post twice (docs/platforms/bluesky.md#record-keys).
import { readFile } from 'node:fs/promises';
import { systemClock, type Clock } from '../../lib/clock.js';
import {
  PlatformError,
  type AttemptContext,
  type LookupResult,
  type Publisher,
  type PublishMedia,
  type PublishResult,
} from '../types.js';
import { BlueskyFirstComment } from './comments.js';
import { pdsOf, tokensOf, type BlueskyConnector } from './connector.js';
import { blueskyError } from './errors.js';
import { detectFacets, graphemeLength, utf8Length, type Facet } from './facets.js';
import { IdentityResolver } from './identity.js';
import { fetchLinkCard } from './link-card.js';
import { jwtClaims, type SessionTokens } from './session.js';
import type { BlueskySettings } from './settings.js';
import { BLUESKY_LIMITS } from './limits.js';
import { isTid, newTid } from './tid.js';
import { BlueskyVideo, type BlobRef } from './video.js';
import { xrpc, XrpcFailure, type XrpcCall, type XrpcReply } from './xrpc.js';

const COLLECTION = 'app.bsky.feed.post';

/** What prepare saves before send: everything send needs, so a later attempt re-sends the same bytes. */
interface SavedPost {
  readonly did: string;
  readonly pds: string;
  readonly rkey: string;
  readonly record: Record<string, unknown>;
}

function savedPost(state: Readonly<Record<string, unknown>>): SavedPost | null {
  const b = state.bluesky as Partial<SavedPost> | undefined;
  if (!b || typeof b.rkey !== 'string' || !isTid(b.rkey) || typeof b.did !== 'string' || typeof b.pds !== 'string')
    return null;
  return b as SavedPost;
}

function permalinkOf(did: string, rkey: string): string {
  return `https://bsky.app/profile/${did}/post/${rkey}`;
}

export interface BlueskyPublisherDeps {
  readonly settings: BlueskySettings;
  readonly connector: BlueskyConnector;
  readonly clock?: Clock;
}

export class BlueskyPublisher implements Publisher {
  readonly platform = 'bluesky';
  private readonly clock: Clock;
  private readonly identity: IdentityResolver;
  /** Sessions renewed during an attempt, by account: the attempt's `ctx.account` still holds the expired one. */
  private readonly renewed = new Map<string, SessionTokens>();
  private readonly video: BlueskyVideo;
  readonly firstComment: BlueskyFirstComment;

  constructor(private readonly deps: BlueskyPublisherDeps) {
    this.clock = deps.clock ?? systemClock;
    this.identity = new IdentityResolver(deps.settings);
    this.video = new BlueskyVideo({
      settings: deps.settings,
      clock: this.clock,
      serviceAuth: (ctx, aud, lxm, exp) => this.serviceAuth(ctx, aud, lxm, exp),
    });
    this.firstComment = new BlueskyFirstComment({
      settings: deps.settings,
      clock: this.clock,
      identity: this.identity,
      call: (ctx, pds, call, sends) => this.call(ctx, pds, call, sends),
    });
  }

  /** Checks the text and media, uploads images (blobs stay private until a record uses them), saves the record. */
  async prepare(ctx: AttemptContext): Promise<void> {
    const did = ctx.account.externalId;
    const pds = pdsOf(ctx.account.platformData);
    const text = ctx.caption;
    this.checkContent(text, ctx.media);
    // A later attempt keeps the key and the moment of the first: the same record under the same key.
    const previous = savedPost(ctx.state);
    const rkey = previous?.rkey ?? newTid(this.clock.now());
    const createdAt =
      typeof previous?.record?.createdAt === 'string' ? previous.record.createdAt : new Date(ctx.now()).toISOString();

    const facets = await detectFacets(text, {
      resolveMention: (handle) => this.identity.resolveHandle(handle, ctx.signal, false).catch(() => null),
    });
    let embed: Record<string, unknown> | undefined;
    const video = ctx.media.find((m) => m.mime.startsWith('video/'));
    if (video) {
      const blob = await this.video.blobFor(ctx, did, pds, video);
      embed = {
        $type: 'app.bsky.embed.video',
        video: blob,
        ...(video.altText ? { alt: video.altText } : {}),
        ...(video.width && video.height ? { aspectRatio: { width: video.width, height: video.height } } : {}),
      };
    } else if (ctx.media.length > 0) {
      const images = [];
      for (const media of ctx.media) images.push(await this.image(ctx, pds, media));
      embed = { $type: 'app.bsky.embed.images', images };
    } else {
      const link = facets
        .flatMap((f) => f.features)
        .find((f): f is Extract<Facet['features'][number], { uri: string }> => 'uri' in f);
      const card = link ? await fetchLinkCard(this.deps.settings, link.uri, ctx.signal) : null;
      if (card) {
        const thumb = card.thumb ? await this.thumb(ctx, pds, card.thumb) : null;
        embed = {
          $type: 'app.bsky.embed.external',
          external: {
            uri: card.uri,
            title: card.title,
            description: card.description,
            ...(thumb ? { thumb } : {}),
          },
        };
      }
    }
    const record: Record<string, unknown> = {
      $type: COLLECTION,
      text,
      createdAt,
      ...(facets.length ? { facets } : {}),
      ...(embed ? { embed } : {}),
    };
    ctx.save({ step: 'prepared', bluesky: { did, pds, rkey, record } satisfies SavedPost });
    ctx.log({
      step: 'prepare',
      message: `Bluesky post ready under key ${rkey}: ${facets.length} link/mention/tag facet(s), ${
        video ? 'a video' : ctx.media.length ? `${ctx.media.length} image(s)` : embed ? 'a link card' : 'text only'
      }.`,
    });
  }

  /** putRecord under the saved key: the one call that publishes. */
  async send(ctx: AttemptContext): Promise<void> {
    const saved = savedPost(ctx.state);
    if (!saved?.record)
      throw new PlatformError('transient', 'The Bluesky post was not prepared; nothing was sent.', 'not_prepared');
    const reply = await this.call<{ uri?: unknown; cid?: unknown }>(
      ctx,
      saved.pds,
      {
        method: 'POST',
        nsid: 'com.atproto.repo.putRecord',
        json: { repo: saved.did, collection: COLLECTION, rkey: saved.rkey, record: saved.record },
      },
      true,
    );
    const uri = typeof reply.data.uri === 'string' ? reply.data.uri : `at://${saved.did}/${COLLECTION}/${saved.rkey}`;
    ctx.save({ step: 'sent', uri, ...(typeof reply.data.cid === 'string' ? { cid: reply.data.cid } : {}) });
    ctx.log({
      step: 'send',
      message: `Bluesky stored the post (${uri}).`,
      request: reply.request,
      durationMs: reply.durationMs,
    });
  }

  /** The write is final once putRecord answers: the post is in the account's repository. */
  async confirm(ctx: AttemptContext): Promise<PublishResult> {
    const saved = savedPost(ctx.state);
    if (!saved) throw new PlatformError('unknown_outcome', 'No Bluesky record key was saved for this post.', 'no_rkey');
    const uri = typeof ctx.state.uri === 'string' ? ctx.state.uri : `at://${saved.did}/${COLLECTION}/${saved.rkey}`;
    return { externalId: uri, permalink: permalinkOf(saved.did, saved.rkey) };
  }

  /** getRecord by the saved key on the account's PDS (no sign-in needed): found, or proof of absence. */
  async lookup(ctx: AttemptContext): Promise<LookupResult> {
    const saved = savedPost(ctx.state);
    if (!saved) return { status: 'absent', reason: 'No Bluesky record key was saved, so putRecord was never called.' };
    try {
      const reply = await xrpc<{ uri?: unknown }>(
        saved.pds,
        {
          method: 'GET',
          nsid: 'com.atproto.repo.getRecord',
          query: { repo: saved.did, collection: COLLECTION, rkey: saved.rkey },
          signal: ctx.signal,
        },
        this.deps.settings.requestTimeoutMs,
      );
      const uri = typeof reply.data.uri === 'string' ? reply.data.uri : `at://${saved.did}/${COLLECTION}/${saved.rkey}`;
      return { status: 'published', externalId: uri, permalink: permalinkOf(saved.did, saved.rkey) };
    } catch (err) {
      if (err instanceof XrpcFailure && err.error === 'RecordNotFound')
        return { status: 'absent', reason: `Bluesky has no post under key ${saved.rkey}.` };
      return {
        status: 'unknown',
        reason: `Bluesky did not say whether the post exists: ${
          blueskyError(err, { sent: false, now: this.clock.now() }).message
        }`,
      };
    }
  }

  private checkContent(text: string, media: readonly PublishMedia[]): void {
    const graphemes = graphemeLength(text);
    if (graphemes > BLUESKY_LIMITS.graphemes)
      throw new PlatformError(
        'permanent',
        `Bluesky posts hold at most ${BLUESKY_LIMITS.graphemes} characters; this one has ${graphemes}.`,
        'text_too_long',
      );
    if (utf8Length(text) > BLUESKY_LIMITS.utf8Bytes)
      throw new PlatformError('permanent', 'The post text is too long for Bluesky.', 'text_too_long');
    const videos = media.filter((m) => m.mime.startsWith('video/'));
    if (videos.length > 0) {
      // One video per post, in place of images (docs/platforms/bluesky.md#video).
      if (videos.length < media.length)
        throw new PlatformError('permanent', 'A Bluesky post holds either one video or images, not both.', 'media_mix');
      if (videos.length > BLUESKY_LIMITS.maxVideos)
        throw new PlatformError('permanent', 'A Bluesky post holds one video.', 'too_many_videos');
      const [v] = videos;
      if (v!.mime !== 'video/mp4') throw new PlatformError('permanent', 'Bluesky takes MP4 videos.', 'media_type');
      if (v!.size > BLUESKY_LIMITS.videoBytes)
        throw new PlatformError(
          'permanent',
          `Bluesky takes videos up to 300 MB; this one is ${(v!.size / 1_000_000).toFixed(0)} MB.`,
          'video_too_large',
        );
      return;
    }
    if (media.some((m) => !m.mime.startsWith('image/')))
      throw new PlatformError('permanent', 'Bluesky posts take only images here.', 'media_type');
    if (media.length > BLUESKY_LIMITS.maxImages)
      throw new PlatformError(
        'permanent',
        `Bluesky posts hold at most ${BLUESKY_LIMITS.maxImages} images; this one has ${media.length}.`,
        'too_many_images',
      );
    const max = this.deps.settings.imageMaxBytes;
    const big = media.find((m) => m.size > max);
    if (big)
      throw new PlatformError(
        'permanent',
        `Bluesky takes images up to ${(max / 1_000_000).toLocaleString('en')} MB; ` +
          `one image is ${(big.size / 1_000_000).toFixed(1)} MB.`,
        'image_too_large',
      );
  }

  /** uploadBlob, then the images embed entry with its alt text and aspect ratio. */
  private async image(ctx: AttemptContext, pds: string, media: PublishMedia): Promise<Record<string, unknown>> {
    const bytes = await readFile(media.path);
    const reply = await this.call<{ blob?: BlobRef }>(
      ctx,
      pds,
      { method: 'POST', nsid: 'com.atproto.repo.uploadBlob', body: { bytes, contentType: media.mime } },
      false,
    );
    const blob = reply.data.blob;
    if (blob?.$type !== 'blob' || typeof blob.ref?.$link !== 'string')
      throw new PlatformError(
        'transient',
        'Bluesky took an image without describing it; nothing was posted.',
        'no_blob',
      );
    return {
      image: blob,
      // Required by the lexicon, empty when the person wrote none.
      alt: media.altText ?? '',
      ...(media.width && media.height ? { aspectRatio: { width: media.width, height: media.height } } : {}),
    };
  }

  /** A link card's image as a blob; a card without it is still a card. */
  private async thumb(
    ctx: AttemptContext,
    pds: string,
    image: { bytes: Buffer; mime: string },
  ): Promise<BlobRef | null> {
    try {
      const reply = await this.call<{ blob?: BlobRef }>(
        ctx,
        pds,
        { method: 'POST', nsid: 'com.atproto.repo.uploadBlob', body: { bytes: image.bytes, contentType: image.mime } },
        false,
      );
      const blob = reply.data.blob;
      return blob?.$type === 'blob' && typeof blob.ref?.$link === 'string' ? blob : null;
    } catch (err) {
      if (err instanceof PlatformError && err.kind === 'permanent') return null;
      throw err;
    }
  }

  /** `getServiceAuth` on the account's PDS: a short-lived token for another service (the video service). */
  private async serviceAuth(ctx: AttemptContext, aud: string, lxm: string, exp: number): Promise<string> {
    const reply = await this.call<{ token?: unknown }>(
      ctx,
      pdsOf(ctx.account.platformData),
      { method: 'GET', nsid: 'com.atproto.server.getServiceAuth', query: { aud, lxm, exp } },
      false,
    );
    if (typeof reply.data.token !== 'string' || !reply.data.token)
      throw new PlatformError('transient', 'Bluesky answered without a service token.', 'no_service_token');
    return reply.data.token;
  }

  /**
   * One signed-in call. An expired access JWT means the call was refused, so the session is renewed
   * and the call repeated once; every other failure becomes a PlatformError.
   */
  private async call<T>(ctx: AttemptContext, pds: string, call: XrpcCall, sends: boolean): Promise<XrpcReply<T>> {
    const timeoutMs = this.deps.settings.requestTimeoutMs;
    // A session renewed here is used until the stored one (refreshed by the job since) is newer.
    let session = this.renewed.get(ctx.account.id);
    if (session && (jwtClaims(session.accessJwt).expiresAt ?? 0) <= (ctx.account.tokenExpiresAt ?? 0)) {
      this.renewed.delete(ctx.account.id);
      session = undefined;
    }
    const token = session?.accessJwt ?? ctx.account.accessToken;
    try {
      return await xrpc<T>(pds, { ...call, token, signal: ctx.signal }, timeoutMs);
    } catch (err) {
      if (!(err instanceof XrpcFailure && err.error === 'ExpiredToken'))
        throw blueskyError(err, { sent: sends, now: this.clock.now() });
    }
    const fresh = await this.renew(ctx, pds, session?.refreshJwt ?? ctx.account.refreshToken);
    ctx.log({ step: sends ? 'send' : 'prepare', message: 'The Bluesky session had expired; Herald renewed it.' });
    try {
      return await xrpc<T>(pds, { ...call, token: fresh.accessJwt, signal: ctx.signal }, timeoutMs);
    } catch (err) {
      throw blueskyError(err, { sent: sends, now: this.clock.now() });
    }
  }

  private async renew(ctx: AttemptContext, pds: string, refreshJwt: string | null): Promise<SessionTokens> {
    if (!refreshJwt)
      throw new PlatformError(
        'auth',
        'The Bluesky session expired and none is stored to renew it; reconnect the account.',
      );
    const fresh = await this.deps.connector.renew(pds, refreshJwt, ctx.account.externalId, ctx.signal);
    this.renewed.set(ctx.account.id, fresh);
    // The refresh JWT rotated: the old one stops working once its grace ends, so the new pair is
    // stored before it is used (docs/platforms/bluesky.md#sessions).
    ctx.storeTokens(tokensOf(fresh));
    return fresh;
  }
}

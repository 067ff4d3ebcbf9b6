// Publishing to a Facebook Page (docs/platforms/meta.md#facebook-page-publishing) with the Page token:
// text and link posts to `/feed`, one photo to `/photos`, several photos uploaded unpublished then
// attached to one `/feed` post, one video to `/videos`. Reconciliation reads `published_posts`.
// Reels and Stories follow their own flows (facebook-surfaces.ts, docs/platforms/meta-surfaces.md).
import { isVideo } from '../../domain/platform-limits.js';
import { systemClock, type Clock } from '../../lib/clock.js';
import { FacebookSurfaces } from './facebook-surfaces.js';
import { PlatformError, type AttemptContext, type LookupResult, type Publisher, type PublishResult } from '../types.js';
import { FacebookComments } from './comments.js';
import { record, text, type GraphClient } from './graph.js';

/**
 * Posts created this long before the send still count as ours (clock skew;
 * docs/platforms/meta.md#finding-a-post-after-a-lost-answer).
 */
const MATCH_WINDOW_MS = 2 * 60_000;
const URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/i;

type Kind = 'text' | 'photo' | 'photos' | 'video';

function kindOf(ctx: AttemptContext): Kind {
  if (ctx.media.length === 0) return 'text';
  if (ctx.media.length === 1) return isVideo(ctx.media[0]!) ? 'video' : 'photo';
  return 'photos';
}

/** Facebook keeps the text as sent; line endings and outer whitespace are all we forgive. */
function sameText(a: string, b: string): boolean {
  const norm = (s: string) => s.replace(/\r\n?/g, '\n').trim();
  return norm(a) === norm(b);
}

function absolute(permalink: string | undefined, id: string): string {
  if (!permalink) return `https://www.facebook.com/${id}`;
  return permalink.startsWith('/') ? `https://www.facebook.com${permalink}` : permalink;
}

export interface FacebookPublisherOptions {
  /** For the calls during which Facebook downloads the photo or video itself (docs/platforms/meta.md#one-photo). */
  readonly uploadTimeoutMs: number;
  /** Between reads of a Reel's or video Story's status, and how long to keep reading. */
  readonly pollIntervalMs?: number;
  readonly pollTimeoutMs?: number;
}

export class FacebookPublisher implements Publisher {
  readonly platform = 'facebook' as const;
  readonly firstComment = new FacebookComments(() => this.graph);

  constructor(
    private readonly graph: GraphClient,
    private readonly options: FacebookPublisherOptions,
    clock: Clock = systemClock,
  ) {
    this.surfaces = new FacebookSurfaces(
      graph,
      {
        uploadTimeoutMs: options.uploadTimeoutMs,
        pollIntervalMs: options.pollIntervalMs ?? 10_000,
        pollTimeoutMs: options.pollTimeoutMs ?? 5 * 60_000,
      },
      clock,
    );
  }

  /** Reels and Stories have flows of their own (docs/platforms/meta-surfaces.md). */
  private readonly surfaces: FacebookSurfaces;

  async prepare(ctx: AttemptContext): Promise<void> {
    if (ctx.surface !== 'feed') return this.surfaces.prepare(ctx);
    if (kindOf(ctx) !== 'photos') return;
    // Each photo is uploaded unpublished (invisible) first; the one public step is /feed
    // (docs/platforms/meta.md#several-photos).
    const page = ctx.account.externalId;
    const photos = this.reusablePhotos(ctx);
    for (const media of ctx.media) {
      if (photos[media.id]) continue;
      const { data } = await this.graph.forAttempt(ctx, 'facebook', 'prepare', {
        method: 'POST',
        path: `/${page}/photos`,
        params: { url: media.url, published: false },
        timeoutMs: this.options.uploadTimeoutMs,
      });
      const id = text(record(data)?.id);
      if (!id)
        throw new PlatformError('transient', 'Facebook accepted a photo upload without giving its id.', 'meta:no_id');
      photos[media.id] = id;
      ctx.save({ step: 'photo_uploaded', photos: { ...photos } });
    }
  }

  /**
   * The unpublished photos this attempt can attach without uploading them again: its own, and
   * those the previous attempt uploaded before it failed (a new attempt starts with only
   * `{ previous: <that attempt's state> }`). They are invisible until attached
   * (docs/platforms/meta.md#several-photos), and a new
   * attempt only starts once the previous one is known not to have posted, so they are unused.
   */
  private reusablePhotos(ctx: AttemptContext): Record<string, string> {
    const photos: Record<string, string> = {};
    const reused: string[] = [];
    const earlier = record(record(ctx.state.previous)?.photos);
    const own = record(ctx.state.photos);
    for (const media of ctx.media) {
      const mine = text(own?.[media.id]);
      const theirs = text(earlier?.[media.id]);
      if (mine) photos[media.id] = mine;
      else if (theirs) {
        photos[media.id] = theirs;
        reused.push(theirs);
      }
    }
    if (reused.length > 0) {
      // Saved at once, so send finds them and a further attempt can reuse them again.
      ctx.save({ step: 'photos_reused', photos: { ...photos } });
      ctx.log({
        step: 'prepare',
        message:
          `Reusing ${reused.length} ${reused.length === 1 ? 'photo' : 'photos'} ` +
          'the previous attempt uploaded to Facebook.',
      });
    }
    return photos;
  }

  async send(ctx: AttemptContext): Promise<void> {
    if (ctx.surface !== 'feed') return this.surfaces.send(ctx);
    const page = ctx.account.externalId;
    const kind = kindOf(ctx);
    try {
      if (kind === 'text') {
        // A URL in the caption goes as `link` too, so Facebook shows its preview
        // (docs/platforms/meta.md#text-and-link-posts).
        const link = URL_IN_TEXT.exec(ctx.caption)?.[0];
        const { data } = await this.graph.forAttempt(ctx, 'facebook', 'send', {
          method: 'POST',
          path: `/${page}/feed`,
          params: { message: ctx.caption, link },
          publishing: true,
        });
        this.saveId(ctx, { postId: text(record(data)?.id) });
      } else if (kind === 'photo') {
        const { data } = await this.graph.forAttempt(ctx, 'facebook', 'send', {
          method: 'POST',
          path: `/${page}/photos`,
          params: { url: ctx.media[0]!.url, caption: ctx.caption || undefined },
          publishing: true,
          timeoutMs: this.options.uploadTimeoutMs,
        });
        const body = record(data);
        this.saveId(ctx, { postId: text(body?.post_id), photoId: text(body?.id) });
      } else if (kind === 'photos') {
        const photos = record(ctx.state.photos) ?? {};
        const ids = ctx.media.map((m) => text(photos[m.id]));
        // Nothing has left yet, so a refusal here is the truth: no post was made.
        if (ids.some((id) => !id))
          throw new PlatformError(
            'transient',
            'A photo of this post was not uploaded to Facebook; it is uploaded again on the next attempt.',
            'meta:photo_missing',
          );
        const attached = ids.map((id) => ({ media_fbid: id }));
        const { data } = await this.graph.forAttempt(ctx, 'facebook', 'send', {
          method: 'POST',
          path: `/${page}/feed`,
          params: { message: ctx.caption || undefined, attached_media: JSON.stringify(attached) },
          publishing: true,
        });
        this.saveId(ctx, { postId: text(record(data)?.id) });
      } else {
        const { data } = await this.graph.forAttempt(ctx, 'facebook', 'send', {
          method: 'POST',
          path: `/${page}/videos`,
          params: { file_url: ctx.media[0]!.url, description: ctx.caption || undefined, published: true },
          publishing: true,
          timeoutMs: this.options.uploadTimeoutMs,
        });
        this.saveId(ctx, { videoId: text(record(data)?.id) });
      }
    } catch (err) {
      // Code 506, "duplicate post" (docs/platforms/meta.md#graph-error-codes). The same text is on the
      // Page already, perhaps from this
      // very post after a lost answer; that is not a refusal, so let lookup find it.
      if (err instanceof PlatformError && err.code.startsWith('meta:506')) {
        throw new PlatformError(
          'unknown_outcome',
          'Facebook says an identical post is already on the Page; Herald checks whether it is this one.',
          err.code,
        );
      }
      // A refused post may have been refused for its photos (an unknown or used media_fbid):
      // a retry by hand uploads them afresh instead of attaching the same ones again.
      if (kind === 'photos' && err instanceof PlatformError && err.kind === 'permanent')
        ctx.save({ step: 'photos_refused', photos: {} });
      throw err;
    }
  }

  private saveId(
    ctx: AttemptContext,
    ids: { postId?: string | undefined; photoId?: string | undefined; videoId?: string | undefined },
  ): void {
    const patch = Object.fromEntries(Object.entries(ids).filter(([, v]) => v !== undefined));
    if (Object.keys(patch).length === 0) {
      throw new PlatformError(
        'unknown_outcome',
        'Facebook accepted the post without giving its id; Herald checks the Page.',
        'meta:no_id',
      );
    }
    ctx.save({ step: 'sent', ...patch });
  }

  async confirm(ctx: AttemptContext): Promise<PublishResult> {
    if (ctx.surface !== 'feed') return this.surfaces.confirm(ctx);
    const videoId = text(ctx.state.videoId);
    if (videoId && !text(ctx.state.postId)) return this.confirmVideo(ctx, videoId);
    const id = text(ctx.state.postId) ?? text(ctx.state.photoId);
    if (!id)
      throw new PlatformError('unknown_outcome', 'No Facebook post id was saved for this attempt.', 'meta:no_id');
    try {
      const { data } = await this.graph.forAttempt(ctx, 'facebook', 'confirm', {
        path: `/${id}`,
        params: { fields: 'permalink_url' },
      });
      return { externalId: id, permalink: absolute(text(record(data)?.permalink_url), id) };
    } catch (err) {
      // The post is out; a failed read only costs the nicer permalink (the plain form is the
      // fallback, docs/platforms/meta.md#text-and-link-posts).
      ctx.log({
        step: 'confirm',
        level: 'warn',
        message: `Published; the permalink could not be read (${(err as Error).message}).`,
      });
      return { externalId: id, permalink: `https://www.facebook.com/${id}` };
    }
  }

  private async confirmVideo(ctx: AttemptContext, videoId: string): Promise<PublishResult> {
    try {
      const { data } = await this.graph.forAttempt(ctx, 'facebook', 'confirm', {
        path: `/${videoId}`,
        params: { fields: 'post_id,permalink_url' },
      });
      const body = record(data);
      const postId = text(body?.post_id);
      return { externalId: postId ?? videoId, permalink: absolute(text(body?.permalink_url), postId ?? videoId) };
    } catch (err) {
      ctx.log({
        step: 'confirm',
        level: 'warn',
        message: `Published; the video's permalink could not be read (${(err as Error).message}).`,
      });
      return { externalId: videoId, permalink: `https://www.facebook.com/${videoId}` };
    }
  }

  async lookup(ctx: AttemptContext): Promise<LookupResult> {
    if (ctx.surface !== 'feed') return this.surfaces.lookup(ctx);
    // The answer arrived before something else failed: the id is proof enough.
    const known = text(ctx.state.postId) ?? text(ctx.state.photoId);
    if (known) return { status: 'published', externalId: known, permalink: `https://www.facebook.com/${known}` };
    const videoId = text(ctx.state.videoId);
    if (videoId) {
      const result = await this.confirmVideo(ctx, videoId);
      return { status: 'published', ...result };
    }
    if (ctx.sentAt === null) return { status: 'unknown', reason: 'the attempt has no send time to search from' };
    const since = ctx.sentAt - MATCH_WINDOW_MS;
    let posts: Array<Record<string, unknown>>;
    try {
      posts = await this.graph.collect({
        path: `/${ctx.account.externalId}/published_posts`,
        token: ctx.account.accessToken,
        surface: 'facebook',
        objectId: ctx.account.externalId,
        params: { fields: 'id,message,created_time,permalink_url', since: Math.floor(since / 1000), limit: 100 },
        signal: ctx.signal,
      });
    } catch (err) {
      return { status: 'unknown', reason: `the Page's posts could not be listed (${(err as Error).message})` };
    }
    const recent = posts.filter((p) => {
      const created = Date.parse(String(p.created_time ?? ''));
      return Number.isFinite(created) && created >= since;
    });
    if (ctx.caption.trim()) {
      const match = recent.find((p) => typeof p.message === 'string' && sameText(p.message, ctx.caption));
      if (match) {
        const id = String(match.id);
        return { status: 'published', externalId: id, permalink: absolute(text(match.permalink_url), id) };
      }
      return { status: 'absent', reason: `no post with this text on the Page since ${new Date(since).toISOString()}` };
    }
    // Without text there is nothing to match on: only an empty listing proves absence.
    if (recent.length === 0)
      return { status: 'absent', reason: `no post at all on the Page since ${new Date(since).toISOString()}` };
    return { status: 'unknown', reason: 'the post has no text to recognise it by among the Page’s recent posts' };
  }
}

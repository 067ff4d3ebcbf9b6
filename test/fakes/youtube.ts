// A strict fake of the YouTube Data API v3 and its resumable upload protocol, per
// https://developers.google.com/youtube/v3/guides/using_resumable_upload_protocol and
// https://developers.google.com/youtube/v3/docs/videos/insert (docs/platforms/youtube.md). Tokens are
// granted by the test (or by the Google fake's consent) with their scopes. The video resource exists
// only once the last byte is in; an upload can be cut part way (`cutNextChunkAfter`) to test resuming
// from the offset the session reports.
import { randomBytes } from 'node:crypto';
import { FakeServer, type RecordedRequest, type Reply } from './fake-server.js';

export const YT_UPLOAD = 'https://www.googleapis.com/auth/youtube.upload';
export const YT_READONLY = 'https://www.googleapis.com/auth/youtube.readonly';
export const YT_ANALYTICS = 'https://www.googleapis.com/auth/yt-analytics.readonly';
/** The parts videos.list knows (https://developers.google.com/youtube/v3/docs/videos/list). */
const VIDEO_PARTS = ['id', 'snippet', 'status', 'statistics', 'processingDetails', 'contentDetails', 'player'];
const UNIT = 256 * 1024;
const CATEGORIES = new Set(['1', '2', '10', '15', '17', '19', '20', '22', '23', '24', '25', '26', '27', '28']);

export interface FakeChannel {
  id: string;
  title: string;
  uploads: string;
  /** Uploads left today on this channel before 400 uploadLimitExceeded. */
  uploadsLeft: number;
}

export interface FakeVideo {
  id: string;
  channelId: string;
  snippet: { title: string; description: string; tags?: string[]; categoryId: string; publishedAt: string };
  status: { uploadStatus: string; privacyStatus: string; selfDeclaredMadeForKids: boolean; publishAt?: string };
  requestedPrivacy: string;
  bytes: Buffer;
  reads: number;
}

interface Session {
  id: string;
  channelId: string;
  total: number;
  mime: string;
  metadata: any;
  received: Buffer;
  /** Size of the first non-final chunk; all non-final chunks must match it. */
  chunk: number | null;
  video: FakeVideo | null;
  expired: boolean;
}

export function ytError(code: number, reason: string, message: string, domain = 'youtube.api'): Reply {
  return { status: code, json: { error: { code, message, errors: [{ message, domain, reason }] } } };
}

class Refusal extends Error {
  constructor(readonly reply: Reply) {
    super('refused');
  }
}
const refuse = (reply: Reply): never => {
  throw new Refusal(reply);
};

export class FakeYouTube extends FakeServer {
  readonly tokens = new Map<string, { channelId: string | null; scopes: string[] }>();
  readonly channels = new Map<string, FakeChannel>();
  readonly videos: FakeVideo[] = [];
  readonly sessions = new Map<string, Session>();
  /** The project passed YouTube's audit; otherwise every upload is stored private. */
  audited = false;
  /** videos.list reads before a new video is processed. */
  processingReads = 1;
  /** Daily quota: units for everything but inserts, and the insert bucket in calls. */
  unitsPerDay = 10_000;
  insertsPerDay = 100;
  unitsUsed = 0;
  insertsUsed = 0;
  /** The next chunk PUT keeps only this many of its bytes, then the connection is cut (no answer). */
  cutNextChunkAfter: number | null = null;
  now: () => number = () => Date.now();
  /** Tokens issued elsewhere (the Google fake's consent): their channel and scopes, or undefined. */
  resolve: (token: string) => { channelId: string | null; scopes: string[] } | undefined = () => undefined;

  /** What people did with each video, by id; `likes` undefined: the owner hides them. */
  readonly stats = new Map<string, { views: number; likes?: number; comments: number; minutesWatched?: number }>();
  /** Subscribers of each channel; a channel in hiddenSubscribers hides its count. */
  readonly subscribers = new Map<string, number>();
  readonly hiddenSubscribers = new Set<string>();

  constructor() {
    super('youtube');
    this.registerRoutes();
  }

  addChannel(title = 'Acme Bakery'): FakeChannel {
    const id = `UC${randomBytes(11).toString('base64url')}`;
    const channel = { id, title, uploads: `UU${id.slice(2)}`, uploadsLeft: 50 };
    this.channels.set(id, channel);
    return channel;
  }

  /** A token the Google fake's consent would have issued, with its scopes. */
  grant(token: string, channelId: string | null, scopes = [YT_UPLOAD, YT_READONLY]): void {
    this.tokens.set(token, { channelId, scopes });
  }

  revoke(token: string): void {
    this.tokens.delete(token);
  }

  private auth(req: RecordedRequest, scope: string): { channelId: string | null; scopes: string[] } {
    const m = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''));
    const t = m ? (this.tokens.get(m[1]!) ?? this.resolve(m[1]!)) : undefined;
    if (!t) refuse(ytError(401, 'authError', 'Invalid Credentials', 'global'));
    if (!t!.scopes.includes(scope))
      refuse(ytError(403, 'insufficientPermissions', 'Request had insufficient authentication scopes.', 'global'));
    return t!;
  }

  private spend(units: number): void {
    if (this.unitsUsed + units > this.unitsPerDay)
      refuse(
        ytError(
          403,
          'quotaExceeded',
          'The request cannot be completed because you have exceeded your ' +
            '<a href="/youtube/v3/getting-started#quota">quota</a>.',
          'youtube.quota',
        ),
      );
    this.unitsUsed += units;
  }

  private wrap(handler: (req: RecordedRequest) => Reply): (req: RecordedRequest) => Reply {
    return (req) => {
      try {
        return handler(req);
      } catch (err) {
        if (err instanceof Refusal) return err.reply;
        throw err;
      }
    };
  }

  private registerRoutes(): void {
    this.route(
      'GET',
      /^\/youtube\/v3\/channels$/,
      this.wrap((req) => this.listChannels(req)),
    );
    this.route(
      'GET',
      /^\/youtube\/v3\/videos$/,
      this.wrap((req) => this.listVideos(req)),
    );
    this.route(
      'GET',
      /^\/v2\/reports$/,
      this.wrap((req) => this.report(req)),
    );
    this.route(
      'GET',
      /^\/youtube\/v3\/playlistItems$/,
      this.wrap((req) => this.listPlaylist(req)),
    );
    this.route(
      'POST',
      /^\/upload\/youtube\/v3\/videos$/,
      this.wrap((req) => this.startSession(req)),
    );
    this.route(
      'PUT',
      /^\/upload\/youtube\/v3\/videos$/,
      this.wrap((req) => this.putBytes(req)),
    );
  }

  private listChannels(req: RecordedRequest): Reply {
    this.spend(1);
    const t = this.auth(req, YT_READONLY);
    if (!req.query.part) refuse(ytError(400, 'required', 'Required parameter: part', 'global'));
    const filters = ['mine', 'id', 'forHandle', 'forUsername'].filter((f) => req.query[f] !== undefined);
    if (filters.length !== 1)
      refuse(ytError(400, 'invalidCriteria', 'Exactly one of mine, id, forHandle or forUsername must be set.'));
    const ids = req.query.mine === 'true' ? (t.channelId ? [t.channelId] : []) : (req.query.id ?? '').split(',');
    const items = ids
      .map((id) => this.channels.get(id))
      .filter((c): c is FakeChannel => Boolean(c))
      .map((c) => ({
        kind: 'youtube#channel',
        id: c.id,
        snippet: {
          title: c.title,
          customUrl: `@${c.title.toLowerCase().replace(/\W/g, '')}`,
          thumbnails: { default: { url: `${this.url}/thumbs/${c.id}.jpg` } },
        },
        contentDetails: { relatedPlaylists: { uploads: c.uploads } },
        status: { longUploadsStatus: 'eligible' },
        ...(req.query.part!.split(',').includes('statistics')
          ? {
              statistics: {
                viewCount: String(this.videos.filter((v) => v.channelId === c.id).length * 10),
                hiddenSubscriberCount: this.hiddenSubscribers.has(c.id),
                ...(this.hiddenSubscribers.has(c.id)
                  ? {}
                  : { subscriberCount: String(this.subscribers.get(c.id) ?? 0) }),
                videoCount: String(this.videos.filter((v) => v.channelId === c.id).length),
              },
            }
          : {}),
      }));
    return { json: { kind: 'youtube#channelListResponse', items } };
  }

  private listVideos(req: RecordedRequest): Reply {
    this.spend(1);
    const t = this.auth(req, YT_READONLY);
    if (!req.query.part || !req.query.id)
      refuse(ytError(400, 'required', 'Required parameters: part and id', 'global'));
    const parts = req.query.part!.split(',');
    if (parts.some((p) => !VIDEO_PARTS.includes(p)))
      refuse(
        ytError(400, 'unknownPart', `Unknown part: ${parts.find((p) => !VIDEO_PARTS.includes(p))}`, 'youtube.part'),
      );
    const ids = (req.query.id ?? '').split(',');
    // At most 50 ids a call.
    if (ids.length > 50) refuse(ytError(400, 'invalidFilters', 'The id parameter takes at most 50 video ids.'));
    if (parts.length === 1 && parts[0] === 'statistics')
      return {
        json: {
          kind: 'youtube#videoListResponse',
          items: ids
            .map((id) => this.videos.find((v) => v.id === id))
            .filter((v): v is FakeVideo => Boolean(v))
            .map((v) => {
              const st = this.stats.get(v.id) ?? { views: 0, likes: 0, comments: 0 };
              return {
                kind: 'youtube#video',
                id: v.id,
                statistics: {
                  viewCount: String(st.views),
                  ...(st.likes === undefined ? {} : { likeCount: String(st.likes) }),
                  favoriteCount: '0',
                  commentCount: String(st.comments),
                },
              };
            }),
        },
      };
    const items = ids
      .map((id) => this.videos.find((v) => v.id === id))
      .filter((v): v is FakeVideo => Boolean(v))
      .map((v) => {
        if (v.channelId !== t.channelId && req.query.part!.includes('processingDetails'))
          refuse(ytError(403, 'forbidden', 'processingDetails is visible to the owner only.'));
        v.reads++;
        const done = v.reads > this.processingReads;
        if (done && v.status.uploadStatus === 'uploaded') v.status.uploadStatus = 'processed';
        return {
          id: v.id,
          status: v.status,
          processingDetails: { processingStatus: done ? 'succeeded' : 'processing' },
        };
      });
    return { json: { kind: 'youtube#videoListResponse', items } };
  }

  /**
   * YouTube Analytics reports.query (https://developers.google.com/youtube/analytics/reference/reports/query):
   * needs yt-analytics.readonly and, since 2024, youtube.readonly; the channel's own videos only.
   */
  private report(req: RecordedRequest): Reply {
    const t = this.auth(req, YT_ANALYTICS);
    if (!t.scopes.includes(YT_READONLY))
      refuse(ytError(403, 'insufficientPermissions', 'Request had insufficient authentication scopes.', 'global'));
    const q = req.query;
    for (const p of ['ids', 'startDate', 'endDate', 'metrics'])
      if (!q[p]) refuse(ytError(400, 'required', `Required parameter: ${p}`, 'global'));
    if (q.ids !== 'channel==MINE') refuse(ytError(403, 'forbidden', 'Forbidden'));
    if (!/^\d{4}-\d{2}-\d{2}$/.test(q.startDate!) || q.endDate! < q.startDate!)
      refuse(ytError(400, 'badRequest', 'Invalid startDate or endDate', 'global'));
    if (q.metrics !== 'estimatedMinutesWatched' || q.dimensions !== 'video')
      refuse(ytError(400, 'badRequest', 'The query is not supported.', 'global'));
    const ids = (/^video==(.+)$/.exec(q.filters ?? '')?.[1] ?? '').split(',').filter(Boolean);
    const rows = ids
      .map((id) => this.videos.find((v) => v.id === id && v.channelId === t.channelId))
      .filter((v): v is FakeVideo => Boolean(v))
      .map((v) => [v.id, this.stats.get(v.id)?.minutesWatched ?? 0]);
    return {
      json: {
        kind: 'youtubeAnalytics#resultTable',
        columnHeaders: [
          { name: 'video', columnType: 'DIMENSION', dataType: 'STRING' },
          { name: 'estimatedMinutesWatched', columnType: 'METRIC', dataType: 'INTEGER' },
        ],
        rows,
      },
    };
  }

  /** A video as if it had been uploaded before the test. */
  addVideo(channelId: string): FakeVideo {
    const video: FakeVideo = {
      id: randomBytes(8).toString('base64url').slice(0, 11),
      channelId,
      snippet: { title: 'Clip', description: '', categoryId: '22', publishedAt: new Date(this.now()).toISOString() },
      status: { uploadStatus: 'processed', privacyStatus: 'public', selfDeclaredMadeForKids: false },
      requestedPrivacy: 'public',
      bytes: Buffer.alloc(0),
      reads: 0,
    };
    this.videos.push(video);
    return video;
  }

  private listPlaylist(req: RecordedRequest): Reply {
    this.spend(1);
    this.auth(req, YT_READONLY);
    const channel = [...this.channels.values()].find((c) => c.uploads === req.query.playlistId);
    if (!channel) refuse(ytError(404, 'playlistNotFound', 'The playlist cannot be found.'));
    const max = Number(req.query.maxResults ?? 5);
    if (!Number.isInteger(max) || max < 0 || max > 50)
      refuse(ytError(400, 'invalidValue', 'maxResults must be 0 to 50.'));
    const items = this.videos
      .filter((v) => v.channelId === channel!.id)
      .reverse()
      .slice(0, max)
      .map((v) => ({
        snippet: {
          title: v.snippet.title,
          publishedAt: v.snippet.publishedAt,
          resourceId: { kind: 'youtube#video', videoId: v.id },
        },
      }));
    return { json: { items } };
  }

  private startSession(req: RecordedRequest): Reply {
    if (req.query.uploadType !== 'resumable')
      refuse(ytError(400, 'invalidUploadType', 'uploadType must be resumable here.'));
    if (!req.query.part) refuse(ytError(400, 'required', 'Required parameter: part', 'global'));
    const t = this.auth(req, YT_UPLOAD);
    if (this.insertsUsed >= this.insertsPerDay)
      refuse(
        ytError(
          403,
          'quotaExceeded',
          'The request cannot be completed because you have exceeded your quota.',
          'youtube.quota',
        ),
      );
    this.insertsUsed++;
    const channel = t.channelId ? this.channels.get(t.channelId) : undefined;
    if (!channel) refuse(ytError(401, 'youtubeSignupRequired', 'The user has no YouTube channel.'));
    if (channel!.uploadsLeft <= 0)
      refuse(ytError(400, 'uploadLimitExceeded', 'The user has exceeded the number of videos they may upload.'));
    const total = Number(req.headers['x-upload-content-length']);
    const mime = String(req.headers['x-upload-content-type'] ?? '');
    if (!Number.isInteger(total) || total <= 0)
      refuse(ytError(400, 'badContent', 'X-Upload-Content-Length is required.'));
    if (!/^video\/[\w.+-]+$/.test(mime) && mime !== 'application/octet-stream')
      refuse(ytError(400, 'badContent', 'X-Upload-Content-Type must be video/* or application/octet-stream.'));
    if (
      !String(req.headers['content-type'] ?? '').startsWith('application/json') ||
      typeof req.body !== 'object' ||
      req.body.__invalidJson !== undefined
    )
      refuse(ytError(400, 'parseError', 'The metadata must be a JSON video resource.', 'global'));
    const v = req.body as any;
    const title = v.snippet?.title;
    if (typeof title !== 'string' || !title || [...title].length > 100 || /[<>]/.test(title))
      refuse(ytError(400, 'invalidTitle', 'The request metadata specifies an invalid video title.'));
    const description = v.snippet?.description ?? '';
    if (typeof description !== 'string' || Buffer.byteLength(description) > 5000 || /[<>]/.test(description))
      refuse(ytError(400, 'invalidDescription', 'The request metadata specifies an invalid video description.'));
    const tags: unknown = v.snippet?.tags ?? [];
    const tagLength = Array.isArray(tags)
      ? tags.reduce((n: number, s: string) => n + [...s].length + (s.includes(' ') ? 2 : 0), 0) +
        Math.max(0, tags.length - 1)
      : Infinity;
    if (!Array.isArray(tags) || tagLength > 500)
      refuse(ytError(400, 'invalidTags', 'The request metadata specifies invalid video keywords.'));
    if (typeof v.snippet?.categoryId !== 'string' || !CATEGORIES.has(v.snippet.categoryId))
      refuse(ytError(400, 'invalidCategoryId', 'The snippet.categoryId property specifies an invalid category ID.'));
    if (!['private', 'unlisted', 'public'].includes(v.status?.privacyStatus))
      refuse(ytError(400, 'invalidVideoMetadata', 'status.privacyStatus must be private, unlisted or public.'));
    if (
      v.status.publishAt !== undefined &&
      (v.status.privacyStatus !== 'private' || Number.isNaN(Date.parse(v.status.publishAt)))
    )
      refuse(ytError(400, 'invalidPublishAt', 'The request metadata specifies an invalid scheduled publishing time.'));
    if (typeof v.status.selfDeclaredMadeForKids !== 'boolean')
      refuse(ytError(400, 'invalidVideoMetadata', 'status.selfDeclaredMadeForKids must be true or false.'));
    const id = randomBytes(12).toString('hex');
    this.sessions.set(id, {
      id,
      channelId: channel!.id,
      total,
      mime,
      metadata: v,
      received: Buffer.alloc(0),
      chunk: null,
      video: null,
      expired: false,
    });
    return {
      status: 200,
      headers: {
        location:
          `${this.url}/upload/youtube/v3/videos?uploadType=resumable&upload_id=${id}` +
          `&part=${encodeURIComponent(req.query.part!)}`,
      },
    };
  }

  private putBytes(req: RecordedRequest): Reply {
    const s = this.sessions.get(req.query.upload_id ?? '');
    if (!s || s.expired) return { status: 404, json: { error: { code: 404, message: 'Not Found' } } };
    this.auth(req, YT_UPLOAD);
    const range = String(req.headers['content-range'] ?? '');
    const body: Buffer = req.raw;
    const probe = /^bytes \*\/(\d+)$/.exec(range);
    if (probe) {
      if (body.length !== 0 || Number(probe[1]) !== s.total)
        refuse(ytError(400, 'badRequest', 'A status check has no body and the total size.'));
      return this.where(s);
    }
    if (s.video) return this.done(s);
    const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(range);
    if (!m) refuse(ytError(400, 'badRequest', 'Content-Range must be "bytes first-last/total".'));
    const [first, last, total] = [Number(m![1]), Number(m![2]), Number(m![3])];
    if (total !== s.total) refuse(ytError(400, 'badRequest', 'The total does not match X-Upload-Content-Length.'));
    if (last - first + 1 !== body.length) refuse(ytError(400, 'badRequest', 'Content-Range does not match the body.'));
    // Overlapping or gapped ranges upload nothing.
    if (first !== s.received.length) refuse(ytError(400, 'badRequest', `Expected bytes from ${s.received.length}.`));
    const final = last === s.total - 1;
    if (!final) {
      if (body.length % UNIT !== 0)
        refuse(ytError(400, 'badRequest', 'A non-final chunk must be a multiple of 256 KiB.'));
      if (s.chunk !== null && body.length !== s.chunk)
        refuse(ytError(400, 'badRequest', 'Non-final chunks must all be the same size.'));
      s.chunk ??= body.length;
    }
    if (this.cutNextChunkAfter !== null) {
      // The connection broke part way: only the first bytes arrived. The test loses the answer too.
      s.received = Buffer.concat([s.received, body.subarray(0, this.cutNextChunkAfter)]);
      this.cutNextChunkAfter = null;
      return this.where(s);
    }
    s.received = Buffer.concat([s.received, body]);
    if (!final) return this.where(s);
    return this.complete(s);
  }

  private complete(s: Session): Reply {
    const channel = this.channels.get(s.channelId)!;
    channel.uploadsLeft--;
    const v = s.metadata;
    const requested = v.status.privacyStatus;
    s.video = {
      id: randomBytes(8).toString('base64url').slice(0, 11),
      channelId: s.channelId,
      snippet: { ...v.snippet, publishedAt: new Date(this.now()).toISOString() },
      status: {
        uploadStatus: 'uploaded',
        // Unaudited projects' uploads are locked private (docs/platforms/youtube.md#private-lock).
        privacyStatus: this.audited ? requested : 'private',
        selfDeclaredMadeForKids: v.status.selfDeclaredMadeForKids,
        ...(v.status.publishAt && this.audited ? { publishAt: v.status.publishAt } : {}),
      },
      requestedPrivacy: requested,
      bytes: s.received,
      reads: 0,
    };
    this.videos.push(s.video);
    return this.done(s);
  }

  private done(s: Session): Reply {
    return {
      status: 201,
      json: { kind: 'youtube#video', id: s.video!.id, snippet: s.video!.snippet, status: s.video!.status },
    };
  }

  private where(s: Session): Reply {
    if (s.video) return this.done(s);
    return { status: 308, headers: s.received.length ? { range: `bytes=0-${s.received.length - 1}` } : {} };
  }

  /** The session URI of an upload stops working (Google does not say when). */
  expire(sessionUri: string): void {
    const s = this.sessions.get(new URL(sessionUri).searchParams.get('upload_id') ?? '');
    if (s) s.expired = true;
  }
}

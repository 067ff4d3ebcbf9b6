// The first comment on Bluesky (docs/platforms/bluesky.md#first-comments): a reply record from the
// same account, `reply: {root, parent}` pointing at the post by URI and CID, with the same facets as a
// post (links, mentions, hashtags). As for the post, Herald chooses the record key and saves it with
// the record before the write, and writes with putRecord: a repeated write of the same record is a
// no-op, and `find` asks the account's PDS for that key, so a lost answer never gives two replies.
import type { Clock } from '../../lib/clock.js';
import {
  PlatformError,
  type AttemptContext,
  type CommentLookup,
  type FirstCommentPublisher,
  type PublishResult,
} from '../types.js';
import { pdsOf } from './connector.js';
import { blueskyError } from './errors.js';
import { detectFacets, graphemeLength } from './facets.js';
import type { IdentityResolver } from './identity.js';
import { BLUESKY_LIMITS } from './limits.js';
import type { BlueskySettings } from './settings.js';
import { isTid, newTid } from './tid.js';
import { xrpc, XrpcFailure, type XrpcCall, type XrpcReply } from './xrpc.js';

const COLLECTION = 'app.bsky.feed.post';
/** Records listed when no key was saved (the PDS lists a repository newest first). */
const LIST_LIMIT = 100;

/** What `post` saves before the write: the key and the exact record, re-sent as they are. */
interface SavedComment {
  readonly rkey: string;
  readonly record: Record<string, unknown>;
}

interface StrongRef {
  readonly uri: string;
  readonly cid: string;
}

export interface BlueskyCommentDeps {
  readonly settings: BlueskySettings;
  readonly clock: Clock;
  readonly identity: IdentityResolver;
  /** The publisher's signed-in call (renews an expired session once). */
  call<T>(ctx: AttemptContext, pds: string, call: XrpcCall, sends: boolean): Promise<XrpcReply<T>>;
}

function savedComment(state: Readonly<Record<string, unknown>>, message: string): SavedComment | null {
  const saved = state.blueskyComment as Partial<SavedComment> | undefined;
  if (!saved || typeof saved.rkey !== 'string' || !isTid(saved.rkey) || !saved.record) return null;
  return saved.record.text === message ? (saved as SavedComment) : null;
}

function rkeyOf(uri: string): string | null {
  return /^at:\/\/[^/]+\/app\.bsky\.feed\.post\/([^/]+)$/.exec(uri)?.[1] ?? null;
}

export class BlueskyFirstComment implements FirstCommentPublisher {
  constructor(private readonly deps: BlueskyCommentDeps) {}

  private fail(err: unknown, sent: boolean): PlatformError {
    return blueskyError(err, { sent, now: this.deps.clock.now() });
  }

  /** The post as a strong reference: the CID saved when it was written, else read from the PDS. */
  private async parent(ctx: AttemptContext, result: PublishResult, pds: string): Promise<StrongRef> {
    if (ctx.state.uri === result.externalId && typeof ctx.state.cid === 'string')
      return { uri: result.externalId, cid: ctx.state.cid };
    const rkey = rkeyOf(result.externalId);
    if (!rkey)
      throw new PlatformError('permanent', `"${result.externalId}" is not a Bluesky post address.`, 'bad_parent');
    const reply = await xrpc<{ cid?: unknown }>(
      pds,
      {
        method: 'GET',
        nsid: 'com.atproto.repo.getRecord',
        query: { repo: ctx.account.externalId, collection: COLLECTION, rkey },
        signal: ctx.signal,
      },
      this.deps.settings.requestTimeoutMs,
    ).catch((err: unknown) => {
      if (err instanceof XrpcFailure && err.error === 'RecordNotFound')
        throw new PlatformError('permanent', 'The Bluesky post is gone; the comment has nothing to reply to.', 'gone');
      throw this.fail(err, false);
    });
    if (typeof reply.data.cid !== 'string')
      throw new PlatformError('transient', 'Bluesky did not give the post’s CID.', 'no_cid');
    return { uri: result.externalId, cid: reply.data.cid };
  }

  async post(ctx: AttemptContext, result: PublishResult, message: string): Promise<string> {
    const did = ctx.account.externalId;
    const pds = pdsOf(ctx.account.platformData);
    const length = graphemeLength(message);
    if (length > BLUESKY_LIMITS.graphemes)
      throw new PlatformError(
        'permanent',
        `Bluesky replies hold at most ${BLUESKY_LIMITS.graphemes} characters; this comment has ${length}.`,
        'text_too_long',
      );
    let saved = savedComment(ctx.state, message);
    if (!saved) {
      const parent = await this.parent(ctx, result, pds);
      const facets = await detectFacets(message, {
        resolveMention: (handle) => this.deps.identity.resolveHandle(handle, ctx.signal, false).catch(() => null),
      });
      saved = {
        rkey: newTid(this.deps.clock.now()),
        record: {
          $type: COLLECTION,
          text: message,
          createdAt: new Date(ctx.now()).toISOString(),
          ...(facets.length ? { facets } : {}),
          // The post is the thread's first post: it is both root and parent.
          reply: { root: parent, parent },
        },
      };
      // Saved before the write: a retry re-sends these bytes under this key, and `find` knows it.
      ctx.save({ blueskyComment: saved });
    }
    const reply = await this.deps.call<{ uri?: unknown }>(
      ctx,
      pds,
      {
        method: 'POST',
        nsid: 'com.atproto.repo.putRecord',
        json: { repo: did, collection: COLLECTION, rkey: saved.rkey, record: saved.record },
      },
      true,
    );
    const uri = typeof reply.data.uri === 'string' ? reply.data.uri : `at://${did}/${COLLECTION}/${saved.rkey}`;
    ctx.log({ step: 'comment', message: `Bluesky stored the reply (${uri}).`, request: reply.request });
    return uri;
  }

  /**
   * The saved key on the account's PDS (getRecord, no sign-in, no AppView lag). Without a saved key
   * the write never left; the repository's newest records are still read for a reply to the post
   * with this text.
   */
  async find(ctx: AttemptContext, result: PublishResult, message: string): Promise<CommentLookup> {
    const did = ctx.account.externalId;
    const pds = pdsOf(ctx.account.platformData);
    const saved = savedComment(ctx.state, message);
    const timeout = this.deps.settings.requestTimeoutMs;
    try {
      if (saved) {
        try {
          const reply = await xrpc<{ uri?: unknown }>(
            pds,
            {
              method: 'GET',
              nsid: 'com.atproto.repo.getRecord',
              query: { repo: did, collection: COLLECTION, rkey: saved.rkey },
              signal: ctx.signal,
            },
            timeout,
          );
          const uri = typeof reply.data.uri === 'string' ? reply.data.uri : `at://${did}/${COLLECTION}/${saved.rkey}`;
          return { status: 'found', commentId: uri };
        } catch (err) {
          if (err instanceof XrpcFailure && err.error === 'RecordNotFound')
            return { status: 'absent', reason: `Bluesky has no reply under key ${saved.rkey}.` };
          throw err;
        }
      }
      const listed = await xrpc<{ records?: unknown }>(
        pds,
        {
          method: 'GET',
          nsid: 'com.atproto.repo.listRecords',
          query: { repo: did, collection: COLLECTION, limit: LIST_LIMIT },
          signal: ctx.signal,
        },
        timeout,
      );
      const records = (Array.isArray(listed.data.records) ? listed.data.records : []) as Array<{
        uri?: unknown;
        value?: { text?: unknown; reply?: { parent?: { uri?: unknown } } };
      }>;
      const mine = records.find((r) => r.value?.reply?.parent?.uri === result.externalId && r.value.text === message);
      if (mine && typeof mine.uri === 'string') return { status: 'found', commentId: mine.uri };
      // Only a list that reaches back to the post itself proves the reply is not there.
      const reachedPost = records.length < LIST_LIMIT || records.some((r) => r.uri === result.externalId);
      return reachedPost
        ? { status: 'absent', reason: 'no reply to the post with this text is in the account’s repository' }
        : { status: 'unknown', reason: 'too many newer records in the account’s repository to be sure' };
    } catch (err) {
      return { status: 'unknown', reason: `Bluesky could not be asked: ${this.fail(err, false).message}` };
    }
  }
}

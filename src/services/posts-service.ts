import { describeActor, type Actor } from '../domain/actor.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, type FieldErrors } from '../domain/errors.js';
import {
  createPostSchema,
  postFilterSchema,
  SCHEDULE_PAST_TOLERANCE_MS,
  updatePostSchema,
  waitingOf,
} from '../domain/post.js';
import {
  canTransition,
  EDITABLE_STATUSES,
  humanStatus,
  transition,
  UNPUBLISHED_STATUSES,
  type PostEvent,
  type PostStatus,
} from '../domain/post-status.js';
import { parseInput } from '../domain/validation.js';
import type { AccountRow, ClientRow, Page, PostLogRow, PostPatch, PostRow, PostWithMedia } from '../db/repos/index.js';
import { MAX_PAGE_SIZE } from '../db/repos/pagination.js';
import { newId } from '../lib/ids.js';
import type { ServiceDeps } from './deps.js';
import { APPROVAL_REQUESTED_STEP, notices } from './notices.js';

/** Limits what a caller may see: a client portal session only reaches its own client. */
export interface Scope {
  readonly clientId?: string;
}

/** A review comment (the API's schema says the same). */
export const MAX_COMMENT_LENGTH = 2000;

export type PostAction = 'approve' | 'reject' | 'cancel' | 'retry' | 'submit';

export interface PostLogEntry {
  step: string;
  level: PostLogRow['level'];
  message: string;
  attemptId?: string | null;
  code?: string | null;
  request?: string | null;
  durationMs?: number | null;
}

/** A new post row (the repo makes it due at its time when scheduled), approved now when it needs no approval. */
function newPostRow(
  now: number,
  fields: Pick<
    PostRow,
    'clientId' | 'accountId' | 'status' | 'caption' | 'scheduledAt' | 'lastError' | 'source' | 'approvedBy'
  > &
    Partial<
      Pick<
        PostRow,
        | 'ruleId'
        | 'slotKey'
        | 'aiPrompt'
        | 'aiModel'
        | 'waitingOn'
        | 'options'
        | 'topic'
        | 'aiCaption'
        | 'aiExamples'
        | 'groupId'
        | 'groupOverrides'
        | 'surface'
        | 'firstComment'
      >
    >,
): Omit<PostRow, 'dueAt'> {
  const scheduled = fields.status === 'scheduled';
  return {
    id: newId('post', now),
    ruleId: null,
    slotKey: null,
    aiPrompt: null,
    aiModel: null,
    waitingOn: null,
    options: null,
    topic: null,
    aiCaption: null,
    aiExamples: null,
    groupId: null,
    groupOverrides: null,
    surface: 'feed',
    firstComment: '',
    ...fields,
    // A first comment waits for its post; the database holds the two together (posts_first_comment_status).
    firstCommentStatus: fields.firstComment ? 'waiting' : 'none',
    firstCommentId: null,
    firstCommentSentAt: null,
    firstCommentSends: 0,
    firstCommentRetryAt: null,
    firstCommentError: null,
    publishedAt: null,
    externalId: null,
    permalink: null,
    attempts: 0,
    sends: 0,
    version: 1,
    reviewComment: null,
    approvedAt: scheduled ? now : null,
    currentAttemptId: null,
    createdAt: now,
    updatedAt: now,
  };
}

export function postsService(deps: ServiceDeps, learning?: { learnFromReview(postId: string): void }) {
  const { repos, clock, database, networks } = deps;
  const notice = notices(deps);

  /** A review is something to learn from (standing guidance); learning never fails the review itself. */
  function learnFrom(post: PostWithMedia): PostWithMedia {
    try {
      database.immediate(() => learning?.learnFromReview(post.id));
    } catch (err) {
      deps.log.warn({ postId: post.id, err: (err as Error).message }, 'learning from a review failed');
    }
    return post;
  }

  function load(id: string, scope: Scope = {}): PostWithMedia {
    const post = repos.posts.get(id);
    if (!post || (scope.clientId && post.clientId !== scope.clientId)) throw new NotFoundError('Post');
    return post;
  }

  function log(postId: string, entry: PostLogEntry): void {
    repos.posts.insertLog({
      postId,
      attemptId: entry.attemptId ?? null,
      step: entry.step,
      level: entry.level,
      message: entry.message,
      code: entry.code ?? null,
      request: entry.request ?? null,
      durationMs: entry.durationMs ?? null,
      createdAt: clock.now(),
    });
  }

  function clientOf(clientId: string): ClientRow {
    const client = repos.clients.get(clientId);
    if (!client) throw new NotFoundError('Client');
    return client;
  }

  /**
   * Media must exist, belong to the post's client, and suit the account's platform; the options
   * must be the platform's. Returns the options to store (parsed by the platform's schema).
   */
  function checkContent(
    account: AccountRow,
    caption: string,
    mediaIds: readonly string[],
    input: unknown,
  ): Record<string, unknown> | null {
    const { options, errors } = networks.parseOptions(account.platform, input);
    if (errors) throw new ValidationError(errors, `${networks.label(account.platform)} would refuse this post.`);
    const rows = repos.media.getMany(mediaIds);
    const byId = new Map(rows.map((m) => [m.id, m]));
    const missing = mediaIds.filter((id) => byId.get(id)?.clientId !== account.clientId);
    if (missing.length) throw ValidationError.field('mediaIds', `unknown media for this client: ${missing.join(', ')}`);
    if (new Set(mediaIds).size !== mediaIds.length)
      throw ValidationError.field('mediaIds', 'lists the same media twice');
    const problems = networks.check(
      account.platform,
      caption,
      mediaIds.map((id) => byId.get(id)!),
      options,
      { platformData: platformDataOf(account) },
    );
    if (problems) throw new ValidationError(problems, `${networks.label(account.platform)} would refuse this post.`);
    return options;
  }

  /** What the account's connector stored on it ({} when unreadable). */
  function platformDataOf(account: AccountRow): Record<string, unknown> {
    try {
      const data: unknown = JSON.parse(account.platformData);
      return data && typeof data === 'object' ? (data as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }

  function parseWhen(iso: string | null | undefined): number | null {
    return iso ? Date.parse(iso) : null;
  }

  function requireFutureTime(scheduledAt: number | null, field = 'scheduledAt'): number {
    const errors: FieldErrors = {};
    if (scheduledAt === null) errors[field] = ['is required to schedule a post'];
    else if (scheduledAt < clock.now() - SCHEDULE_PAST_TOLERANCE_MS) errors[field] = ['is in the past'];
    if (Object.keys(errors).length) throw new ValidationError(errors);
    return scheduledAt as number;
  }

  /**
   * The one way a post changes status: re-reads it inside the write transaction, asks the
   * transition table, applies the change and writes the history line, all in one commit.
   */
  function applyEvent(
    id: string,
    event: PostEvent,
    options: {
      actor: Actor;
      patch?: PostPatch;
      message: string;
      scope?: Scope;
      level?: PostLogRow['level'];
      guard?: (post: PostWithMedia) => void;
      /** A reviewer's words (a rejection), carried by the event the change writes. */
      comment?: string | null;
    },
  ): PostWithMedia {
    return database.immediate(() => {
      const post = load(id, options.scope);
      const to = transition(post.status, event);
      options.guard?.(post);
      const now = clock.now();
      const patch: PostPatch = { status: to, updatedAt: now, ...options.patch };
      repos.posts.update(id, patch, post.version);
      log(id, {
        step: event,
        level: options.level ?? 'info',
        message: `${options.message} (${describeActor(options.actor)})`,
      });
      const after = repos.posts.get(id)!;
      notice.postChanged(post, after, event, options.actor, options.comment);
      return after;
    });
  }

  return {
    log,
    applyEvent,

    get(id: string, scope: Scope = {}): PostWithMedia {
      return load(id, scope);
    },

    list(query: Record<string, string | undefined>, limit: number, scope: Scope = {}): Page<PostWithMedia> {
      const filter = parseInput(postFilterSchema, query);
      if (scope.clientId && filter.clientId && filter.clientId !== scope.clientId)
        return { data: [], nextCursor: null };
      return repos.posts.list({
        clientId: scope.clientId ?? filter.clientId,
        accountId: filter.accountId,
        status: filter.status,
        from: parseWhen(filter.from) ?? undefined,
        to: parseWhen(filter.to) ?? undefined,
        cursor: query.cursor,
        limit: Math.min(limit, MAX_PAGE_SIZE),
      });
    },

    create(input: unknown, actor: Actor): PostWithMedia {
      const data = parseInput(createPostSchema, input);
      const account = repos.accounts.get(data.accountId);
      if (!account) throw ValidationError.field('accountId', 'no such account');
      const client = clientOf(account.clientId);
      if (client.status === 'archived')
        throw new ConflictError('This client is archived; restore it before adding posts.');
      const options = checkContent(account, data.caption, data.mediaIds, data.options);
      const scheduledAt = parseWhen(data.scheduledAt);
      let status: PostStatus = 'draft';
      if (data.status === 'scheduled') {
        requireFutureTime(scheduledAt);
        // Under client approval nothing goes out before the client said yes, whoever wrote it.
        status = client.approvalMode === 'client' && actor.kind !== 'client' ? 'pending_approval' : 'scheduled';
      }
      const now = clock.now();
      const waiting = waitingOf(account);
      const row = newPostRow(now, {
        clientId: account.clientId,
        accountId: account.id,
        status,
        caption: data.caption,
        options,
        scheduledAt,
        lastError: waiting?.note ?? null,
        waitingOn: waiting?.on ?? null,
        source: 'manual',
        approvedBy: status === 'scheduled' ? describeActor(actor) : null,
      });
      database.immediate(() => {
        repos.posts.insert(row, data.mediaIds);
        log(row.id, {
          step: 'create',
          level: 'info',
          message: `Created as ${humanStatus(status)} (${describeActor(actor)})`,
        });
        if (status === 'pending_approval') notice.approvalRequested(row.clientId, [repos.posts.get(row.id)!]);
      });
      return repos.posts.get(row.id)!;
    },

    /** Edits caption, media or time. A stale `version` or a post already publishing is a conflict. */
    update(id: string, input: unknown, actor: Actor, scope: Scope = {}): PostWithMedia {
      const data = parseInput(updatePostSchema, input);
      return database.immediate(() => {
        const post = load(id, scope);
        if (post.version !== data.version) {
          throw new ConflictError('This post was changed by someone else since you opened it.', {
            currentVersion: post.version,
            yourVersion: data.version,
          });
        }
        if (!EDITABLE_STATUSES.has(post.status))
          throw new ConflictError(`A ${humanStatus(post.status)} post cannot be edited.`, { status: post.status });
        const account = repos.accounts.get(post.accountId)!;
        const caption = data.caption ?? post.caption;
        const mediaIds = data.mediaIds ?? post.mediaIds;
        const options = checkContent(
          account,
          caption,
          mediaIds,
          data.options !== undefined ? data.options : post.options,
        );
        const now = clock.now();
        const patch: PostPatch = { caption, options, updatedAt: now };
        if (data.scheduledAt !== undefined) {
          const when = parseWhen(data.scheduledAt);
          if (post.status === 'scheduled' || post.status === 'pending_approval') requireFutureTime(when);
          patch.scheduledAt = when;
        }
        const contentChanged =
          caption !== post.caption ||
          mediaIds.join() !== post.mediaIds.join() ||
          JSON.stringify(options) !== JSON.stringify(post.options);
        const client = clientOf(post.clientId);
        // A client approved these words; changed words need their approval again.
        if (
          post.status === 'scheduled' &&
          contentChanged &&
          client.approvalMode === 'client' &&
          actor.kind !== 'client'
        ) {
          patch.status = transition(post.status, 'revise');
          patch.approvedAt = null;
          patch.approvedBy = null;
        }
        if (!repos.posts.update(id, patch, post.version))
          throw new ConflictError('This post was changed by someone else since you opened it.');
        if (data.mediaIds) repos.posts.setMedia(id, mediaIds);
        const changed = [
          contentChanged ? 'content' : null,
          data.scheduledAt !== undefined && patch.scheduledAt !== post.scheduledAt ? 'time' : null,
        ].filter(Boolean);
        log(id, {
          step: 'edit',
          level: 'info',
          message:
            `Edited ${changed.join(' and ') || 'nothing'}` +
            `${patch.status ? '; sent back to the client for approval' : ''} (${describeActor(actor)})`,
        });
        const after = repos.posts.get(id)!;
        if (patch.status) notice.postChanged(post, after, 'revise', actor);
        return after;
      });
    },

    act(
      id: string,
      action: PostAction,
      actor: Actor,
      options: { comment?: string; scheduledAt?: string | null; scope?: Scope } = {},
    ): PostWithMedia {
      const scope = options.scope ?? {};
      const now = clock.now();
      if (options.comment !== undefined && options.comment.length > MAX_COMMENT_LENGTH) {
        throw new ValidationError(
          { comment: [`must be at most ${MAX_COMMENT_LENGTH} characters`] },
          `The comment is too long: at most ${MAX_COMMENT_LENGTH} characters.`,
        );
      }
      // A client reviews what its agency asked it to review, and nothing else.
      if (actor.kind === 'client' && action !== 'approve' && action !== 'reject') throw new ForbiddenError();
      const clientReviews = (post: PostWithMedia) => {
        if (actor.kind !== 'client') return;
        if (post.status !== 'pending_approval' || clientOf(post.clientId).approvalMode !== 'client') {
          throw new ForbiddenError('Only posts waiting for your approval can be approved or sent back here.');
        }
      };
      switch (action) {
        case 'approve':
          return learnFrom(
            applyEvent(id, 'approve', {
              actor,
              scope,
              message: 'Approved',
              guard: (post) => {
                clientReviews(post);
                if (post.scheduledAt === null || post.scheduledAt < now - SCHEDULE_PAST_TOLERANCE_MS) {
                  throw new ConflictError('Its time has passed; set a new time before approving it.');
                }
                checkContent(repos.accounts.get(post.accountId)!, post.caption, post.mediaIds, post.options);
              },
              patch: { approvedAt: now, approvedBy: describeActor(actor), reviewComment: null },
            }),
          );
        case 'submit':
          return applyEvent(id, 'submit', { actor, scope, message: 'Sent for approval' });
        case 'reject':
          return learnFrom(
            applyEvent(id, 'reject', {
              actor,
              scope,
              guard: clientReviews,
              message: options.comment ? `Rejected: ${options.comment}` : 'Rejected',
              comment: options.comment ?? null,
              patch: { reviewComment: options.comment ?? null, approvedAt: null, approvedBy: null },
            }),
          );
        case 'cancel':
          return applyEvent(id, 'cancel', { actor, scope, message: 'Cancelled' });
        case 'retry': {
          const requested = parseWhen(options.scheduledAt ?? null);
          if (requested !== null) requireFutureTime(requested);
          return applyEvent(id, 'retry', {
            actor,
            scope,
            message: 'Sent again',
            patch: { scheduledAt: requested ?? now, attempts: 0, lastError: null, currentAttemptId: null },
          });
        }
      }
    },

    /**
     * Stores a post the AI wrote for a rule's slot. The slot key is unique: a second run for the
     * same slot stores nothing (returns null), whatever happened in between.
     */
    insertGenerated(input: {
      clientId: string;
      accountId: string;
      ruleId: string;
      slotKey: string;
      scheduledAt: number;
      caption: string;
      mediaIds: string[];
      status: 'draft' | 'pending_approval' | 'scheduled';
      aiPrompt: string;
      aiModel: string;
      /** The topic the rule gave, the caption as the AI wrote it, and the examples it was shown. */
      topic?: string;
      aiCaption?: string | null;
      aiExamples?: { good: string[]; poor: string[] };
      lastError: string | null;
      note: string;
    }): PostWithMedia | null {
      const now = clock.now();
      return database.immediate(() => {
        if (repos.posts.bySlotKey(input.slotKey)) return null;
        const row = newPostRow(now, {
          clientId: input.clientId,
          accountId: input.accountId,
          ruleId: input.ruleId,
          status: input.status,
          caption: input.caption,
          scheduledAt: input.scheduledAt,
          lastError: input.lastError,
          source: 'ai',
          slotKey: input.slotKey,
          aiPrompt: input.aiPrompt,
          aiModel: input.aiModel,
          topic: input.topic ?? null,
          aiCaption: input.aiCaption ?? null,
          aiExamples: input.aiExamples ?? null,
          approvedBy: input.status === 'scheduled' ? 'no approval needed' : null,
        });
        repos.posts.insert(row, input.mediaIds);
        log(row.id, { step: 'generate', level: input.lastError ? 'warn' : 'info', message: input.note });
        return repos.posts.get(row.id)!;
      });
    },

    /**
     * Replaces an AI post's words and media (regeneration keeps its slot) and asks for approval again as the
     * mode says.
     */
    applyRegenerated(
      id: string,
      actor: Actor,
      input: {
        caption: string;
        mediaIds: string[];
        aiPrompt: string;
        aiModel: string;
        topic: string;
        aiCaption: string;
        aiExamples: { good: string[]; poor: string[] };
        lastError: string | null;
        approvalMode: 'none' | 'admin' | 'client';
      },
    ): PostWithMedia {
      return database.immediate(() => {
        const post = load(id);
        if (!EDITABLE_STATUSES.has(post.status))
          throw new ConflictError(`A ${humanStatus(post.status)} post cannot be rewritten.`);
        const now = clock.now();
        const future = post.scheduledAt !== null && post.scheduledAt > now;
        let status: PostStatus = post.status;
        if (input.lastError) status = post.status === 'scheduled' ? transition(post.status, 'revise') : post.status;
        else if (input.approvalMode === 'none' && future && canTransition(post.status, 'approve'))
          status = transition(post.status, 'approve');
        else if (
          input.approvalMode !== 'none' &&
          canTransition(post.status, post.status === 'scheduled' ? 'revise' : 'submit')
        )
          status = transition(post.status, post.status === 'scheduled' ? 'revise' : 'submit');
        const patch: PostPatch = {
          caption: input.caption,
          aiPrompt: input.aiPrompt,
          aiModel: input.aiModel,
          topic: input.topic,
          aiCaption: input.aiCaption,
          aiExamples: input.aiExamples,
          lastError: input.lastError,
          status,
          reviewComment: status === 'pending_approval' || status === 'scheduled' ? null : post.reviewComment,
          approvedAt: status === 'scheduled' ? now : null,
          approvedBy: status === 'scheduled' ? 'no approval needed' : null,
          updatedAt: now,
        };
        repos.posts.update(id, patch, post.version);
        repos.posts.setMedia(id, input.mediaIds);
        log(id, {
          step: 'regenerate',
          level: input.lastError ? 'warn' : 'info',
          message:
            `Rewritten by AI${input.lastError ? ` with a problem: ${input.lastError}` : ''} ` +
            `(${describeActor(actor)})`,
        });
        const after = repos.posts.get(id)!;
        notice.postChanged(post, after, status === post.status ? 'revise' : 'submit', actor);
        return after;
      });
    },

    /**
     * Tells the reviewers about AI posts waiting for approval: one event per client for `ids`
     * (what one generation run wrote), or for every such post nobody was told about yet (a run
     * cut off before it could tell). Each post is marked in the same commit, so none is told twice.
     */
    announceApprovals(ids?: readonly string[]): number {
      return database.immediate(() => {
        const byClient = new Map<string, PostRow[]>();
        for (const post of repos.posts.unannouncedApprovals(APPROVAL_REQUESTED_STEP, ids)) {
          byClient.set(post.clientId, [...(byClient.get(post.clientId) ?? []), post]);
        }
        for (const [clientId, list] of byClient) notice.approvalRequested(clientId, list);
        return byClient.size;
      });
    },

    /**
     * An admin checked the platform and the unconfirmed post is there: record it as published
     * (the reconciler would have, had the platform let it tell).
     */
    markPublished(id: string, actor: Actor, permalink: string | null, scope: Scope = {}): PostWithMedia {
      if (permalink !== null && !/^https:\/\/\S+$/.test(permalink))
        throw ValidationError.field('permalink', 'must be the https:// address of the post');
      return applyEvent(id, 'published', {
        actor,
        scope,
        message: 'Confirmed on the platform by hand',
        guard: (post) => {
          if (post.status !== 'unconfirmed')
            throw new ConflictError('Only an unconfirmed post can be marked published.');
        },
        patch: { publishedAt: clock.now(), permalink, lastError: null },
      });
    },

    /**
     * "Publish now": the post's time becomes now and it is approved (a draft, a post awaiting
     * approval, a rejected one), moved up (scheduled) or sent again (failed, missed).
     */
    publishNow(id: string, actor: Actor, scope: Scope = {}): PostWithMedia {
      const post = load(id, scope);
      const now = clock.now();
      if (post.status === 'scheduled') {
        return database.immediate(() => {
          const fresh = load(id, scope);
          if (fresh.status !== 'scheduled')
            throw new ConflictError(`A ${humanStatus(fresh.status)} post cannot be published now.`);
          repos.posts.update(id, { scheduledAt: now, updatedAt: now }, fresh.version);
          log(id, { step: 'publish_now', level: 'info', message: `Moved to now (${describeActor(actor)})` });
          return repos.posts.get(id)!;
        });
      }
      if (post.status === 'failed' || post.status === 'missed') return this.act(id, 'retry', actor, { scope });
      return applyEvent(id, 'approve', {
        actor,
        scope,
        message: 'Approved to publish now',
        guard: (p) => {
          checkContent(repos.accounts.get(p.accountId)!, p.caption, p.mediaIds, p.options);
        },
        patch: { scheduledAt: now, approvedAt: now, approvedBy: describeActor(actor), reviewComment: null },
      });
    },

    logs(id: string, scope: Scope = {}): PostLogRow[] {
      load(id, scope);
      return repos.posts.logsOf(id);
    },

    /** Cancels a post unless someone changed it since it was written; false when it was kept. */
    cancelUntouched(id: string, reason: string): boolean {
      try {
        applyEvent(id, 'cancel', {
          actor: { kind: 'system', job: 'generate-content' },
          message: reason,
          // Frees the slot: should the rule get this time back, it is written afresh.
          patch: { slotKey: null },
          guard: (post) => {
            if (post.version !== 1) throw new ConflictError('changed since it was written');
          },
        });
        return true;
      } catch (err) {
        if (err instanceof ConflictError) return false;
        throw err;
      }
    },

    /** Cancels every post of a client that has not reached a platform (archiving the client). */
    cancelUnpublishedOfClient(clientId: string, actor: Actor, reason: string): number {
      let count = 0;
      for (const { id } of repos.posts.idsOfClientIn(clientId, UNPUBLISHED_STATUSES)) {
        applyEvent(id, 'cancel', { actor, message: `Cancelled: ${reason}` });
        count++;
      }
      return count;
    },
  };
}
export type PostsService = ReturnType<typeof postsService>;

import { accessOf, describeActor, memberIdOf, type Actor } from '../domain/actor.js';
import { changedFields, type AuditKind } from '../domain/audit.js';
import { mayApprove, seesClient } from '../domain/roles.js';
import { authorize } from './access.js';
import type { GroupOverrides, Surface } from '../domain/composer.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, type FieldErrors } from '../domain/errors.js';
import {
  approvalNeeded,
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
import { describeEvergreen, type Evergreen } from '../domain/evergreen.js';
import { parseInput } from '../domain/validation.js';
import type { AccountRow, ClientRow, Page, PostLogRow, PostPatch, PostRow, PostWithMedia } from '../db/repos/index.js';
import { MAX_PAGE_SIZE } from '../db/repos/pagination.js';
import { newId } from '../lib/ids.js';
import type { ServiceDeps } from './deps.js';
import { recordAudit } from './audit.js';
import { heldClients, inScope } from './list-scope.js';
import { APPROVAL_REQUESTED_STEP, notices } from './notices.js';
import { platformDataOf } from '../domain/account-data.js';

/**
 * Limits what a caller may see: a client portal session only reaches its own client; an editor or viewer the
 * clients assigned to them (lists hold only those, in SQL; asking for another client is "not found").
 */
export interface Scope {
  readonly clientId?: string;
  readonly clientIds?: readonly string[];
}

/** A post as the services hand it out: with its media and its labels' ids. */
export type PostView = PostWithMedia & { labels: string[] };

/** What a post says, as the checks see it (options as given: the platform's schema parses them). */
export interface PostContent {
  readonly caption: string;
  readonly mediaIds: readonly string[];
  readonly options?: unknown;
  readonly surface: Surface;
  readonly firstComment: string;
}

/** A post's new values (`scheduledAt` undefined: unchanged), as an edit or a group's change writes them. */
export interface PostEdit {
  readonly caption: string;
  readonly mediaIds: readonly string[];
  readonly options: Record<string, unknown> | null;
  readonly surface: Surface;
  readonly firstComment: string;
  readonly scheduledAt?: number | null;
  readonly groupOverrides?: GroupOverrides | null;
  labels?: readonly string[];
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
        | 'evergreenSourceId'
        | 'evergreenRound'
        | 'authorId'
      >
    >,
): Omit<PostRow, 'dueAt'> {
  const scheduled = fields.status === 'scheduled';
  return {
    id: newId('post', now),
    authorId: fields.authorId ?? null,
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
    queued: false,
    evergreen: null,
    evergreenSourceId: fields.evergreenSourceId ?? null,
    evergreenRound: fields.evergreenRound ?? null,
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

/** The audit trail's name for a status change a person asked for (the engine's own events are not theirs). */
const AUDITED_EVENTS: Partial<Record<PostEvent, AuditKind>> = {
  submit: 'post.submit',
  approve: 'post.approve',
  reject: 'post.reject',
  cancel: 'post.cancel',
  retry: 'post.retry',
  published: 'post.mark_published',
};

/** A post's fields as the audit trail compares them before and after an edit. */
const AUDITED_FIELDS = [
  'status',
  'caption',
  'scheduledAt',
  'mediaIds',
  'options',
  'surface',
  'firstComment',
  'labels',
  'evergreen',
] as const;

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
    if (!post || !inScope(scope, post.clientId)) throw new NotFoundError('Post');
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

  /** What the audit trail compares: the edited fields, times as ISO text so the trail reads without a clock. */
  function auditView(post: PostWithMedia): Record<string, unknown> {
    return {
      status: post.status,
      caption: post.caption,
      scheduledAt: post.scheduledAt === null ? null : new Date(post.scheduledAt).toISOString(),
      mediaIds: post.mediaIds,
      options: post.options,
      surface: post.surface,
      firstComment: post.firstComment,
      labels: [...(repos.labels.ofPosts([post.id]).get(post.id) ?? [])].sort(),
      evergreen: post.evergreen,
    };
  }

  /** Writes the audit entry of a change to a post (inside the change's transaction). */
  function audit(
    actor: Actor,
    kind: AuditKind,
    what: string,
    before: Record<string, unknown> | null,
    after: PostWithMedia,
  ): void {
    if (actor.kind === 'system') return;
    const account = repos.accounts.get(after.accountId);
    const diff = before ? changedFields(before, auditView(after), AUDITED_FIELDS) : undefined;
    recordAudit(deps, actor, {
      kind,
      clientId: after.clientId,
      targetId: after.id,
      summary: `${what}: ${clientOf(after.clientId).name} · ${account ? `${account.name} (${account.platform})` : ''}`,
      before: diff?.before ?? null,
      after: diff?.after ?? (before ? null : { status: after.status, caption: after.caption }),
    });
  }

  /**
   * May what this actor writes go out without someone else's yes? Not an editor's own post under the client's
   * `admin` approval: the four-eyes rule that mode exists for (see mayApprove).
   */
  function approvesOwn(actor: Actor, client: ClientRow): boolean {
    if (actor.kind !== 'admin' && actor.kind !== 'api') return true;
    const me = memberIdOf(actor);
    return mayApprove(accessOf(actor), me ?? '', { authorId: me }, client.approvalMode);
  }

  /** The check every change of a post makes: the actor's role, for the post's client (see services/access.ts). */
  function loadFor(id: string, actor: Actor, scope: Scope = {}): PostWithMedia {
    const post = load(id, scope);
    authorize(actor, 'content.write', post.clientId);
    return post;
  }

  /** Approving (or publishing at once, which approves): the role, and not an editor's own post under admin mode. */
  function checkApprover(actor: Actor, post: PostWithMedia): void {
    if (actor.kind === 'client' || actor.kind === 'system') return;
    authorize(actor, 'post.approve', post.clientId);
    if (!mayApprove(accessOf(actor), memberIdOf(actor) ?? '', post, clientOf(post.clientId).approvalMode))
      throw new ForbiddenError(
        'This client needs someone other than the writer to approve a post; you wrote this one.',
      );
  }

  function clientOf(clientId: string): ClientRow {
    const client = repos.clients.get(clientId);
    if (!client) throw new NotFoundError('Client');
    return client;
  }

  /**
   * Everything the account's platform would refuse in this content, collected: media must exist,
   * belong to the account's client and suit the platform and surface; the options must be the
   * platform's; the first comment must fit where it goes. Returns the options to store (parsed by
   * the platform's schema) and the field errors, or null when there are none.
   */
  function contentErrors(
    account: AccountRow,
    content: PostContent,
  ): { options: Record<string, unknown> | null; errors: FieldErrors | null } {
    const { options, errors: optionErrors } = networks.parseOptions(account.platform, content.options);
    const errors: FieldErrors = { ...optionErrors };
    const add = (more: FieldErrors | null) => {
      for (const [field, messages] of Object.entries(more ?? {})) (errors[field] ??= []).push(...messages);
    };
    const { mediaIds } = content;
    const rows = repos.media.getMany(mediaIds);
    const byId = new Map(rows.map((m) => [m.id, m]));
    const missing = mediaIds.filter((id) => byId.get(id)?.clientId !== account.clientId);
    if (missing.length) add({ mediaIds: [`unknown media for this client: ${missing.join(', ')}`] });
    else if (new Set(mediaIds).size !== mediaIds.length) add({ mediaIds: ['lists the same media twice'] });
    else if (!optionErrors) {
      add(
        networks.check(
          account.platform,
          content.caption,
          mediaIds.map((id) => byId.get(id)!),
          options,
          { platformData: platformDataOf(account) },
          content.surface,
        ),
      );
    }
    add(networks.checkFirstComment(account.platform, content.surface, content.firstComment));
    return { options, errors: Object.keys(errors).length ? errors : null };
  }

  /** The content's options to store, or a ValidationError saying what the platform would refuse. */
  function checkContent(account: AccountRow, content: PostContent): Record<string, unknown> | null {
    const { options, errors } = contentErrors(account, content);
    if (errors) throw new ValidationError(errors, `${networks.label(account.platform)} would refuse this post.`);
    return options;
  }

  /** Unknown label ids, as field errors on `field`, or null. */
  function labelErrors(labelIds: readonly string[], field = 'labels'): FieldErrors | null {
    const known = new Set(repos.labels.getMany(labelIds).map((l) => l.id));
    const unknown = [...new Set(labelIds)].filter((id) => !known.has(id));
    return unknown.length ? { [field]: [`unknown labels: ${unknown.join(', ')}`] } : null;
  }

  function checkLabels(labelIds: readonly string[]): void {
    const errors = labelErrors(labelIds);
    if (errors) throw new ValidationError(errors);
  }

  function withLabels<T extends PostWithMedia>(list: readonly T[]): Array<T & { labels: string[] }> {
    const byPost = repos.labels.ofPosts(list.map((p) => p.id));
    return list.map((p) => ({ ...p, labels: byPost.get(p.id) ?? [] }));
  }

  function view(id: string): PostView {
    return withLabels([repos.posts.get(id)!])[0]!;
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
      /** More of the change, read off the post as it stands in the transaction. */
      patchFor?: (post: PostWithMedia) => PostPatch;
      /** A reviewer's words (a rejection), carried by the event the change writes. */
      comment?: string | null;
      /** The audit trail's kind when it is not the event's own ("publish now" approves). */
      audit?: AuditKind;
    },
  ): PostWithMedia {
    return database.immediate(() => {
      const post = load(id, options.scope);
      const to = transition(post.status, event);
      options.guard?.(post);
      const now = clock.now();
      const patch: PostPatch = { status: to, updatedAt: now, ...options.patch, ...options.patchFor?.(post) };
      repos.posts.update(id, patch, post.version);
      log(id, {
        step: event,
        level: options.level ?? 'info',
        message: `${options.message} (${describeActor(options.actor)})`,
      });
      const after = repos.posts.get(id)!;
      notice.postChanged(post, after, event, options.actor, options.comment);
      const kind = options.audit ?? AUDITED_EVENTS[event];
      if (kind && options.actor.kind !== 'system') audit(options.actor, kind, options.message, auditView(post), after);
      return after;
    });
  }

  /**
   * Writes a new post for an account (inside the caller's transaction): scheduled posts need a
   * future time and, under client approval, the client's yes first. The caller checked the content.
   * Returns the post; `announce` false leaves telling the reviewers to the caller (a group tells once).
   */
  function insertPost(
    account: AccountRow,
    client: ClientRow,
    fields: PostEdit & { readonly status: 'draft' | 'scheduled'; readonly scheduledAt: number | null },
    actor: Actor,
    extra: {
      groupId?: string;
      announce?: boolean;
      note?: string;
      evergreen?: { sourceId: string; round: number };
    } = {},
  ): PostWithMedia {
    let status: PostStatus = 'draft';
    if (fields.status === 'scheduled') {
      requireFutureTime(fields.scheduledAt);
      // Under client approval nothing goes out before the client said yes, whoever wrote it.
      status =
        approvalNeeded(client.approvalMode, actor) || !approvesOwn(actor, client) ? 'pending_approval' : 'scheduled';
    }
    const waiting = waitingOf(account);
    const row = newPostRow(clock.now(), {
      clientId: account.clientId,
      accountId: account.id,
      authorId: memberIdOf(actor),
      status,
      caption: fields.caption,
      options: fields.options,
      scheduledAt: fields.scheduledAt,
      lastError: waiting?.note ?? null,
      waitingOn: waiting?.on ?? null,
      source: 'manual',
      approvedBy: status === 'scheduled' ? describeActor(actor) : null,
      surface: fields.surface,
      firstComment: fields.firstComment,
      groupId: extra.groupId ?? null,
      groupOverrides: fields.groupOverrides ?? null,
      ...(extra.evergreen
        ? { evergreenSourceId: extra.evergreen.sourceId, evergreenRound: extra.evergreen.round }
        : {}),
    });
    repos.posts.insert(row, fields.mediaIds);
    if (fields.labels?.length) repos.labels.setForPost(row.id, fields.labels);
    log(row.id, {
      step: 'create',
      level: 'info',
      message: `Created as ${humanStatus(status)}${extra.note ?? ''} (${describeActor(actor)})`,
    });
    const post = repos.posts.get(row.id)!;
    if (status === 'pending_approval' && extra.announce !== false) notice.approvalRequested(row.clientId, [post]);
    audit(actor, 'post.create', `Created as ${humanStatus(status)}`, null, post);
    return post;
  }

  /**
   * Writes an edit of a post the caller loaded in this transaction and checked: its content, time,
   * group overrides and labels. A client approved the old words: changed words need their approval
   * again. A stale version is a conflict.
   */
  function applyEdit(
    post: PostWithMedia,
    next: PostEdit,
    actor: Actor,
    how = '',
    kind: AuditKind = 'post.update',
  ): PostWithMedia {
    const was = actor.kind === 'system' ? null : auditView(post);
    const now = clock.now();
    const patch: PostPatch = { updatedAt: now };
    const contentChanged =
      next.caption !== post.caption ||
      next.mediaIds.join() !== post.mediaIds.join() ||
      JSON.stringify(next.options) !== JSON.stringify(post.options) ||
      next.surface !== post.surface ||
      next.firstComment !== post.firstComment;
    if (contentChanged) {
      patch.caption = next.caption;
      patch.options = next.options;
      patch.surface = next.surface;
      // The two columns move together (posts_first_comment_status); the post has not gone out yet.
      patch.firstComment = next.firstComment;
      patch.firstCommentStatus = next.firstComment ? 'waiting' : 'none';
      // "Their own post" from now on: whoever last changed its words, media or options (see mayApprove).
      const author = memberIdOf(actor);
      if (author) patch.authorId = author;
    }
    if (next.scheduledAt !== undefined) {
      if (post.status === 'scheduled' || post.status === 'pending_approval') requireFutureTime(next.scheduledAt);
      patch.scheduledAt = next.scheduledAt;
    }
    if (next.groupOverrides !== undefined) patch.groupOverrides = next.groupOverrides;
    const client = clientOf(post.clientId);
    const approvalLapses = (client.approvalMode === 'client' && actor.kind !== 'client') || !approvesOwn(actor, client);
    if (post.status === 'scheduled' && contentChanged && approvalLapses) {
      patch.status = transition(post.status, 'revise');
      patch.approvedAt = null;
      patch.approvedBy = null;
    }
    if (!repos.posts.update(post.id, patch, post.version))
      throw new ConflictError('This post was changed by someone else since you opened it.');
    if (next.mediaIds.join() !== post.mediaIds.join()) repos.posts.setMedia(post.id, next.mediaIds);
    const labelsChanged =
      next.labels !== undefined &&
      [...new Set(next.labels)].sort().join() !== (repos.labels.ofPosts([post.id]).get(post.id) ?? []).sort().join();
    if (labelsChanged) repos.labels.setForPost(post.id, next.labels!);
    const changed = [
      contentChanged ? 'content' : null,
      next.scheduledAt !== undefined && next.scheduledAt !== post.scheduledAt ? 'time' : null,
      labelsChanged ? 'labels' : null,
    ].filter(Boolean);
    log(post.id, {
      step: 'edit',
      level: 'info',
      message:
        `Edited ${changed.join(' and ') || 'nothing'}${how}` +
        `${patch.status ? `; sent back ${client.approvalMode === 'client' ? 'to the client ' : ''}for approval` : ''}` +
        ` (${describeActor(actor)})`,
    });
    const after = repos.posts.get(post.id)!;
    if (patch.status) notice.postChanged(post, after, 'revise', actor);
    if (changed.length) audit(actor, kind, `Edited ${changed.join(' and ')}${how}`, was, after);
    return after;
  }

  /** Marks a post evergreen (or stops it) inside the caller's transaction, with a history line. */
  function setEvergreen(post: PostWithMedia, evergreen: Evergreen | null, actor: Actor): PostWithMedia {
    if (!repos.posts.update(post.id, { evergreen, updatedAt: clock.now() }, post.version))
      throw new ConflictError('This post was changed by someone else since you opened it.');
    log(post.id, {
      step: 'evergreen',
      level: 'info',
      message:
        `${evergreen ? `Evergreen: ${describeEvergreen(evergreen)}` : 'Evergreen stopped'} ` +
        `(${describeActor(actor)})`,
    });
    const after = repos.posts.get(post.id)!;
    audit(actor, 'post.update', evergreen ? 'Made evergreen' : 'Evergreen stopped', auditView(post), after);
    return after;
  }

  /**
   * Moves a post the caller loaded in this transaction to another time, the editor's checks
   * included: only a post that can still be edited moves, never to the past, and its approval
   * stands (only changed words need it again). Returns the moved post.
   */
  function moveLoaded(post: PostWithMedia, scheduledAt: number, actor: Actor, how: string): PostWithMedia {
    if (!EDITABLE_STATUSES.has(post.status))
      throw new ConflictError(`A ${humanStatus(post.status)} post cannot be moved.`, { status: post.status });
    if (scheduledAt < clock.now() - SCHEDULE_PAST_TOLERANCE_MS)
      throw new ValidationError({ scheduledAt: ['is in the past'] }, 'That time is in the past.');
    return applyEdit(post, { ...post, scheduledAt }, actor, how, 'post.reschedule');
  }

  /** Cancels a member left out of its group (inside the group's write). */
  function cancelMember(id: string, actor: Actor, reason: string): PostWithMedia {
    return applyEvent(id, 'cancel', { actor, message: `Cancelled: ${reason}` });
  }

  return {
    log,
    applyEvent,
    contentErrors,
    labelErrors,
    insertPost,
    applyEdit,
    cancelMember,
    moveLoaded,
    withLabels,

    get(id: string, scope: Scope = {}): PostView {
      return withLabels([load(id, scope)])[0]!;
    },

    list(query: Record<string, string | undefined>, limit: number, scope: Scope = {}): Page<PostView> {
      const filter = parseInput(postFilterSchema, query);
      if (scope.clientId && filter.clientId && filter.clientId !== scope.clientId)
        return { data: [], nextCursor: null };
      const page = repos.posts.list({
        clientId: scope.clientId ?? filter.clientId,
        clientIds: heldClients(scope, filter.clientId),
        accountId: filter.accountId,
        status: filter.status,
        from: parseWhen(filter.from) ?? undefined,
        to: parseWhen(filter.to) ?? undefined,
        labelIds: filter.labelId ? [filter.labelId] : undefined,
        groupId: filter.groupId,
        cursor: query.cursor,
        limit: Math.min(limit, MAX_PAGE_SIZE),
      });
      return { data: withLabels(page.data), nextCursor: page.nextCursor };
    },

    create(input: unknown, actor: Actor): PostView {
      const data = parseInput(createPostSchema, input);
      const account = repos.accounts.get(data.accountId);
      // An account of a client outside the caller's reach is no more there than one that never existed.
      if (!account || !seesClient(accessOf(actor), account.clientId))
        throw ValidationError.field('accountId', 'no such account');
      authorize(actor, 'content.write', account.clientId);
      const client = clientOf(account.clientId);
      if (client.status === 'archived')
        throw new ConflictError('This client is archived; restore it before adding posts.');
      const options = checkContent(account, data);
      checkLabels(data.labels);
      const post = database.immediate(() =>
        insertPost(account, client, { ...data, options, scheduledAt: parseWhen(data.scheduledAt) }, actor),
      );
      return view(post.id);
    },

    /**
     * Edits caption, media, time, surface, first comment or labels. A stale `version` or a post
     * already publishing is a conflict (labels alone may change on any post). On a member of a
     * group, the fields changed become its own: later edits of the group leave them alone.
     */
    update(id: string, input: unknown, actor: Actor, scope: Scope = {}): PostView {
      const data = parseInput(updatePostSchema, input);
      const post = database.immediate(() => {
        const post = loadFor(id, actor, scope);
        if (post.version !== data.version) {
          throw new ConflictError('This post was changed by someone else since you opened it.', {
            currentVersion: post.version,
            yourVersion: data.version,
          });
        }
        const { version: _version, labels, evergreen, ...rest } = data;
        const labelsOnly = Object.values(rest).every((v) => v === undefined);
        if (!labelsOnly && !EDITABLE_STATUSES.has(post.status))
          throw new ConflictError(`A ${humanStatus(post.status)} post cannot be edited.`, { status: post.status });
        if (evergreen !== undefined) {
          if (post.evergreenSourceId)
            throw ValidationError.field('evergreen', 'is set on the post this copy was made from');
          // Evergreen alone changes nothing that went out: a published post may take it.
          if (labelsOnly && labels === undefined) return setEvergreen(post, evergreen, actor);
        }
        if (labels) checkLabels(labels);
        const account = repos.accounts.get(post.accountId)!;
        const content: PostContent = {
          caption: data.caption ?? post.caption,
          mediaIds: data.mediaIds ?? post.mediaIds,
          options: data.options !== undefined ? data.options : post.options,
          surface: data.surface ?? post.surface,
          firstComment: data.firstComment ?? post.firstComment,
        };
        const options = labelsOnly ? post.options : checkContent(account, content);
        let groupOverrides: GroupOverrides | undefined;
        if (post.groupId) {
          const own = { ...post.groupOverrides };
          if (content.caption !== post.caption) own.caption = true;
          if (content.mediaIds.join() !== post.mediaIds.join()) own.mediaIds = true;
          if (content.firstComment !== post.firstComment) own.firstComment = true;
          groupOverrides = own;
        }
        const edited = applyEdit(
          post,
          {
            ...content,
            options,
            ...(data.scheduledAt !== undefined ? { scheduledAt: parseWhen(data.scheduledAt) } : {}),
            ...(groupOverrides ? { groupOverrides } : {}),
            ...(labels ? { labels } : {}),
          },
          actor,
        );
        return evergreen !== undefined ? setEvergreen(edited, evergreen, actor) : edited;
      });
      return view(post.id);
    },

    /**
     * Moves a post to another time (the calendar's drag and drop): the version the mover saw must
     * still be current, and `moveLoaded`'s checks apply.
     */
    reschedule(id: string, input: { version: number; scheduledAt: number }, actor: Actor, scope: Scope = {}): PostView {
      const post = database.immediate(() => {
        const post = loadFor(id, actor, scope);
        if (post.version !== input.version) {
          throw new ConflictError('This post was changed by someone else since the calendar was shown.', {
            currentVersion: post.version,
            yourVersion: input.version,
          });
        }
        return moveLoaded(post, input.scheduledAt, actor, ' (moved in the calendar)');
      });
      return view(post.id);
    },

    act(
      id: string,
      action: PostAction,
      actor: Actor,
      options: {
        comment?: string;
        scheduledAt?: string | null;
        scope?: Scope;
        /** The version the person saw: a post changed since is refused, not approved blind. */
        version?: number;
      } = {},
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
      const reviewing = action === 'approve' || action === 'reject';
      authorize(actor, reviewing ? 'post.approve' : 'content.write', load(id, scope).clientId);
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
                if (options.version !== undefined && post.version !== options.version)
                  throw new ConflictError('It changed after you opened the page; look at it again.');
                clientReviews(post);
                checkApprover(actor, post);
                if (post.scheduledAt === null || post.scheduledAt < now - SCHEDULE_PAST_TOLERANCE_MS) {
                  throw new ConflictError('Its time has passed; set a new time before approving it.');
                }
                checkContent(repos.accounts.get(post.accountId)!, post);
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
     * same slot stores nothing (returns null), whatever happened in between; nor does a slot where
     * the account has another post by now.
     */
    insertGenerated(input: {
      clientId: string;
      accountId: string;
      ruleId: string;
      slotKey: string;
      /** The rule slot's group (`<ruleId>|<slot ms>`) when the rule writes for several accounts. */
      groupSlotKey?: string | undefined;
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
        // Queued (or scheduled by hand) while the AI was writing: the time is that post's.
        if (repos.queue.isTaken(input.accountId, input.scheduledAt)) return null;
        const group = input.groupSlotKey
          ? repos.groups.ensureForSlot({
              id: newId('grp', now),
              clientId: input.clientId,
              ruleId: input.ruleId,
              slotKey: input.groupSlotKey,
              caption: '',
              firstComment: '',
              scheduledAt: input.scheduledAt,
              createdAt: now,
              updatedAt: now,
            })
          : null;
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
          groupId: group?.id ?? null,
          // The AI writes for each network on its own: the words and image are each member's.
          groupOverrides: group ? { caption: true, mediaIds: true } : null,
        });
        repos.posts.insert(row, input.mediaIds);
        // The rule files what it writes under its labels.
        repos.labels.setForPost(row.id, repos.labels.ofRule(input.ruleId));
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
        audit(actor, 'post.update', 'Rewritten by AI', auditView(post), after);
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
          authorize(actor, 'content.write', post.clientId);
          if (post.status !== 'unconfirmed')
            throw new ConflictError('Only an unconfirmed post can be marked published.');
        },
        patch: { publishedAt: clock.now(), permalink, lastError: null },
        // Nobody knows what the platform holds under it: its first comment is not sent after the fact.
        patchFor: (post) =>
          post.firstCommentStatus === 'waiting' || post.firstCommentStatus === 'due'
            ? { firstCommentStatus: 'skipped', firstCommentError: 'marked published by hand' }
            : {},
      });
    },

    /**
     * "Publish now": the post's time becomes now and it is approved (a draft, a post awaiting
     * approval, a rejected one), moved up (scheduled) or sent again (failed, missed).
     */
    publishNow(id: string, actor: Actor, scope: Scope = {}): PostWithMedia {
      const post = loadFor(id, actor, scope);
      const now = clock.now();
      if (post.status === 'scheduled') {
        return database.immediate(() => {
          const fresh = load(id, scope);
          if (fresh.status !== 'scheduled')
            throw new ConflictError(`A ${humanStatus(fresh.status)} post cannot be published now.`);
          repos.posts.update(id, { scheduledAt: now, updatedAt: now }, fresh.version);
          log(id, { step: 'publish_now', level: 'info', message: `Moved to now (${describeActor(actor)})` });
          const after = repos.posts.get(id)!;
          audit(actor, 'post.publish_now', 'Moved to now', auditView(fresh), after);
          return after;
        });
      }
      if (post.status === 'failed' || post.status === 'missed') return this.act(id, 'retry', actor, { scope });
      return applyEvent(id, 'approve', {
        actor,
        scope,
        message: 'Approved to publish now',
        audit: 'post.publish_now',
        guard: (p) => {
          checkApprover(actor, p);
          checkContent(repos.accounts.get(p.accountId)!, p);
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

import { sql } from 'drizzle-orm';
import {
  type AnySQLiteColumn,
  check,
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core';
import { FIRST_COMMENT_STATUSES, type GroupOverrides, SURFACES } from '../../domain/composer.js';
import { WAITING_REASONS } from '../../domain/post.js';
import { ATTEMPT_OUTCOMES } from '../../domain/post-status.js';
import { accounts } from './accounts.js';
import { clients } from './clients.js';
import { labels, postGroups } from './composer.js';
import { media } from './media.js';
import { rules } from './rules.js';

/**
 * The content pipeline, and the publishing queue: one row per (content, account). Status changes
 * go through domain/post-status.ts only. `version` guards concurrent edits.
 */
export const posts = sqliteTable(
  'posts',
  {
    id: text('id').primaryKey(),
    clientId: text('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    ruleId: text('rule_id').references(() => rules.id, { onDelete: 'set null' }),
    status: text('status', {
      enum: [
        'draft',
        'pending_approval',
        'scheduled',
        'publishing',
        'unconfirmed',
        'published',
        'failed',
        'missed',
        'rejected',
        'cancelled',
      ],
    }).notNull(),
    caption: text('caption').notNull().default(''),
    /**
     * The fields this post's platform declares beyond the caption (its descriptor's `postOptions`),
     * checked by the platform's schema when written; null when it has none or none were given.
     */
    options: text('options', { mode: 'json' }).$type<Record<string, unknown>>(),
    scheduledAt: integer('scheduled_at'),
    /**
     * When the engine should next look at this post: the slot, or a later retry after backoff. Set
     * exactly when the post is scheduled (domain `dueAtOf`, applied by posts-repo `update`; the
     * CHECK below refuses anything else).
     */
    dueAt: integer('due_at'),
    publishedAt: integer('published_at'),
    externalId: text('external_id'),
    permalink: text('permalink'),
    attempts: integer('attempts').notNull().default(0),
    /** Publish calls that reached the platform; a guard against ever sending a third time. */
    sends: integer('sends').notNull().default(0),
    lastError: text('last_error'),
    /** What the post waits for before it can go out (its words are in last_error); null when nothing. */
    waitingOn: text('waiting_on', { enum: WAITING_REASONS }),
    source: text('source', { enum: ['ai', 'manual'] })
      .notNull()
      .default('manual'),
    version: integer('version').notNull().default(1),
    /**
     * The team member who last wrote this post's words (created it or edited its content); null when Herald, the
     * client or a token from before teams did. An editor may not approve a post they wrote under admin approval.
     */
    authorId: text('author_id'),
    /** `<ruleId>|<accountId>|<slot ms>` for generated posts: one post per slot, however often generation runs. */
    slotKey: text('slot_key').unique(),
    aiPrompt: text('ai_prompt'),
    /** The topic a rule gave the AI for this post (results by topic). */
    topic: text('topic'),
    /** The caption as the AI wrote it, before people edited it (learning from their edits). */
    aiCaption: text('ai_caption'),
    /** The past posts given to the AI as examples of what worked (and what did not) when it wrote this one. */
    aiExamples: text('ai_examples', { mode: 'json' }).$type<{ good: string[]; poor: string[] }>(),
    aiModel: text('ai_model'),
    reviewComment: text('review_comment'),
    approvedAt: integer('approved_at'),
    approvedBy: text('approved_by'),
    currentAttemptId: text('current_attempt_id'),
    /** The post group it was composed in (one post per account of the group), or null. */
    groupId: text('group_id').references(() => postGroups.id, { onDelete: 'set null' }),
    /** Which of the group's shared fields this member keeps as its own (domain/composer.ts). */
    groupOverrides: text('group_overrides', { mode: 'json' }).$type<GroupOverrides>(),
    /** Where on the network it appears: feed, story or reel. Frozen once publishing starts. */
    surface: text('surface', { enum: SURFACES }).notNull().default('feed'),
    /** Published right after the post as its own step (docs/composer.md#first-comments); '' for none. */
    firstComment: text('first_comment').notNull().default(''),
    /** The comment's id on the platform, once it gave one. */
    firstCommentId: text('first_comment_id'),
    firstCommentStatus: text('first_comment_status', { enum: FIRST_COMMENT_STATUSES }).notNull().default('none'),
    /** Set, in its own fenced commit, just before the comment call leaves. */
    firstCommentSentAt: integer('first_comment_sent_at'),
    /** Comment calls that reached the platform: one resend at most, and only after a lookup found nothing. */
    firstCommentSends: integer('first_comment_sends').notNull().default(0),
    /** When a comment that met a passing refusal may be tried again. */
    firstCommentRetryAt: integer('first_comment_retry_at'),
    /** The platform's words when the comment failed or was skipped. */
    firstCommentError: text('first_comment_error'),
    /** Put in its account's queue (a posting time), so "Share next" and the queue view can move it. */
    queued: integer('queued', { mode: 'boolean' }).notNull().default(false),
    /**
     * A published post to bring back: `{everyWeeks, times?, until?, rewrite?}` (times: how many
     * copies at most; until: an ISO date after which none). Null when it is not evergreen.
     */
    evergreen: text('evergreen', { mode: 'json' }).$type<{
      everyWeeks: number;
      times?: number | null;
      until?: string | null;
      rewrite?: boolean;
    }>(),
    /** For a copy Herald made of an evergreen post: that post, and which copy this is (1, 2, …). */
    evergreenSourceId: text('evergreen_source_id').references((): AnySQLiteColumn => posts.id, {
      onDelete: 'set null',
    }),
    evergreenRound: integer('evergreen_round'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    // One copy per round of an evergreen post, however often the job runs or restarts.
    uniqueIndex('posts_evergreen_round_idx').on(t.evergreenSourceId, t.evergreenRound),
    check('posts_due_at_when_scheduled', sql`(${t.status} = 'scheduled') = (${t.dueAt} IS NOT NULL)`),
    check('posts_first_comment_status', sql`(${t.firstComment} = '') = (${t.firstCommentStatus} = 'none')`),
    // (status, due_at, id): the engine's "ready, oldest due first" reads its first few posts straight off this,
    // even when thousands fall due at the same instant (a burst), instead of sorting them all on every claim.
    index('posts_due_idx').on(t.status, t.dueAt, t.id),
    // (…, scheduled_at, id): the lists page through posts in (time, id) order straight off these.
    index('posts_status_scheduled_id_idx').on(t.status, t.scheduledAt, t.id),
    index('posts_client_scheduled_id_idx').on(t.clientId, t.scheduledAt, t.id),
    index('posts_account_scheduled_id_idx').on(t.accountId, t.scheduledAt, t.id),
    index('posts_scheduled_id_idx').on(t.scheduledAt, t.id),
    // A member's counts and lists by status, held to their clients (the dashboard of an editor or viewer).
    index('posts_status_client_scheduled_idx').on(t.status, t.clientId, t.scheduledAt),
    // A client's results over a period: its posts by publishing time.
    index('posts_client_published_idx').on(t.clientId, t.publishedAt),
    index('posts_group_idx').on(t.groupId),
    // The reconciler's scan for first comments still to send or settle.
    index('posts_comment_due_idx').on(t.firstCommentStatus, t.firstCommentRetryAt),
  ],
);

export const postMedia = sqliteTable(
  'post_media',
  {
    postId: text('post_id')
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    mediaId: text('media_id')
      .notNull()
      .references(() => media.id, { onDelete: 'restrict' }),
    position: integer('position').notNull(),
  },
  (t) => [primaryKey({ columns: [t.postId, t.position] }), index('post_media_media_idx').on(t.mediaId)],
);

/**
 * One publishing attempt of a post, append-only. `state` holds every external id the moment the
 * platform returns it (container id, publish_id, post id), so a crash can be resumed or checked.
 */
export const publishAttempts = sqliteTable(
  'publish_attempts',
  {
    id: text('id').primaryKey(),
    postId: text('post_id')
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    epoch: integer('epoch').notNull(),
    holder: text('holder').notNull(),
    step: text('step').notNull().default('claimed'),
    state: text('state', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    startedAt: integer('started_at').notNull(),
    /** Set, in its own commit, just before the publish call leaves: from here the outcome can be unknown. */
    sentAt: integer('sent_at'),
    finishedAt: integer('finished_at'),
    /** 'pending' while it runs, then the word of domain ATTEMPT_OUTCOMES that says how it ended. */
    outcome: text('outcome', { enum: ['pending', ...ATTEMPT_OUTCOMES] })
      .notNull()
      .default('pending'),
    error: text('error'),
  },
  (t) => [index('publish_attempts_post_idx').on(t.postId), index('publish_attempts_outcome_idx').on(t.outcome)],
);

/** The publishing history shown to admins: every attempt and step, without secrets. */
export const postLogs = sqliteTable(
  'post_logs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    postId: text('post_id')
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    attemptId: text('attempt_id'),
    step: text('step').notNull(),
    level: text('level', { enum: ['info', 'ok', 'warn', 'error'] }).notNull(),
    message: text('message').notNull(),
    code: text('code'),
    request: text('request'),
    durationMs: integer('duration_ms'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    index('post_logs_post_idx').on(t.postId, t.id),
    index('post_logs_created_idx').on(t.createdAt),
    index('post_logs_level_idx').on(t.level, t.createdAt),
  ],
);

/** The labels on a post (an agency's campaigns and content pillars). */
export const postLabels = sqliteTable(
  'post_labels',
  {
    postId: text('post_id')
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    labelId: text('label_id')
      .notNull()
      .references(() => labels.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.postId, t.labelId] }), index('post_labels_label_idx').on(t.labelId, t.postId)],
);

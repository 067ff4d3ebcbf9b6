// The words and facts of each event (src/domain/events.ts), built from the rows a change touched
// and written with emitEvent inside the caller's transaction. The emit sites stay one line each;
// what a person reads about a post, an account or a rule is decided here, in one place.
import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import type { AccountRow, PostRow, Repos, RuleRow } from '../db/repos/index.js';
import { describeActor, type Actor } from '../domain/actor.js';
import type { EventData, EventRecord, EventType } from '../domain/events.js';
import type { PostEvent } from '../domain/post-status.js';
import type { Clock } from '../lib/clock.js';
import { formatInZone } from '../lib/zoned-time.js';
import type { Networks } from '../platforms/registry.js';
import { emitEvent } from './events.js';

export interface NoticeDeps {
  readonly config: Pick<Config, 'publicUrl'>;
  readonly database: Database;
  readonly repos: Repos;
  readonly clock: Clock;
  readonly networks: Networks;
}

/** A post's unknown outcome is told to people once it has lasted this long. */
export const UNCONFIRMED_NOTICE_MS = 30 * 60_000;
/** The same reason for a rule writing nothing is told at most once a day. */
export const RULE_IDLE_REPEAT_MS = 24 * 3_600_000;

/** post_logs steps that mark an event already written for a post (no schema of their own). */
export const APPROVAL_REQUESTED_STEP = 'approval_requested';
export const UNCONFIRMED_NOTICE_STEP = 'unconfirmed_notice';

/** Why a rule can write nothing: a stable code (de-duplication, filters) and the words. */
export interface IdleReason {
  readonly code:
    | 'ai_not_configured'
    | 'ai_refused'
    | 'no_accounts'
    | 'accounts_need_reconnecting'
    | 'no_usable_account'
    | 'no_slots';
  readonly text: string;
}

function possessive(name: string): string {
  return name.endsWith('s') ? `${name}’` : `${name}’s`;
}

export function notices(deps: NoticeDeps) {
  const { repos, clock, networks } = deps;
  const base = deps.config.publicUrl.replace(/\/+$/, '');

  function emit(type: EventType, clientId: string | null, data: EventData): EventRecord {
    return emitEvent(deps, type, clientId, data);
  }

  /** The ids and names every post event carries. */
  function postFacts(post: PostRow) {
    const account = repos.accounts.get(post.accountId);
    const client = repos.clients.get(post.clientId);
    const platform = account?.platform ?? 'unknown';
    const label = account ? networks.label(account.platform) : 'network';
    const clientName = client?.name ?? 'a client';
    return {
      where: `${possessive(clientName)} ${label}`,
      facts: {
        postId: post.id,
        accountId: post.accountId,
        platform,
        accountName: account?.name ?? null,
        clientName,
        scheduledAt: post.scheduledAt === null ? null : new Date(post.scheduledAt).toISOString(),
        url: `${base}/posts/${post.id}`,
      },
    };
  }

  /** Each post's history line saying whose approval it waits for. */
  function logApprovalRequested(clientId: string, posts: readonly Pick<PostRow, 'id'>[]): void {
    const waitingFor = repos.clients.get(clientId)?.approvalMode === 'client' ? 'client' : 'admin';
    const now = clock.now();
    for (const post of posts) {
      repos.posts.insertLog({
        postId: post.id,
        attemptId: null,
        step: APPROVAL_REQUESTED_STEP,
        level: 'info',
        message: `Waiting for ${waitingFor === 'client' ? 'the client' : 'an admin'} to approve it`,
        code: null,
        request: null,
        durationMs: null,
        createdAt: now,
      });
    }
  }

  /**
   * One `approval.requested` event for posts now waiting, and their history lines (unless a caller
   * that writes in chunks has logged them already: `logged`).
   */
  function approvalRequested(
    clientId: string,
    posts: readonly Pick<PostRow, 'id' | 'scheduledAt'>[],
    options: { logged?: boolean } = {},
  ): EventRecord | null {
    if (posts.length === 0) return null;
    const client = repos.clients.get(clientId);
    const clientName = client?.name ?? 'a client';
    const waitingFor = client?.approvalMode === 'client' ? 'client' : 'admin';
    const times = posts.map((p) => p.scheduledAt).filter((t): t is number => t !== null);
    const first = times.length ? Math.min(...times) : null;
    const earliest = first === null ? null : new Date(first).toISOString();
    const zone = client?.timezone ?? 'UTC';
    const count = posts.length;
    const what = count === 1 ? '1 post is' : `${count} posts are`;
    const pipeline = `${base}/pipeline?${new URLSearchParams({ clientId, status: 'pending_approval' })}`;
    if (!options.logged) logApprovalRequested(clientId, posts);
    return emit('approval.requested', clientId, {
      title:
        waitingFor === 'client'
          ? `${what} waiting for ${possessive(clientName)} approval`
          : `${what} waiting for an admin to approve ${count === 1 ? 'it' : 'them'} for ${clientName}`,
      text:
        (first !== null ? `The first is due ${formatInZone(first, zone)} (${zone}); ` : '') +
        'a post not approved by its time is not published.',
      url: pipeline,
      reviewUrl: waitingFor === 'client' ? `${base}/portal/posts` : pipeline,
      clientName,
      count,
      postIds: posts.map((p) => p.id),
      waitingFor,
      earliestScheduledAt: earliest,
    });
  }

  return {
    approvalRequested,
    logApprovalRequested,

    /** A published post's first comment failed for good (inside the transaction that marks it). */
    firstCommentFailed(post: PostRow, message: string): void {
      const { where, facts } = postFacts(post);
      emit('post.first_comment_failed', post.clientId, {
        ...facts,
        title: `First comment failed on ${where}`,
        text: `The post is published; its first comment was not added: ${message}`,
        permalink: post.permalink,
        message,
      });
    },

    /**
     * After a post's status changed (inside the same transaction): the events the change means.
     * `before` is the post as it was, `after` as it is now.
     */
    postChanged(before: PostRow, after: PostRow, event: PostEvent, actor: Actor | null, comment?: string | null): void {
      if (before.status === after.status && event !== 'reject') return;
      const { where, facts } = postFacts(after);
      const reviewer = actor ? describeActor(actor) : null;
      if (after.status === 'published') {
        emit('post.published', after.clientId, {
          ...facts,
          title: `Post published on ${where}`,
          text: after.permalink ? `It is live at ${after.permalink}.` : 'It is live on the network.',
          permalink: after.permalink,
          externalId: after.externalId,
          publishedAt: after.publishedAt === null ? null : new Date(after.publishedAt).toISOString(),
        });
      } else if (after.status === 'failed') {
        const error = after.lastError ?? 'The network refused it.';
        emit('post.failed', after.clientId, {
          ...facts,
          title: `Post failed on ${where}`,
          text: `${error} Open the post to fix it and send it again.`,
          error,
        });
      } else if (after.status === 'missed') {
        const error = after.lastError ?? 'Its time passed before it could be published.';
        emit('post.missed', after.clientId, {
          ...facts,
          title: `Post missed on ${where}`,
          text: error,
          error,
        });
      } else if (after.status === 'pending_approval') {
        approvalRequested(after.clientId, [after]);
      }
      if (event === 'reject') {
        const said = comment ? `: “${comment}”` : ' without a comment';
        emit('post.rejected', after.clientId, {
          ...facts,
          title: `Post for ${where} rejected by ${reviewer ?? 'a reviewer'}`,
          text: `Rejected${said}. Edit or regenerate it and send it for approval again.`,
          comment: comment ?? null,
          reviewer,
        });
      }
      if (event === 'reject' || (event === 'approve' && before.status !== 'draft')) {
        const decision = event === 'reject' ? 'rejected' : 'approved';
        emit('approval.decided', after.clientId, {
          ...facts,
          title: `Post for ${where} ${decision} by ${reviewer ?? 'a reviewer'}`,
          text:
            decision === 'approved'
              ? 'It will be published at its time.'
              : `It will not be published${comment ? `: “${comment}”` : '.'}`,
          decision,
          comment: comment ?? null,
          reviewer,
        });
      }
    },

    /** Still unknown long after the send: people should look at the network. */
    postUnconfirmed(post: PostRow): void {
      const { where, facts } = postFacts(post);
      const minutes = Math.round((clock.now() - post.updatedAt) / 60_000);
      repos.posts.insertLog({
        postId: post.id,
        attemptId: post.currentAttemptId,
        step: UNCONFIRMED_NOTICE_STEP,
        level: 'warn',
        message: `Still unconfirmed after ${minutes} minutes; the admins were told`,
        code: null,
        request: null,
        durationMs: null,
        createdAt: clock.now(),
      });
      emit('post.unconfirmed', post.clientId, {
        ...facts,
        title: `Post outcome unknown on ${where}`,
        text:
          `Herald sent it ${minutes} minutes ago and ${facts.accountName ?? 'the account'} has not confirmed it. ` +
          'Check the network before retrying it, or mark it published.',
        error: post.lastError,
      });
    },

    accountConnected(account: AccountRow, reconnected: boolean): void {
      const client = repos.clients.get(account.clientId);
      const clientName = client?.name ?? 'a client';
      const label = networks.label(account.platform);
      const verb = reconnected ? 'reconnected' : 'connected';
      emit('account.connected', account.clientId, {
        title: `${possessive(clientName)} ${label} account ${account.name} ${verb}`,
        text: reconnected ? 'Posts that waited for it can go out again.' : 'Herald can publish to it now.',
        url: `${base}/clients/${account.clientId}`,
        accountId: account.id,
        platform: account.platform,
        accountName: account.name,
        clientName,
        reconnected,
      });
    },

    /** Once per change to needs_reauth (the caller checks the account was not already marked). */
    accountNeedsReauth(account: AccountRow, reason: string): void {
      const client = repos.clients.get(account.clientId);
      const clientName = client?.name ?? 'a client';
      const label = networks.label(account.platform);
      const waiting = repos.posts.idsOfAccountIn(account.id, [
        'publishing',
        'scheduled',
        'pending_approval',
        'draft',
      ]).length;
      emit('account.needs_reauth', account.clientId, {
        title: `${possessive(clientName)} ${label} account ${account.name} needs reconnecting`,
        text:
          `${reason} ` +
          (waiting ? `Its ${waiting === 1 ? 'post waits' : `${waiting} posts wait`} until it is reconnected. ` : '') +
          'Reconnect it from the client portal.',
        url: `${base}/clients/${account.clientId}`,
        accountId: account.id,
        platform: account.platform,
        accountName: account.name,
        clientName,
        error: reason,
        waitingPosts: waiting,
      });
    },

    /** At most once per rule and reason a day; returns whether an event was written. */
    ruleIdle(rule: Pick<RuleRow, 'id' | 'name' | 'clientId'>, reason: IdleReason): boolean {
      const now = clock.now();
      const last = repos.events.lastWith('rule.idle', 'ruleId', rule.id);
      if (last && last.data.reasonCode === reason.code && now - last.createdAt < RULE_IDLE_REPEAT_MS) return false;
      const clientName = repos.clients.get(rule.clientId)?.name ?? 'a client';
      emit('rule.idle', rule.clientId, {
        title: `Rule “${rule.name}” for ${clientName} writes nothing`,
        text: reason.text,
        url: `${base}/rules/${rule.id}/edit`,
        ruleId: rule.id,
        ruleName: rule.name,
        clientName,
        reason: reason.text,
        reasonCode: reason.code,
      });
      return true;
    },

    backupFailed(error: string, automatic: boolean): void {
      emit('backup.failed', null, {
        title: `${automatic ? 'The nightly backup' : 'A backup'} failed`,
        text: `${error} Check the free space and permissions of the backup folder, then run a backup from System.`,
        url: `${base}/system`,
        error,
        automatic,
      });
    },

    /** Once per failure that has lasted 5 minutes; a recovery re-arms it (src/replication/replicator.ts). */
    replicationFailing(error: string, since: number, replicaUrl: string): void {
      emit('replication.failing', null, {
        title: 'Database replication has been failing for 5 minutes',
        text:
          `Litestream cannot bring the replica ${replicaUrl} up to date: ${error} ` +
          'Changes made since then exist only on this machine. Check the replica’s credentials, network and space.',
        url: `${base}/system`,
        error,
        replicaUrl,
        failingSince: new Date(since).toISOString(),
      });
    },
  };
}
export type Notices = ReturnType<typeof notices>;

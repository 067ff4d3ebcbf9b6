import { ConflictError } from './errors.js';

export const POST_STATUSES = [
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
] as const;
export type PostStatus = (typeof POST_STATUSES)[number];

/**
 * How a publishing attempt ended, in one word. The same word is the event that moves the post on
 * (the transition table below), the outcome stored on the attempt and the `outcome` label of
 * herald_publish_outcomes_total, so a log, a row and a graph always name a happening alike.
 */
export const ATTEMPT_OUTCOMES = [
  'published', // the platform confirmed the post
  'failed', // the platform refused it, or retries ran out
  'deferred', // nothing left the building: try again at a later time
  'unconfirmed', // the send left but its outcome is unknown
  'abandoned', // the process running it stopped (or lost its lease) before sending
  'absent', // the reconciler proved the send never landed: it may be sent again
] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

/**
 * What can happen to a post. The first group are people's actions (API, pages, portal); then
 * the engine's own, and the outcomes of its attempts.
 */
export type PostEvent =
  | 'submit' // ask for approval
  | 'approve' // approved: will publish at its time
  | 'reject'
  | 'revise' // content changed after approval under client approval: ask again
  | 'cancel'
  | 'retry' // an admin sends a failed / missed / checked-unconfirmed post again
  | 'claim' // the engine takes a due post
  | 'miss' // its time passed while nothing could publish it
  | AttemptOutcome;

const TRANSITIONS: Record<PostStatus, Partial<Record<PostEvent, PostStatus>>> = {
  draft: { submit: 'pending_approval', approve: 'scheduled', cancel: 'cancelled' },
  pending_approval: { approve: 'scheduled', reject: 'rejected', cancel: 'cancelled', miss: 'missed' },
  scheduled: {
    claim: 'publishing',
    reject: 'rejected',
    revise: 'pending_approval',
    cancel: 'cancelled',
    miss: 'missed',
  },
  publishing: {
    published: 'published',
    failed: 'failed',
    unconfirmed: 'unconfirmed',
    deferred: 'scheduled',
    abandoned: 'scheduled',
  },
  unconfirmed: {
    published: 'published',
    failed: 'failed',
    absent: 'scheduled',
    retry: 'scheduled',
    cancel: 'cancelled',
  },
  published: {},
  failed: { retry: 'scheduled', cancel: 'cancelled' },
  missed: { retry: 'scheduled', cancel: 'cancelled' },
  rejected: { submit: 'pending_approval', approve: 'scheduled', cancel: 'cancelled' },
  cancelled: {},
};

/**
 * When the engine should next look at a post: only a scheduled post is ever due, at an explicit
 * retry time when there is one, else at its slot. The posts table holds the same rule in a CHECK.
 */
export function dueAtOf(status: PostStatus, scheduledAt: number | null, retryAt?: number | null): number | null {
  return status === 'scheduled' ? (retryAt ?? scheduledAt) : null;
}

/** Statuses whose caption, media and time may still be changed. */
export const EDITABLE_STATUSES: ReadonlySet<PostStatus> = new Set([
  'draft',
  'pending_approval',
  'scheduled',
  'failed',
  'missed',
  'rejected',
]);

/** Statuses that can still reach a platform; archiving a client cancels these. */
export const UNPUBLISHED_STATUSES: readonly PostStatus[] = [
  'draft',
  'pending_approval',
  'scheduled',
  'failed',
  'missed',
  'rejected',
];

export function nextStatus(from: PostStatus, event: PostEvent): PostStatus | null {
  return TRANSITIONS[from][event] ?? null;
}

export function canTransition(from: PostStatus, event: PostEvent): boolean {
  return nextStatus(from, event) !== null;
}

/** A status (or an account status) in words: "pending approval", "needs reauth". */
export function humanStatus(status: string): string {
  return status.replace(/_/g, ' ');
}

/** The status after `event`, or a ConflictError naming why the change is not allowed. */
export function transition(from: PostStatus, event: PostEvent): PostStatus {
  const to = nextStatus(from, event);
  if (!to)
    throw new ConflictError(`A ${humanStatus(from)} post cannot be ${PAST_TENSE[event]}.`, {
      status: from,
      action: event,
    });
  return to;
}

/** The events people may trigger for a post in this status (the pages show these as buttons). */
export function availableActions(from: PostStatus): Array<'approve' | 'reject' | 'cancel' | 'retry' | 'submit'> {
  return (['submit', 'approve', 'reject', 'cancel', 'retry'] as const).filter((e) => canTransition(from, e));
}

const PAST_TENSE: Record<PostEvent, string> = {
  submit: 'sent for approval',
  approve: 'approved',
  reject: 'rejected',
  revise: 'sent back for approval',
  cancel: 'cancelled',
  retry: 'retried',
  claim: 'claimed for publishing',
  miss: 'marked missed',
  published: 'marked published',
  failed: 'marked failed',
  deferred: 'deferred',
  unconfirmed: 'marked unconfirmed',
  abandoned: 'put back after its process stopped',
  absent: 'rescheduled after reconciliation',
};

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
 * What can happen to a post. The first group are people's actions (API, pages, portal); the
 * second are the engine's and the reconciler's.
 */
export type PostEvent =
  | 'submit' // ask for approval
  | 'approve' // approved: will publish at its time
  | 'reject'
  | 'revise' // content changed after approval under client approval: ask again
  | 'cancel'
  | 'retry' // an admin sends a failed / missed / checked-unconfirmed post again
  | 'claim' // the engine takes a due post
  | 'succeed' // the platform confirmed the post
  | 'fail' // the platform refused it, or retries ran out
  | 'lose' // the send left but its outcome is unknown
  | 'defer' // an error before the send: try again later
  | 'miss' // its time passed while nothing could publish it
  | 'absent'; // the reconciler proved it was not published: it may be sent again

const TRANSITIONS: Record<PostStatus, Partial<Record<PostEvent, PostStatus>>> = {
  draft: { submit: 'pending_approval', approve: 'scheduled', cancel: 'cancelled' },
  pending_approval: { approve: 'scheduled', reject: 'rejected', cancel: 'cancelled', miss: 'missed' },
  scheduled: { claim: 'publishing', reject: 'rejected', revise: 'pending_approval', cancel: 'cancelled', miss: 'missed' },
  publishing: { succeed: 'published', fail: 'failed', lose: 'unconfirmed', defer: 'scheduled' },
  unconfirmed: { succeed: 'published', fail: 'failed', absent: 'scheduled', retry: 'scheduled', cancel: 'cancelled' },
  published: {},
  failed: { retry: 'scheduled', cancel: 'cancelled' },
  missed: { retry: 'scheduled', cancel: 'cancelled' },
  rejected: { submit: 'pending_approval', approve: 'scheduled', cancel: 'cancelled' },
  cancelled: {},
};

/** Statuses whose caption, media and time may still be changed. */
export const EDITABLE_STATUSES: ReadonlySet<PostStatus> = new Set(['draft', 'pending_approval', 'scheduled', 'failed', 'missed', 'rejected']);

/** Statuses that can still reach a platform; archiving a client cancels these. */
export const UNPUBLISHED_STATUSES: readonly PostStatus[] = ['draft', 'pending_approval', 'scheduled', 'failed', 'missed', 'rejected'];

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
  if (!to) throw new ConflictError(`A ${humanStatus(from)} post cannot be ${PAST_TENSE[event]}.`, { status: from, action: event });
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
  succeed: 'marked published',
  fail: 'marked failed',
  lose: 'marked unconfirmed',
  defer: 'deferred',
  miss: 'marked missed',
  absent: 'rescheduled after reconciliation',
};

// The things Herald tells people about. Each is written to the events table (the outbox) in the
// same transaction as the change that causes it; delivery to email, chat and webhooks happens
// later, at least once, from the leader (docs/notifications.md).

/** How an admin hears about one type of event by email. */
export const EMAIL_MODES = ['immediate', 'digest', 'off'] as const;
export type EmailMode = (typeof EMAIL_MODES)[number];

interface EventTypeInfo {
  /** A short name for settings pages and filters. */
  readonly label: string;
  /** What it means, in a sentence (README, settings page, API docs). */
  readonly meaning: string;
  /** How an admin hears about it by email until they choose otherwise. */
  readonly adminEmail: EmailMode;
}

/**
 * Every event type, in the order people read them. Failures, broken accounts and unknown outcomes
 * are mailed at once by default; the rest waits for the daily digest.
 */
export const EVENT_CATALOG = {
  'post.published': {
    label: 'Post published',
    meaning: 'A post went out; the payload has its link on the network.',
    adminEmail: 'digest',
  },
  'post.failed': {
    label: 'Post failed',
    meaning: 'A post could not be published and needs a person (the network refused it or retries ran out).',
    adminEmail: 'immediate',
  },
  'post.first_comment_failed': {
    label: 'First comment failed',
    meaning: 'A post went out but its first comment could not be added; the post itself stays published.',
    adminEmail: 'immediate',
  },
  'post.missed': {
    label: 'Post missed',
    meaning: 'A post’s time passed without it going out (Herald was down, or it was still awaiting approval).',
    adminEmail: 'immediate',
  },
  'post.unconfirmed': {
    label: 'Post outcome unknown',
    meaning: 'A send’s outcome is still unknown 30 minutes later; check the network before retrying.',
    adminEmail: 'immediate',
  },
  'post.rejected': {
    label: 'Post rejected',
    meaning: 'A reviewer rejected a post; the payload has their comment.',
    adminEmail: 'digest',
  },
  'approval.requested': {
    label: 'Approval requested',
    meaning: 'Posts are now waiting for the client’s or an admin’s approval.',
    adminEmail: 'digest',
  },
  'approval.decided': {
    label: 'Approval decided',
    meaning: 'A reviewer approved or rejected a post.',
    adminEmail: 'digest',
  },
  'account.connected': {
    label: 'Account connected',
    meaning: 'A social account was connected (or reconnected) for a client.',
    adminEmail: 'digest',
  },
  'account.needs_reauth': {
    label: 'Account needs reconnecting',
    meaning: 'A network no longer accepts an account’s token; its posts wait until someone reconnects it.',
    adminEmail: 'immediate',
  },
  'rule.idle': {
    label: 'Rule writes nothing',
    meaning: 'A content rule could not write its posts; the payload says why.',
    adminEmail: 'digest',
  },
  'backup.failed': {
    label: 'Backup failed',
    meaning: 'The nightly backup could not be written.',
    adminEmail: 'immediate',
  },
  'replication.failing': {
    label: 'Replication failing',
    meaning: 'Litestream has not been able to update the database replica for 5 minutes (told once per failure).',
    adminEmail: 'immediate',
  },
  'job.failed': {
    label: 'Job failed',
    meaning: 'A scheduled job ended with an error.',
    adminEmail: 'digest',
  },
  'channel.paused': {
    label: 'Notification channel paused',
    meaning: 'A webhook or chat channel kept failing and was paused; nothing is sent to it until it is resumed.',
    adminEmail: 'immediate',
  },
  'report.monthly': {
    label: 'Monthly report',
    meaning:
      'A client’s results for the previous calendar month, sent to its contacts on its report day ' +
      '(the payload has the month and its headline numbers).',
    adminEmail: 'off',
  },
  'member.invited': {
    label: 'Teammate invited',
    meaning: 'Someone was invited to join the team; the invitation with its link is mailed to them alone.',
    adminEmail: 'off',
  },
  'notification.test': {
    label: 'Test notification',
    meaning: 'Sent by “Send a test”; only to the channel it was sent from.',
    adminEmail: 'off',
  },
} as const satisfies Record<string, EventTypeInfo>;

export type EventType = keyof typeof EVENT_CATALOG;
export const EVENT_TYPES = Object.keys(EVENT_CATALOG) as EventType[];

/**
 * Types addressed to one recipient only, never fanned out to channels or admins: a test goes to the channel that
 * asked, an invitation (its link is a credential) to the person invited.
 */
const ADDRESSED_TYPES: ReadonlySet<EventType> = new Set(['notification.test', 'member.invited']);

export function isAddressedOnly(type: EventType): boolean {
  return ADDRESSED_TYPES.has(type);
}

/** The types a person can subscribe to. */
export const SUBSCRIBABLE_EVENT_TYPES = EVENT_TYPES.filter((type) => !ADDRESSED_TYPES.has(type));

export function isEventType(value: string): value is EventType {
  return Object.hasOwn(EVENT_CATALOG, value);
}

/**
 * What every event carries for the people who read it. `title` is the one line a chat message or
 * an email subject shows; `text` the sentence or two after it; `url` the Herald page to open.
 * The rest are the ids and facts of the type (postId, accountId, platform, error, comment…).
 */
export interface EventData {
  readonly title: string;
  readonly text?: string;
  readonly url?: string;
  readonly [key: string]: unknown;
}

/** An event as the API lists it and as a webhook's body carries it. */
export interface EventRecord {
  readonly id: string;
  readonly type: EventType;
  readonly clientId: string | null;
  readonly createdAt: string;
  readonly data: EventData;
}

/** Whether a subscription with `filter` (empty: every type) wants `type`. */
export function wantsEvent(filter: readonly string[], type: EventType): boolean {
  if (ADDRESSED_TYPES.has(type)) return false;
  return filter.length === 0 || filter.includes(type);
}

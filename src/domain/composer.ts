// The composer's vocabulary: where on a network a post appears, how its first comment stands, and
// what a member of a post group keeps as its own. Pure data, shared by the schema, the services,
// the platforms and the pages.

/** Where on its network a post appears: the feed (the default), a Story, or a Reel. */
export const SURFACES = ['feed', 'story', 'reel'] as const;
export type Surface = (typeof SURFACES)[number];

/**
 * A post's first comment, as its own step after the post is published (docs/composer.md):
 * - none: the post has no first comment.
 * - waiting: it has one; the post is not published yet.
 * - due: the post is published; the comment is still to be sent.
 * - sent: the comment call left (fenced like a publish call); its outcome may be unknown.
 * - posted: the platform gave the comment's id (`first_comment_id`).
 * - failed: the platform refused it, or it could not be confirmed after its one resend.
 * - skipped: it will not be sent (the post was marked published by hand, or the account lacks the permission).
 * The post's own status never depends on it: a failed comment leaves the post published.
 */
export const FIRST_COMMENT_STATUSES = ['none', 'waiting', 'due', 'sent', 'posted', 'failed', 'skipped'] as const;

/**
 * The fields a member of a post group keeps as its own; the others follow the group's shared
 * values when the group is edited. Absent or false: the member follows the group.
 */
export interface GroupOverrides {
  readonly caption?: boolean;
  readonly mediaIds?: boolean;
  readonly firstComment?: boolean;
}

/**
 * What a snippet is for: the AI reads hashtag sets as standard hashtags, signatures and calls to
 * action as sign-offs.
 */
export const SNIPPET_KINDS = ['hashtags', 'signature', 'cta', 'other'] as const;

/** A label's colour: `#` and six lower-case hex digits (the database CHECK says the same). */
export const LABEL_COLOR = /^#[0-9a-f]{6}$/;

/** The colours the label form offers; any other `#rrggbb` is accepted too. */
export const LABEL_PALETTE = [
  '#e03131',
  '#f08c00',
  '#f5c400',
  '#2f9e44',
  '#0c8599',
  '#1971c2',
  '#6741d9',
  '#c2255c',
  '#868e96',
  '#343a40',
] as const;

/** A surface named in a form or query; anything unknown is the feed. */
export function surfaceOf(value: string): Surface {
  return (SURFACES as readonly string[]).includes(value) ? (value as Surface) : 'feed';
}

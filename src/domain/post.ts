import { z } from 'zod';
import { SURFACES } from './composer.js';
import { evergreenSchema } from './evergreen.js';
import { POST_STATUSES } from './post-status.js';

export const isoInstant = z.iso.datetime({
  offset: true,
  message: 'must be an ISO-8601 date-time with a zone, e.g. 2026-03-29T08:00:00Z',
});

/** The fields the account's platform declares (its descriptor's `postOptions`), checked by its own schema. */
export const postOptionsInput = z
  .record(z.string(), z.unknown(), { message: 'must be an object' })
  .nullable()
  .optional();

export const mediaIdsInput = z.array(z.string().min(1)).max(35, 'at most 35 media');

/** Each network checks its own length (networks.checkFirstComment); this only bounds the request. */
export const firstCommentInput = z.string().max(10_000, 'is too long');

/** Label ids (labels are the agency's: GET /labels). */
export const labelsInput = z.array(z.string().min(1)).max(50, 'at most 50 labels');

export const surfaceInput = z.enum(SURFACES, { message: `must be one of ${SURFACES.join(', ')}` });

export const createPostSchema = z
  .object({
    accountId: z.string().min(1, 'is required'),
    caption: z.string().max(70_000, 'is too long').default(''),
    mediaIds: mediaIdsInput.default([]),
    scheduledAt: isoInstant.nullable().optional(),
    status: z.enum(['draft', 'scheduled'], { message: 'must be draft or scheduled' }).default('draft'),
    options: postOptionsInput,
    surface: surfaceInput.default('feed'),
    firstComment: firstCommentInput.default(''),
    labels: labelsInput.default([]),
  })
  .strict();

export const updatePostSchema = z
  .object({
    caption: z.string().max(70_000, 'is too long').optional(),
    mediaIds: mediaIdsInput.optional(),
    scheduledAt: isoInstant.nullable().optional(),
    options: postOptionsInput,
    surface: surfaceInput.optional(),
    firstComment: firstCommentInput.optional(),
    labels: labelsInput.optional(),
    /** Bring a published post back every few weeks (docs/planning.md#evergreen); null stops it. */
    evergreen: evergreenSchema.optional(),
    version: z.number({ message: 'is required: send the version you read' }).int('must be a whole number'),
  })
  .strict();

export const postFilterSchema = z.object({
  clientId: z.string().optional(),
  accountId: z.string().optional(),
  status: z
    .string()
    .optional()
    .transform((v) =>
      v
        ? v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : undefined,
    )
    .pipe(z.array(z.enum(POST_STATUSES, { message: `must be one of ${POST_STATUSES.join(', ')}` })).optional()),
  from: isoInstant.optional(),
  to: isoInstant.optional(),
  labelId: z.string().min(1).optional(),
  groupId: z.string().min(1).optional(),
});

/** How far in the past a "scheduled" time may be and still be accepted (a "publish now" click). */
export const SCHEDULE_PAST_TOLERANCE_MS = 5 * 60_000;

/** Why a post cannot go out until someone acts on its account: machine state, kept in its own column. */
export const WAITING_REASONS = ['account_reauth', 'account_disabled'] as const;
export type WaitingOn = (typeof WAITING_REASONS)[number];

/**
 * What posts to an account wait for, with the note people read, or null when they can go out.
 * The note is only ever shown: reconnecting clears posts by `on`, never by parsing the words.
 */
export function waitingOf(account: { name: string; status: string; lastError: string | null }): {
  on: WaitingOn;
  note: string;
} | null {
  if (account.status === 'needs_reauth') {
    const why = account.lastError ?? 'the platform no longer accepts its access';
    return { on: 'account_reauth', note: `Waiting: reconnect ${account.name} (${why})` };
  }
  if (account.status === 'disabled') {
    return { on: 'account_disabled', note: `Waiting: publishing to ${account.name} is switched off` };
  }
  return null;
}

/**
 * Whether a post this actor schedules must be approved before it can go out: under client
 * approval, by the client (unless the client scheduled it); under admin approval, by an admin when
 * Herald itself made it (an evergreen copy, a feed's draft put in the queue), as the AI's posts are.
 * A person (or their API token) scheduling their own post under admin approval approves it by doing so.
 */
export function approvalNeeded(mode: 'none' | 'admin' | 'client', actor: { readonly kind: string }): boolean {
  if (mode === 'client') return actor.kind !== 'client';
  if (mode === 'admin') return actor.kind === 'system';
  return false;
}

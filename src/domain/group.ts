// A post group's input (docs/composer.md#post-groups): one idea for several of a client's accounts.
// The API body, the group editor's form and the services all read these schemas.
import { z } from 'zod';
import { firstCommentInput, isoInstant, labelsInput, mediaIdsInput, postOptionsInput, surfaceInput } from './post.js';

/** How many accounts one group may span. */
export const MAX_GROUP_MEMBERS = 20;

const captionInput = z.string().max(70_000, 'is too long');

/**
 * One account of the group. A field given (even '' or []) is the member's own (an override); null
 * hands it back to the group's shared value; absent keeps what it was (on creation: the shared value).
 */
const memberFields = {
  accountId: z.string().min(1, 'is required'),
  caption: captionInput.nullable().optional(),
  mediaIds: mediaIdsInput.nullable().optional(),
  firstComment: firstCommentInput.nullable().optional(),
  options: postOptionsInput,
};

export const createGroupSchema = z
  .object({
    clientId: z.string().min(1, 'is required'),
    caption: captionInput.default(''),
    mediaIds: mediaIdsInput.default([]),
    scheduledAt: isoInstant.nullable().optional(),
    status: z.enum(['draft', 'scheduled'], { message: 'must be draft or scheduled' }).default('draft'),
    firstComment: firstCommentInput.default(''),
    labels: labelsInput.default([]),
    members: z
      .array(z.object({ ...memberFields, surface: surfaceInput.default('feed') }).strict())
      .min(1, 'needs at least one account')
      .max(MAX_GROUP_MEMBERS, `at most ${MAX_GROUP_MEMBERS} accounts`),
  })
  .strict();

export const updateGroupSchema = z
  .object({
    caption: captionInput.optional(),
    mediaIds: mediaIdsInput.optional(),
    scheduledAt: isoInstant.nullable().optional(),
    firstComment: firstCommentInput.optional(),
    labels: labelsInput.optional(),
    /** The group's accounts from now on: an account left out has its unpublished member cancelled. */
    members: z
      .array(
        z
          .object({
            ...memberFields,
            surface: surfaceInput.optional(),
            /** The member post, when the caller knows it (else it is found by account). */
            postId: z.string().min(1).optional(),
            /** The member's version as the caller read it: a stale one is a conflict naming the member. */
            version: z.number().int('must be a whole number').optional(),
          })
          .strict(),
      )
      .min(1, 'needs at least one account')
      .max(MAX_GROUP_MEMBERS, `at most ${MAX_GROUP_MEMBERS} accounts`)
      .optional(),
    version: z.number({ message: 'is required: send the version you read' }).int('must be a whole number'),
  })
  .strict();

export type CreateGroupInput = z.output<typeof createGroupSchema>;

import { z } from 'zod';
import { isValidTimeZone } from './validation.js';

export const RULE_MEDIA = ['none', 'image'] as const;

const ruleFields = {
  name: z.string().trim().min(1, 'is required').max(200, 'must be at most 200 characters'),
  accountIds: z.array(z.string().min(1)).max(50, 'at most 50 accounts'),
  cron: z.string().trim().min(1, 'is required').max(200, 'is too long'),
  timezone: z.string().trim().refine(isValidTimeZone, 'must be an IANA time zone such as Europe/Berlin').nullable(),
  topics: z
    .array(z.string().trim().min(1, 'must not be empty').max(300, 'must be at most 300 characters'))
    .max(50, 'at most 50 topics'),
  tone: z.string().max(500, 'must be at most 500 characters'),
  instructions: z.string().max(4000, 'must be at most 4000 characters'),
  media: z.enum(RULE_MEDIA, { message: 'must be none or image' }),
  horizonDays: z
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(60, 'must be at most 60'),
  active: z.boolean({ message: 'must be true or false' }),
  /** Label ids put on every post the rule writes. */
  labels: z.array(z.string().min(1)).max(20, 'at most 20 labels'),
};

export const createRuleSchema = z
  .object({
    ...ruleFields,
    accountIds: ruleFields.accountIds.default([]),
    timezone: ruleFields.timezone.default(null),
    topics: ruleFields.topics.default([]),
    tone: ruleFields.tone.default(''),
    instructions: ruleFields.instructions.default(''),
    media: ruleFields.media.default('none'),
    horizonDays: ruleFields.horizonDays.default(7),
    active: ruleFields.active.default(true),
    labels: ruleFields.labels.default([]),
  })
  .strict();

export const updateRuleSchema = z.object(ruleFields).partial().strict();

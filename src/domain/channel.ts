import { z } from 'zod';
import { SUBSCRIBABLE_EVENT_TYPES } from './events.js';

export const CHANNEL_KIND_LABELS = {
  webhook: 'Webhook (signed)',
  slack: 'Slack',
  discord: 'Discord',
  teams: 'Microsoft Teams',
} as const;
export type ChannelKindName = keyof typeof CHANNEL_KIND_LABELS;

const eventList = z
  .array(z.enum(SUBSCRIBABLE_EVENT_TYPES as [string, ...string[]], { message: 'is not an event type' }))
  .max(SUBSCRIBABLE_EVENT_TYPES.length)
  .transform((list) => [...new Set(list)]);

/** A Standard Webhooks secret: `whsec_` and the base64 of 24 to 64 random bytes. */
export const WEBHOOK_SECRET = /^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/;

const fields = {
  name: z.string().trim().min(1, 'is required').max(100, 'is at most 100 characters'),
  url: z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
    .trim()
    .min(1, 'is required')
    .max(2000, 'is at most 2000 characters'),
  events: eventList,
  clientId: z.string().max(64).nullable(),
};

export const createChannelSchema = z.object({
  kind: z.enum(['webhook', 'slack', 'discord', 'teams'], { message: 'must be webhook, slack, discord or teams' }),
  name: fields.name.optional(),
  url: fields.url,
  events: fields.events.default([]),
  clientId: fields.clientId.default(null),
  /** Webhooks only: a secret of one's own (otherwise one is made). */
  secret: z.string().trim().regex(WEBHOOK_SECRET, 'must look like whsec_ followed by base64').optional(),
});

export const updateChannelSchema = z.object({
  name: fields.name.optional(),
  url: fields.url.optional(),
  events: fields.events.optional(),
  clientId: fields.clientId.optional(),
  /** true resumes a paused channel (what it missed is sent then); false pauses it. */
  active: z.boolean().optional(),
});

// A status's own fields (docs/platforms/mastodon.md#publishing): content warning, visibility, language.
import { z } from 'zod';
import type { PostOptions } from '../network.js';

export const mastodonPostOptions: PostOptions = {
  fields: [
    {
      name: 'spoilerText',
      label: 'Content warning',
      kind: 'text',
      help: 'Shown instead of the post until a reader opens it; leave empty for none.',
    },
    {
      name: 'visibility',
      label: 'Visibility',
      kind: 'select',
      choices: [
        ['', 'The account’s default'],
        ['public', 'Public'],
        ['unlisted', 'Quiet public (not in public timelines)'],
        ['private', 'Followers only'],
      ],
    },
    { name: 'language', label: 'Language', kind: 'text', help: 'Two letters (ISO 639-1), like en or de.' },
  ],
  schema: z
    .object({
      spoilerText: z.string().max(500).optional(),
      visibility: z.enum(['public', 'unlisted', 'private']).optional(),
      language: z
        .string()
        .regex(/^[a-z]{2}$/, 'Two lowercase letters, like en.')
        .optional(),
    })
    .strict(),
};

export interface MastodonOptions {
  readonly spoilerText?: string;
  readonly visibility?: 'public' | 'unlisted' | 'private';
  readonly language?: string;
}

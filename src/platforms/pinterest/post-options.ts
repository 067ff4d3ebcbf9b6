// A pin's own fields as the post editor and the API carry them (docs/platforms/pinterest.md#pins):
// its title, destination link, and the board it goes to when not the account's default board.
import { z } from 'zod';
import type { PostOptions } from '../network.js';
import { PINTEREST_LIMITS } from './limits.js';

/** An empty input is "not set". */
const text = (max: number) =>
  z
    .string({ message: 'must be text' })
    .trim()
    .max(max, `must be at most ${max} characters`)
    .transform((v) => v || undefined)
    .optional();

const schema = z
  .object({
    title: text(PINTEREST_LIMITS.title),
    link: text(PINTEREST_LIMITS.link).refine(
      (v) => v === undefined || /^https?:\/\/\S+$/i.test(v),
      'must be a web address (https://…)',
    ),
    // Board ids are digits only (https://developers.pinterest.com/docs/api/v5/pins-create).
    boardId: text(40).refine((v) => v === undefined || /^\d+$/.test(v), 'must be a board id (digits only)'),
  })
  .strict();

export type PinterestOptions = z.output<typeof schema>;

export const PINTEREST_POST_OPTIONS: PostOptions = {
  schema,
  fields: [
    { name: 'title', label: 'Pin title', kind: 'text', help: `At most ${PINTEREST_LIMITS.title} characters.` },
    { name: 'link', label: 'Destination link', kind: 'url', help: 'Where the pin leads when clicked.' },
    {
      name: 'boardId',
      label: 'Board (id)',
      kind: 'text',
      help: 'Leave empty for the account’s default board; the boards and their ids are listed on the client page.',
    },
  ],
};

/** The stored options, or {} when they no longer parse. */
export function pinOptions(stored: Readonly<Record<string, unknown>>): PinterestOptions {
  const parsed = schema.safeParse(stored);
  return parsed.success ? parsed.data : {};
}

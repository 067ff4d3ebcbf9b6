// A pin's own fields as the post editor and the API carry them (docs/platforms/pinterest.md#pins):
// its title, destination link, and the board it goes to when not the account's default board.
import { z } from 'zod';
import type { AccountSetting, PostOptions } from '../network.js';
import { storedBoards } from './connector.js';
import { PINTEREST_LIMITS } from './limits.js';

/** A board as a select choice: its name, and its privacy when not public. */
function boardChoices(platformData: Readonly<Record<string, unknown>>): Array<readonly [string, string]> {
  return storedBoards(platformData).map((b) => [
    b.id,
    b.privacy === 'PUBLIC' ? b.name : `${b.name} (${b.privacy.toLowerCase()})`,
  ]);
}

/**
 * The account's default board, chosen on the client page; until one is chosen, the first board
 * Pinterest listed (docs/platforms/pinterest.md#boards).
 */
export const PINTEREST_ACCOUNT_SETTINGS: readonly AccountSetting[] = [
  {
    key: 'defaultBoardId',
    label: 'Default board',
    hint: 'Pins go here unless a post names another board. Boards are read when the account is connected.',
    choices: boardChoices,
  },
];

/** The board a pin goes to when its post names none: the chosen default while it still exists, else the first. */
export function defaultBoard(platformData: Readonly<Record<string, unknown>>): string | undefined {
  const boards = storedBoards(platformData);
  const chosen = platformData.defaultBoardId;
  return boards.find((b) => b.id === chosen)?.id ?? boards[0]?.id;
}

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
      label: 'Board',
      kind: 'select',
      choices: [['', 'The account’s default board']],
      accountChoices: boardChoices,
      help: 'The default board is chosen beside the account on the client page.',
    },
  ],
};

/** The stored options, or {} when they no longer parse. */
export function pinOptions(stored: Readonly<Record<string, unknown>>): PinterestOptions {
  const parsed = schema.safeParse(stored);
  return parsed.success ? parsed.data : {};
}

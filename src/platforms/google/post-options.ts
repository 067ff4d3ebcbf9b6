// A Business Profile post's own fields as the post editor and the API carry them (flat, one per
// input), and their mapping onto LocalPostDetails (docs/platforms/google-business.md#local-posts).
import { z } from 'zod';
import type { FieldErrors } from '../../domain/errors.js';
import type { MediaFacts } from '../../domain/platform-limits.js';
import type { PostOptions } from '../network.js';
import {
  ACTION_TYPES,
  checkLocalPost,
  GOOGLE_BUSINESS_LIMITS,
  TOPIC_TYPES,
  type LocalDateTime,
  type LocalPostDetails,
} from './local-post.js';

/** An empty input is "not set". */
const text = (max: number) =>
  z
    .string({ message: 'must be text' })
    .trim()
    .max(max, `must be at most ${max} characters`)
    .transform((v) => v || undefined)
    .optional();

/** The location's wall clock, as a datetime-local input sends it; Google has no time zone field. */
const localDateTime = z
  .string({ message: 'must be a date and time' })
  .trim()
  .refine((v) => v === '' || /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(v), 'must be a date and time (YYYY-MM-DDTHH:MM)')
  .transform((v) => v || undefined)
  .optional();

const schema = z
  .object({
    topicType: z.enum(TOPIC_TYPES, { message: `must be one of ${TOPIC_TYPES.join(', ')}` }).default('STANDARD'),
    buttonType: z
      .union([z.literal(''), z.enum(ACTION_TYPES)], { message: `must be one of ${ACTION_TYPES.join(', ')}` })
      .transform((v) => v || undefined)
      .optional(),
    buttonUrl: text(2_000),
    eventTitle: text(200),
    eventStart: localDateTime,
    eventEnd: localDateTime,
    offerCoupon: text(200),
    offerUrl: text(2_000),
    offerTerms: text(5_000),
  })
  .strict();

export type GoogleBusinessOptions = z.output<typeof schema>;

export const GOOGLE_BUSINESS_POST_OPTIONS: PostOptions = {
  schema,
  fields: [
    {
      name: 'topicType',
      label: 'Kind of post',
      kind: 'select',
      choices: [
        ['STANDARD', 'Update'],
        ['EVENT', 'Event'],
        ['OFFER', 'Offer'],
      ],
      help: 'Events and offers need a title and a start and end; they show until the end.',
    },
    {
      name: 'buttonType',
      label: 'Button',
      kind: 'select',
      choices: [
        ['', 'No button'],
        ['LEARN_MORE', 'Learn more'],
        ['BOOK', 'Book'],
        ['ORDER', 'Order online'],
        ['SHOP', 'Buy'],
        ['SIGN_UP', 'Sign up'],
        ['CALL', 'Call now (the profile’s phone number)'],
      ],
      help: 'Updates and events only; an offer links through its offer link.',
    },
    { name: 'buttonUrl', label: 'Button link', kind: 'url', help: 'Every button but "Call now" needs one.' },
    {
      name: 'eventTitle',
      label: 'Event or offer title',
      kind: 'text',
      help: `At most ${GOOGLE_BUSINESS_LIMITS.eventTitle} characters.`,
    },
    { name: 'eventStart', label: 'Starts', kind: 'datetime', help: 'The location’s local time.' },
    { name: 'eventEnd', label: 'Ends', kind: 'datetime' },
    { name: 'offerCoupon', label: 'Coupon code', kind: 'text' },
    { name: 'offerUrl', label: 'Offer link', kind: 'url' },
    { name: 'offerTerms', label: 'Offer terms', kind: 'text' },
  ],
};

function split(value: string | undefined): LocalDateTime {
  const [date = '', time = ''] = (value ?? '').split('T');
  return { date, time };
}

/**
 * The stored options (parsed by the schema above; {} for a post without any) as LocalPostDetails;
 * null when they no longer parse (never guessed: an event must not go out as an update).
 */
export function detailsOf(stored: Readonly<Record<string, unknown>>): LocalPostDetails | null {
  const parsed = schema.safeParse(stored);
  if (!parsed.success) return null;
  const o: GoogleBusinessOptions = parsed.data;
  const dated = o.topicType !== 'STANDARD';
  const eventGiven = Boolean(o.eventTitle || o.eventStart || o.eventEnd);
  const offerGiven = Boolean(o.offerCoupon || o.offerUrl || o.offerTerms);
  return {
    topicType: o.topicType,
    callToAction: o.buttonType ? { actionType: o.buttonType, url: o.buttonUrl ?? null } : null,
    event:
      dated || eventGiven ? { title: o.eventTitle ?? '', start: split(o.eventStart), end: split(o.eventEnd) } : null,
    offer: offerGiven
      ? {
          couponCode: o.offerCoupon ?? null,
          redeemOnlineUrl: o.offerUrl ?? null,
          termsConditions: o.offerTerms ?? null,
        }
      : null,
  };
}

/** checkLocalPost's fields → the post's fields (caption, mediaIds, options.<name>). */
const FIELD: Readonly<Record<string, string>> = {
  summary: 'caption',
  media: 'mediaIds',
  topicType: 'options.topicType',
  callToAction: 'options.buttonType',
  'callToAction.url': 'options.buttonUrl',
  event: 'options.eventTitle',
  'event.title': 'options.eventTitle',
  'event.start': 'options.eventStart',
  'event.end': 'options.eventEnd',
  offer: 'options.offerCoupon',
  'offer.redeemOnlineUrl': 'options.offerUrl',
};

/** The check made when a post is written: what Google would refuse, as field errors. */
export function checkGoogleBusinessPost(
  caption: string,
  media: readonly MediaFacts[],
  options: Readonly<Record<string, unknown>>,
): FieldErrors | null {
  const details = detailsOf(options);
  if (!details) return { options: ['The Business Profile fields of this post are not valid; enter them again.'] };
  const problems = checkLocalPost({ summary: caption, media, details });
  if (problems.length === 0) return null;
  const errors: FieldErrors = {};
  for (const p of problems) (errors[FIELD[p.field] ?? 'options'] ??= []).push(p.message);
  return errors;
}

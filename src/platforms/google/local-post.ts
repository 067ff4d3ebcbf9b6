// A Business Profile local post as Herald writes it: the details beyond the caption (topic type,
// button, event, offer), the checks made when the post is written, and the LocalPost body
// (docs/platforms/google-business.md#local-posts).

const MiB = 1024 * 1024;

/**
 * Button actions Google documents; GET_OFFER is deprecated and left out
 * (docs/platforms/google-business.md#call-to-action).
 */
export const ACTION_TYPES = ['BOOK', 'ORDER', 'SHOP', 'LEARN_MORE', 'SIGN_UP', 'CALL'] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

export const TOPIC_TYPES = ['STANDARD', 'EVENT', 'OFFER'] as const;
export type TopicType = (typeof TOPIC_TYPES)[number];

/** The limits a local post is checked against when written, as data for the editor. */
export const GOOGLE_BUSINESS_LIMITS = {
  /** Characters of `summary`; Google enforces it though its current pages do not state it. */
  summary: 1_500,
  /** Characters of `event.title`. */
  eventTitle: 58,
  /** One photo per post is what Google shows. */
  maxPhotos: 1,
  photoMimes: ['image/jpeg', 'image/png'],
  photoMinBytes: 10 * 1024,
  photoMaxBytes: 5 * MiB,
  photoMinSide: 250,
  /** Posts take photos only; a video is refused by Google with an internal error. */
  videos: false,
  actionTypes: ACTION_TYPES,
  topicTypes: TOPIC_TYPES,
} as const;

/**
 * How Herald's writer and image generator should shape a Business Profile post: people read it on
 * the business's panel in Search and Maps, beside the opening hours; links belong in the button, and
 * phone numbers in the text are against Google's policy (docs/platforms/google-business.md#local-posts).
 */
export const GOOGLE_BUSINESS_STYLE = {
  habit:
    'Google Business Profile update: plain, local and concrete (what, when, where), 1–2 short paragraphs, ' +
    'the key line first, no hashtags, no phone numbers, no links in the text (the button carries the link).',
  /** Google documents no ratio for post photos; a square is safe (docs/platforms/google-business.md#open-questions). */
  imageAspect: '1:1',
  hashtags: false,
} as const;

/** A wall-clock date and time at the location ("2026-12-24", "18:30"); Google has no time zone field. */
export interface LocalDateTime {
  readonly date: string;
  readonly time: string;
}

export interface LocalPostDetails {
  readonly topicType: TopicType;
  readonly languageCode?: string;
  readonly callToAction?: { readonly actionType: ActionType; readonly url?: string | null } | null;
  readonly event?: { readonly title: string; readonly start: LocalDateTime; readonly end: LocalDateTime } | null;
  readonly offer?: {
    readonly couponCode?: string | null;
    readonly redeemOnlineUrl?: string | null;
    readonly termsConditions?: string | null;
  } | null;
}

export interface LocalPostMedia {
  readonly mime: string;
  readonly size: number;
  readonly width: number | null;
  readonly height: number | null;
}

export interface LocalPostProblem {
  readonly field: string;
  readonly message: string;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{2}):(\d{2})$/;

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

function validDateTime(v: LocalDateTime): boolean {
  const d = DATE.exec(v.date);
  const t = TIME.exec(v.time);
  if (!d || !t) return false;
  const [y, m, day] = [Number(d[1]), Number(d[2]), Number(d[3])];
  const probe = new Date(Date.UTC(y, m - 1, day));
  return probe.getUTCMonth() === m - 1 && probe.getUTCDate() === day && Number(t[1]) < 24 && Number(t[2]) < 60;
}

/**
 * What Google would refuse, found before sending: the rules of LocalPost, CallToAction, LocalPostEvent
 * and LocalPostOffer (docs/platforms/google-business.md#local-posts). Empty when the post can go.
 */
export function checkLocalPost(post: {
  readonly summary: string;
  readonly media: readonly LocalPostMedia[];
  readonly details: LocalPostDetails;
}): LocalPostProblem[] {
  const L = GOOGLE_BUSINESS_LIMITS;
  const problems: LocalPostProblem[] = [];
  const add = (field: string, message: string) => problems.push({ field, message });
  const { details } = post;
  const length = [...post.summary].length;
  if (length > L.summary) add('summary', `Google takes at most ${L.summary} characters; this has ${length}.`);
  if (!(TOPIC_TYPES as readonly string[]).includes(details.topicType))
    add('topicType', 'A Business Profile post is an update, an event or an offer.');
  if (details.topicType === 'STANDARD' && !post.summary.trim() && post.media.length === 0)
    add('summary', 'An update needs text or a photo.');

  if (post.media.length > L.maxPhotos) add('media', `Google shows ${L.maxPhotos} photo per post.`);
  for (const m of post.media) {
    if (!(L.photoMimes as readonly string[]).includes(m.mime)) {
      add('media', 'Business Profile posts take a JPEG or PNG photo (no video).');
      continue;
    }
    if (m.size < L.photoMinBytes || m.size > L.photoMaxBytes) add('media', 'The photo must be between 10 KB and 5 MB.');
    if (m.width !== null && m.height !== null && Math.min(m.width, m.height) < L.photoMinSide)
      add('media', `The photo must be at least ${L.photoMinSide} × ${L.photoMinSide} pixels.`);
  }

  const cta = details.callToAction;
  if (cta) {
    if (details.topicType === 'OFFER') add('callToAction', 'An offer has no button; use the offer link instead.');
    else if (!(ACTION_TYPES as readonly string[]).includes(cta.actionType))
      add('callToAction', `The button must be one of ${ACTION_TYPES.join(', ')}.`);
    else if (cta.actionType === 'CALL') {
      if (cta.url) add('callToAction.url', 'A "Call" button dials the phone number on the profile and takes no link.');
    } else if (!cta.url || !isHttpUrl(cta.url)) add('callToAction.url', 'The button needs a web link (https://…).');
  }

  if (details.topicType === 'EVENT' || details.topicType === 'OFFER') {
    const ev = details.event;
    if (!ev) add('event', 'Events and offers need a title and a start and end date and time.');
    else {
      const title = [...ev.title.trim()].length;
      if (title === 0) add('event.title', 'The title is required.');
      if (title > L.eventTitle)
        add('event.title', `Google takes at most ${L.eventTitle} characters; this has ${title}.`);
      const okStart = validDateTime(ev.start);
      const okEnd = validDateTime(ev.end);
      if (!okStart) add('event.start', 'The start needs a date (YYYY-MM-DD) and a time (HH:MM).');
      if (!okEnd) add('event.end', 'The end needs a date (YYYY-MM-DD) and a time (HH:MM).');
      if (okStart && okEnd && `${ev.end.date}T${ev.end.time}` < `${ev.start.date}T${ev.start.time}`)
        add('event.end', 'The end is before the start.');
    }
  } else if (details.event) add('event', 'Only events and offers have a title and dates.');

  if (details.offer) {
    if (details.topicType !== 'OFFER') add('offer', 'Coupon codes and terms belong to offers only.');
    if (details.offer.redeemOnlineUrl && !isHttpUrl(details.offer.redeemOnlineUrl))
      add('offer.redeemOnlineUrl', 'The offer link must be a web link (https://…).');
  }
  return problems;
}

function date(value: string): { year: number; month: number; day: number } {
  const [, y, m, d] = DATE.exec(value)!;
  return { year: Number(y), month: Number(m), day: Number(d) };
}

function time(value: string): { hours: number; minutes: number; seconds: number; nanos: number } {
  const [, h, m] = TIME.exec(value)!;
  return { hours: Number(h), minutes: Number(m), seconds: 0, nanos: 0 };
}

/** The LocalPost body for `localPosts.create`; `photoUrl` is the public URL Google fetches. */
export function localPostBody(summary: string, details: LocalPostDetails, photoUrl: string | null): unknown {
  const body: Record<string, unknown> = {
    languageCode: details.languageCode ?? 'en',
    summary,
    topicType: details.topicType,
  };
  const cta = details.callToAction;
  if (cta && details.topicType !== 'OFFER')
    body.callToAction =
      cta.actionType === 'CALL' ? { actionType: 'CALL' } : { actionType: cta.actionType, url: cta.url };
  if (details.event && details.topicType !== 'STANDARD') {
    const ev = details.event;
    body.event = {
      title: ev.title.trim(),
      schedule: {
        startDate: date(ev.start.date),
        startTime: time(ev.start.time),
        endDate: date(ev.end.date),
        endTime: time(ev.end.time),
      },
    };
  }
  if (details.offer && details.topicType === 'OFFER') {
    const offer: Record<string, string> = {};
    if (details.offer.couponCode) offer.couponCode = details.offer.couponCode;
    if (details.offer.redeemOnlineUrl) offer.redeemOnlineUrl = details.offer.redeemOnlineUrl;
    if (details.offer.termsConditions) offer.termsConditions = details.offer.termsConditions;
    body.offer = offer;
  }
  if (photoUrl) body.media = [{ mediaFormat: 'PHOTO', sourceUrl: photoUrl }];
  return body;
}

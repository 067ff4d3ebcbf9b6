import { z } from 'zod';
import { isValidTimeZone } from './validation.js';

export const CLIENT_STATUSES = ['invited', 'active', 'paused', 'archived'] as const;
export type ClientStatus = (typeof CLIENT_STATUSES)[number];
export const APPROVAL_MODES = ['none', 'admin', 'client'] as const;
export type ApprovalMode = (typeof APPROVAL_MODES)[number];
export const TIKTOK_PRIVACY_LEVELS = [
  'PUBLIC_TO_EVERYONE',
  'MUTUAL_FOLLOW_FRIENDS',
  'FOLLOWER_OF_CREATOR',
  'SELF_ONLY',
] as const;

export const APPROVAL_MODE_LABELS: Record<ApprovalMode, string> = {
  none: 'No approval: posts are scheduled as soon as they are written',
  admin: 'An admin approves each post',
  client: 'The client approves each post in their portal',
};

const timezone = z.string().trim().refine(isValidTimeZone, 'must be an IANA time zone such as Europe/Berlin');
const text = (max: number) => z.string().max(max, `must be at most ${max} characters`);

/** The most contact addresses a client may have (each approval batch is one mail per address). */
export const MAX_CONTACT_EMAILS = 20;

const contactEmail = z.string().trim().toLowerCase().email('must be an email address').max(254, 'is too long');

/** Who hears about approvals and reconnects: valid addresses, lower-cased, each once. */
const contactEmails = z
  .array(contactEmail, { message: 'must be a list of email addresses' })
  .transform((list) => [...new Set(list)])
  .refine((list) => list.length <= MAX_CONTACT_EMAILS, `must be at most ${MAX_CONTACT_EMAILS} addresses`);

const REPORT_DAY = 'must be a day of the month from 1 to 28, or empty for no monthly report';

const clientFields = {
  name: z.string().trim().min(1, 'is required').max(200, 'must be at most 200 characters'),
  timezone,
  brandVoice: text(4000),
  audience: text(4000),
  language: z
    .string()
    .trim()
    .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a language tag such as en, de or pt-BR'),
  approvalMode: z.enum(APPROVAL_MODES, { message: 'must be none, admin or client' }),
  tiktokPrivacy: z
    .enum(TIKTOK_PRIVACY_LEVELS, { message: `must be one of ${TIKTOK_PRIVACY_LEVELS.join(', ')}` })
    .nullable(),
  contactEmails,
  /** The day of the month (1–28, so every month has it) the monthly report goes to the contacts; null: none. */
  reportDay: z.number({ message: REPORT_DAY }).int(REPORT_DAY).min(1, REPORT_DAY).max(28, REPORT_DAY).nullable(),
};

export const createClientSchema = z
  .object({
    ...clientFields,
    brandVoice: clientFields.brandVoice.default(''),
    audience: clientFields.audience.default(''),
    language: clientFields.language.default('en'),
    approvalMode: clientFields.approvalMode.default('admin'),
    tiktokPrivacy: clientFields.tiktokPrivacy.default(null),
    contactEmails: clientFields.contactEmails.default([]),
    reportDay: clientFields.reportDay.default(null),
  })
  .strict();

export const updateClientSchema = z
  .object({
    ...clientFields,
    status: z.enum(CLIENT_STATUSES, { message: 'must be invited, active, paused or archived' }),
  })
  .partial()
  .strict();

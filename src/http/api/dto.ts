// JSON shapes of the public API (README.md#json-api): camelCase, instants as ISO-8601 UTC strings.
// Tokens and other secrets are never part of any of them.
import type {
  AccountRow,
  ClientRow,
  JobRunRow,
  MediaRow,
  PostLogRow,
  PostWithMedia,
  RuleWithAccounts,
} from '../../db/repos/index.js';
import type { GroupView } from '../../services/groups-service.js';

export const iso = (ms: number | null | undefined): string | null =>
  ms === null || ms === undefined ? null : new Date(ms).toISOString();

export function clientDto(c: ClientRow) {
  return {
    id: c.id,
    name: c.name,
    status: c.status,
    timezone: c.timezone,
    brandVoice: c.brandVoice,
    audience: c.audience,
    language: c.language,
    approvalMode: c.approvalMode,
    tiktokPrivacy: c.tiktokPrivacy,
    contactEmails: c.contactEmails,
    reportDay: c.reportDay,
    createdAt: iso(c.createdAt),
    updatedAt: iso(c.updatedAt),
  };
}

export function accountDto(a: AccountRow) {
  return {
    id: a.id,
    clientId: a.clientId,
    platform: a.platform,
    externalId: a.externalId,
    name: a.name,
    username: a.username,
    status: a.status,
    tokenExpiresAt: iso(a.tokenExpiresAt),
    lastRefreshedAt: iso(a.lastRefreshedAt),
    lastError: a.lastError,
    pausedUntil: iso(a.pausedUntil),
    postingTimes: a.postingTimes,
    createdAt: iso(a.createdAt),
  };
}

export function ruleDto(r: RuleWithAccounts) {
  return {
    id: r.id,
    clientId: r.clientId,
    name: r.name,
    accountIds: r.accountIds,
    cron: r.cron,
    timezone: r.timezone,
    topics: r.topics,
    tone: r.tone,
    instructions: r.instructions,
    media: r.media,
    horizonDays: r.horizonDays,
    active: r.active,
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
  };
}

/** A post; `labels` are its label ids (the services add them; [] when not given). */
export function postDto(p: PostWithMedia & { readonly labels?: readonly string[] }) {
  return {
    id: p.id,
    clientId: p.clientId,
    accountId: p.accountId,
    ruleId: p.ruleId,
    status: p.status,
    caption: p.caption,
    options: p.options,
    mediaIds: p.mediaIds,
    scheduledAt: iso(p.scheduledAt),
    publishedAt: iso(p.publishedAt),
    externalId: p.externalId,
    permalink: p.permalink,
    attempts: p.attempts,
    lastError: p.lastError,
    source: p.source,
    version: p.version,
    reviewComment: p.reviewComment,
    aiModel: p.aiModel,
    groupId: p.groupId,
    surface: p.surface,
    firstComment: p.firstComment,
    firstCommentId: p.firstCommentId,
    firstCommentStatus: p.firstCommentStatus,
    firstCommentError: p.firstCommentError,
    labels: p.labels ?? [],
    queued: p.queued,
    evergreen: p.evergreen,
    evergreenSourceId: p.evergreenSourceId,
    evergreenRound: p.evergreenRound,
    createdAt: iso(p.createdAt),
    updatedAt: iso(p.updatedAt),
  };
}

/** A post group: its shared values and its member posts (docs/composer.md#api). */
export function groupDto(v: GroupView) {
  return {
    id: v.group.id,
    clientId: v.group.clientId,
    version: v.group.version,
    caption: v.group.caption,
    mediaIds: v.mediaIds,
    firstComment: v.group.firstComment,
    scheduledAt: iso(v.group.scheduledAt),
    labels: v.labels,
    source: v.group.source,
    ruleId: v.group.ruleId,
    posts: v.posts.map(postDto),
    createdAt: iso(v.group.createdAt),
    updatedAt: iso(v.group.updatedAt),
  };
}

export function postLogDto(l: PostLogRow) {
  return {
    id: l.id,
    postId: l.postId,
    attemptId: l.attemptId,
    step: l.step,
    level: l.level,
    message: l.message,
    code: l.code,
    request: l.request,
    durationMs: l.durationMs,
    createdAt: iso(l.createdAt),
  };
}

export function mediaDto(m: MediaRow, url: string) {
  return {
    id: m.id,
    clientId: m.clientId,
    url,
    mime: m.mime,
    size: m.size,
    width: m.width,
    height: m.height,
    durationMs: m.durationMs,
    altText: m.altText,
    createdAt: iso(m.createdAt),
  };
}

export function jobRunDto(r: JobRunRow) {
  return {
    id: r.id,
    job: r.job,
    trigger: r.trigger,
    status: r.status,
    requestedAt: iso(r.requestedAt),
    startedAt: iso(r.startedAt),
    finishedAt: iso(r.finishedAt),
    durationMs: r.durationMs,
    counts: r.counts,
    error: r.error,
  };
}

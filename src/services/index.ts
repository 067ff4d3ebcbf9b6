import type { GroqWriter } from '../ai/text.js';
import { accountsService } from './accounts-service.js';
import { apiTokensService } from './api-tokens-service.js';
import { avatarsService } from './avatars-service.js';
import { authService } from './auth-service.js';
import { auditTrailService } from './audit-trail-service.js';
import { backupsService } from './backups-service.js';
import { clientsService } from './clients-service.js';
import { emailPrefsService } from './email-prefs-service.js';
import { eventsService } from './events.js';
import { feedsService } from './feeds-service.js';
import { groupsService } from './groups-service.js';
import { importsService } from './imports-service.js';
import type { ServiceDeps } from './deps.js';
import { labelsService } from './labels-service.js';
import { learningService } from './learning-service.js';
import { linkPreviewService } from './link-preview-service.js';
import { mediaService } from './media-service.js';
import { membersService } from './members-service.js';
import { notifyChannelsService } from './notify-channels-service.js';
import { oauthService } from './oauth-service.js';
import { passkeysService } from './passkeys-service.js';
import { postsExportService } from './posts-export-service.js';
import { postsService } from './posts-service.js';
import { queueService } from './queue-service.js';
import { resultsExportService } from './results-export-service.js';
import { resultsService } from './results-service.js';
import { rulesService } from './rules-service.js';
import { sessionsService } from './sessions-service.js';
import { settingsService } from './settings-service.js';
import { snippetsService } from './snippets-service.js';
import { ssoService } from './sso-service.js';
import { twoFactorService } from './two-factor-service.js';

/** Builds every use-case over one set of dependencies (called by main.ts and the test harness). */
export function createServices(deps: ServiceDeps, ai: { writer?: GroqWriter | null } = {}) {
  const learning = learningService(deps);
  const posts = postsService(deps, learning);
  const auth = authService(deps);
  const members = membersService(deps, auth);
  const results = resultsService(deps);

  const groups = groupsService(deps, posts);
  const media = mediaService(deps);
  const queue = queueService(deps, posts);
  return {
    posts,
    groups,
    clients: clientsService(deps, posts),
    accounts: accountsService(deps),
    avatars: avatarsService(deps),
    rules: rulesService(deps),
    media,
    auth,
    members,
    sso: ssoService(deps, auth, members),
    passkeys: passkeysService(deps, auth),
    twoFactor: twoFactorService(deps, auth),
    sessions: sessionsService(deps),
    apiTokens: apiTokensService(deps),
    backups: backupsService(deps),
    settings: settingsService(deps),
    oauth: oauthService(deps),
    events: eventsService(deps),
    channels: notifyChannelsService(deps),
    results,
    resultsExport: resultsExportService(deps, results),
    postsExport: postsExportService(deps),
    learning,
    emailPrefs: emailPrefsService(deps),
    labels: labelsService(deps),
    snippets: snippetsService(deps),
    feeds: feedsService(deps, { posts, groups, media, writer: ai.writer ?? null, place: queue.place }),

    linkPreviews: linkPreviewService(deps),
    queue,
    imports: importsService(deps, posts, media, queue),
    audit: auditTrailService(deps),
  };
}
export type Services = ReturnType<typeof createServices>;

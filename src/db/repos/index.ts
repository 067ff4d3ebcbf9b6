import type { Database } from '../client.js';
import { accountsRepo } from './accounts-repo.js';
import { auditRepo } from './audit-repo.js';
import { authRepo } from './auth-repo.js';
import { collectionRepo, exportRepo } from './collection-repo.js';
import { clientsRepo } from './clients-repo.js';
import { eventsRepo } from './events-repo.js';
import { feedsRepo } from './feeds-repo.js';
import { groupListsRepo } from './group-lists-repo.js';
import { groupsRepo } from './groups-repo.js';
import { importsRepo } from './imports-repo.js';
import { labelsRepo } from './labels-repo.js';
import { learningRepo } from './learning-repo.js';
import { linkPreviewsRepo } from './link-previews-repo.js';
import { mediaRepo } from './media-repo.js';
import { membersRepo } from './members-repo.js';
import { metricsRepo } from './metrics-repo.js';
import { notifyRepo } from './notify-repo.js';
import { oauthRepo } from './oauth-repo.js';
import { passkeysRepo } from './passkeys-repo.js';
import { postLogsExportRepo } from './post-logs-export-repo.js';
import { postsRepo } from './posts-repo.js';
import { publishingRepo } from './publishing-repo.js';
import { queueRepo } from './queue-repo.js';
import { resultsRepo } from './results-repo.js';
import { rulesRepo } from './rules-repo.js';
import { snippetsRepo } from './snippets-repo.js';
import { systemRepo } from './system-repo.js';

export function createRepos(database: Database) {
  const posts = postsRepo(database);
  return {
    clients: clientsRepo(database),
    accounts: accountsRepo(database),
    rules: rulesRepo(database),
    posts,
    groups: groupsRepo(database, posts),
    publishing: publishingRepo(database),
    media: mediaRepo(database),
    oauth: oauthRepo(database),
    auth: authRepo(database),
    passkeys: passkeysRepo(database),
    members: membersRepo(database),
    audit: auditRepo(database),
    system: systemRepo(database),
    events: eventsRepo(database),
    notify: notifyRepo(database),
    metrics: metricsRepo(database),
    collection: collectionRepo(database),
    exports: exportRepo(database),
    postLogsExport: postLogsExportRepo(database),
    results: resultsRepo(database),
    learning: learningRepo(database),
    labels: labelsRepo(database),
    snippets: snippetsRepo(database),
    feeds: feedsRepo(database),
    linkPreviews: linkPreviewsRepo(database),
    queue: queueRepo(database),
    imports: importsRepo(database),

    groupLists: groupListsRepo(database),
  };
}
export type Repos = ReturnType<typeof createRepos>;

export type { AccountRow } from './accounts-repo.js';
export type { AdminRow, ApiTokenRow, SessionRow } from './auth-repo.js';
export type { PasskeyRow } from './passkeys-repo.js';
export type { ClientRow, InviteRow } from './clients-repo.js';
export type { MediaRow } from './media-repo.js';
export type { MemberInviteRow } from './members-repo.js';
export type { Page } from './pagination.js';
export type { PostListItem, PostLogRow, PostPatch, PostRow, PostWithMedia } from './posts-repo.js';
export type { RuleRow, RuleWithAccounts } from './rules-repo.js';
export type { JobRunRow } from './system-repo.js';
export type { EventRow } from './events-repo.js';
export type { AccountMetricsRow, MetricRefusalRow, PostMetricsRow } from './metrics-repo.js';
export type { AccountDayRow, PostResultRow } from './results-repo.js';
export type { ChannelRow, DeliveryRow, DeliveryWithEvent } from './notify-repo.js';
export type { AttemptRow } from './publishing-repo.js';
export type { ListedPost, MemberItem } from './group-lists-repo.js';
export type { PostGroupRow } from './groups-repo.js';

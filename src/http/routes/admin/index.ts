import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../../context.js';
import { requirePageAccess } from '../../middleware/page-access.js';
import { requireAdmin } from '../../session.js';
import { accountRoutes, requireEnrolment } from './account.js';
import { auditRoutes } from './audit.js';
import { calendarRoutes } from './calendar.js';
import { clientRoutes } from './clients.js';
import { dashboardRoutes } from './dashboard.js';
import { emailSettingsRoutes } from './email-settings.js';
import { eventRoutes } from './events.js';
import { feedRoutes } from './feeds.js';
import { groupMembersRoutes } from './group-members.js';
import { labelRoutes } from './labels.js';

import { groupRoutes } from './groups.js';
import { importRoutes } from './imports.js';
import { learningRoutes } from './learning.js';
import { logRoutes } from './logs.js';
import { mediaRoutes } from './media.js';
import { notificationRoutes } from './notifications.js';
import { pipelineRoutes } from './pipeline.js';
import { resultsRoutes } from './results.js';
import { postExportRoutes } from './post-exports.js';
import { postRoutes } from './posts.js';
import { queueRoutes } from './queues.js';
import { resultsExportRoutes } from './results-exports.js';
import { ruleRoutes } from './rules.js';
import { settingsRoutes } from './settings.js';
import { snippetRoutes } from './snippets.js';
import { systemRoutes } from './system.js';
import { teamRoutes } from './team.js';

/**
 * The admin pages, one sub-app per area. Mounted last (see app.tsx): its guard sends anyone
 * without an admin session to the sign-in page.
 */
export function adminRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  app.use('*', requireAdmin());
  app.use('*', requireEnrolment(deps));
  app.route('/', accountRoutes(deps));
  app.use('*', requirePageAccess(deps));
  app.route('/', dashboardRoutes(deps));
  app.route('/', clientRoutes(deps));
  app.route('/', resultsExportRoutes(deps));
  app.route('/', postExportRoutes(deps));
  app.route('/', ruleRoutes(deps));
  app.route('/', learningRoutes(deps));
  app.route('/', pipelineRoutes(deps));
  app.route('/', calendarRoutes(deps));
  app.route('/', groupMembersRoutes(deps));
  app.route('/', resultsRoutes(deps));
  app.route('/', postRoutes(deps));
  app.route('/', queueRoutes(deps));
  app.route('/', groupRoutes(deps));
  app.route('/', logRoutes(deps));
  app.route('/', eventRoutes(deps));
  app.route('/', systemRoutes(deps));
  app.route('/', settingsRoutes(deps));
  app.route('/', teamRoutes(deps));
  app.route('/', labelRoutes(deps));
  app.route('/', snippetRoutes(deps));
  app.route('/', importRoutes(deps));

  app.route('/', feedRoutes(deps));
  app.route('/', mediaRoutes(deps));
  app.route('/', notificationRoutes(deps));
  app.route('/', emailSettingsRoutes(deps));
  app.route('/', auditRoutes(deps));
  return app;
}

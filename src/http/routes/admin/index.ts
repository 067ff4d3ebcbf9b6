import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../../context.js';
import { requireAdmin } from '../../session.js';
import { dashboardRoutes } from './dashboard.js';

/**
 * The admin pages, one sub-app per area. Mounted last (see app.tsx): its guard sends anyone
 * without an admin session to the sign-in page.
 */
export function adminRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  app.use('*', requireAdmin());
  app.route('/', dashboardRoutes(deps));
  return app;
}

import type { LiveHerald } from './browser.js';
import { PageClient } from './page-client.js';

const ADMIN_LOGIN = { email: 'admin@agency.test', password: 'correct horse battery staple' };

/**
 * The start every network's end-to-end test shares: a client publishing without approval, its
 * portal opened through the invite link, and an admin signed in.
 */
export async function onboardClient(
  live: LiveHerald,
  { name = 'Acme Bakery', timezone = 'Europe/Berlin' }: { name?: string; timezone?: string } = {},
): Promise<{ clientId: string; portal: PageClient; admin: PageClient }> {
  const clientId = live.herald.services.clients.create({ name, timezone, approvalMode: 'none' }).id;
  const { url: invite } = live.herald.services.clients.createInvite(clientId);
  const portal = new PageClient(live.herald.app, live.url);
  await portal.request(new URL(invite).pathname);
  await portal.get('/portal');
  const admin = new PageClient(live.herald.app, live.url);
  await admin.get('/login');
  await admin.post('/login', ADMIN_LOGIN);
  await admin.get('/');
  return { clientId, portal, admin };
}

/** The client's account on one network (the test has connected it by then). */
export function accountOf(live: LiveHerald, clientId: string, platform: string) {
  return live.herald.services.accounts.listByClient(clientId).find((a) => a.platform === platform)!;
}

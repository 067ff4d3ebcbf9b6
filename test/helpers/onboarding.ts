import { expect } from 'vitest';
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

/**
 * The browser side of a vendor's consent: the portal's connect button (a form posting the
 * session's CSRF token) → the vendor's consent page (a fake) → back to Herald's callback.
 */
export async function connectThroughPortal(
  live: LiveHerald,
  browser: PageClient,
  vendor: string,
): Promise<{ status: number; html: string }> {
  const { html } = await browser.get('/portal');
  expect(html).toContain(`action="/auth/${vendor}/start"`);
  const start = await browser.post(`/auth/${vendor}/start`, {});
  expect(start.status).toBe(303);
  const consent = await fetch(start.headers.get('location')!, { redirect: 'manual' });
  expect(consent.status).toBe(302);
  const back = new URL(consent.headers.get('location')!);
  expect(back.origin).toBe(live.url);
  const res = await browser.request(`${back.pathname}${back.search}`);
  return { status: res.status, html: await res.text() };
}

import { afterEach, describe, expect, it } from 'vitest';
import { makeHerald, type TestHerald } from '../helpers/herald.js';
import { PageClient } from '../helpers/page-client.js';

const BOSS = { email: 'boss@agency.com', password: 'the boss password' };
const NEW = 'a new long password';

/** The change-password form's fields. */
function change(currentPassword: string, newPassword = NEW, confirmPassword = newPassword) {
  return { currentPassword, newPassword, confirmPassword };
}
const HELPER = { email: 'helper@agency.com', password: 'the helper password' };

let open: TestHerald[] = [];
afterEach(async () => {
  await Promise.all(open.map((t) => t.close()));
  open = [];
});

async function setup() {
  const t = await makeHerald({ ADMIN_EMAIL: BOSS.email, ADMIN_PASSWORD: BOSS.password });
  open.push(t);
  await t.herald.services.auth.ensureConfiguredAdmin();
  const helper = await t.herald.services.auth.createAdmin(HELPER);
  return { t, helper };
}

async function signIn(t: TestHerald, who: { email: string; password: string }) {
  const browser = new PageClient(t.herald.app);
  const res = await browser.post('/login', who);
  expect(res.status).toBe(303);
  await browser.get('/settings');
  return browser;
}

async function signedIn(browser: PageClient): Promise<boolean> {
  return (await browser.request('/settings')).status === 200;
}

describe('your account on the Settings page', () => {
  it('changes the password only with the current one, and signs out the other sessions', async () => {
    const { t } = await setup();
    const laptop = await signIn(t, BOSS);
    const phone = await signIn(t, BOSS);

    const wrong = await laptop.post('/settings/password', change('not it at all'));
    expect(wrong.status).toBe(422);
    expect(await wrong.text()).toMatch(/id="currentPassword-error"[^>]*>is not your current password/);

    const mismatch = await laptop.post('/settings/password', change(BOSS.password, NEW, 'a new lung password'));
    expect(mismatch.status).toBe(422);
    expect(await mismatch.text()).toContain('does not match the new password');

    const short = await laptop.post('/settings/password', change(BOSS.password, 'short'));
    expect(short.status).toBe(422);
    const shortHtml = await short.text();
    expect(shortHtml).toMatch(/id="newPassword-error"[^>]*>must be at least 10 characters/);
    expect(shortHtml).not.toContain(BOSS.password);

    const ok = await laptop.post('/settings/password', change(BOSS.password));
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/settings');
    const page = await laptop.get('/settings');
    expect(page.res.status).toBe(200);
    expect(page.html).toContain('Password changed. Your other sessions were signed out.');
    expect(await signedIn(phone)).toBe(false);

    expect((await new PageClient(t.herald.app).post('/login', BOSS)).status).toBe(401);
    expect((await new PageClient(t.herald.app).post('/login', { email: BOSS.email, password: NEW })).status).toBe(303);
  });

  it('slows down guessing the current password from a signed-in session', async () => {
    const { t } = await setup();
    const thief = await signIn(t, BOSS);
    for (let i = 0; i < 5; i++) {
      const res = await thief.post('/settings/password', change(`guess ${i} guess`));
      expect(await res.text()).toContain('is not your current password');
    }
    const res = await thief.post('/settings/password', change(BOSS.password));
    expect(res.status).toBe(422);
    expect(await res.text()).toMatch(/too many wrong attempts; try again in \d+ (seconds|minutes)/);
  });

  it('signs out everywhere, this browser included', async () => {
    const { t } = await setup();
    const laptop = await signIn(t, BOSS);
    const phone = await signIn(t, BOSS);
    const other = await signIn(t, HELPER);
    const res = await laptop.post('/settings/sign-out-everywhere', {});
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login');
    expect(await signedIn(laptop)).toBe(false);
    expect(await signedIn(phone)).toBe(false);
    expect(await signedIn(other)).toBe(true);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHerald, TEST_ORIGIN, type TestHerald } from '../helpers/herald.js';
import { PageClient } from '../helpers/page-client.js';

// The passkey routes' refusals without a browser (the ceremonies themselves run in test/browser/passkeys.test.ts):
// no challenge, a challenge of another ceremony, another member's passkey.

const OWNER = { email: 'owner@agency.test', password: 'correct horse battery staple' };
const OTHER = { email: 'other@agency.test', password: 'another good password' };

let t: TestHerald;
let otherPasskey: string;

beforeAll(async () => {
  t = await makeHerald({ ADMIN_EMAIL: OWNER.email, ADMIN_PASSWORD: OWNER.password });
  await t.herald.services.auth.ensureConfiguredAdmin();
  const other = await t.herald.services.auth.createAdmin(OTHER);
  otherPasskey = 'b3RoZXItcGFzc2tleQ';
  t.herald.repos.passkeys.insert({
    id: otherPasskey,
    adminId: other.id,
    publicKey: 'AAAA',
    counter: 0,
    transports: ['internal'],
    deviceType: 'singleDevice',
    backedUp: false,
    name: 'Other laptop',
    createdAt: Date.now(),
    lastUsedAt: null,
  });
});
afterAll(() => t?.close());

async function signedIn(): Promise<PageClient> {
  const browser = new PageClient(t.herald.app);
  await browser.get('/login');
  await browser.post('/login', OWNER);
  await browser.get('/account/security');
  return browser;
}

const postJson = (browser: PageClient, path: string, body: unknown) =>
  browser.request(path, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      origin: TEST_ORIGIN,
      ...(browser.csrf ? { 'x-csrf-token': browser.csrf } : {}),
    },
    body: JSON.stringify(body),
  });

describe('passkey routes', () => {
  it('gives sign-in options for discoverable credentials, with user verification required', async () => {
    const browser = new PageClient(t.herald.app);
    const res = await postJson(browser, '/login/passkey/options', {});
    expect(res.status).toBe(200);
    const options = (await res.json()) as Record<string, unknown>;
    expect(options).toMatchObject({ rpId: 'herald.test', userVerification: 'required' });
    expect(options.allowCredentials ?? []).toEqual([]);
    expect(res.headers.get('set-cookie')).toMatch(/herald_webauthn=.*HttpOnly.*SameSite=Strict/i);
  });

  it('refuses an answer without its challenge, or with the challenge of another ceremony', async () => {
    const browser = new PageClient(t.herald.app);
    const none = await postJson(browser, '/login/passkey', { response: { id: otherPasskey, response: {} } });
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ error: 'The passkey request has expired. Try again.' });

    // A registration challenge (signed in) is not a sign-in challenge.
    const member = await signedIn();
    expect((await postJson(member, '/account/security/passkeys/options', {})).status).toBe(200);
    const crossed = await postJson(member, '/login/passkey', { response: { id: otherPasskey, response: {} } });
    expect(crossed.status).toBe(401);
    expect(((await crossed.json()) as { error: string }).error).toContain('expired');
  });

  it('registration options name the member by a random handle, never the e-mail, and exclude nothing yet', async () => {
    const member = await signedIn();
    const options = (await (await postJson(member, '/account/security/passkeys/options', {})).json()) as {
      user: { id: string; name: string };
      authenticatorSelection: Record<string, string>;
      excludeCredentials: unknown[];
    };
    expect(options.user.name).toBe(OWNER.email);
    // 32 random bytes (a user handle must not be personal: https://www.w3.org/TR/webauthn-3/#sctn-user-handle-privacy).
    expect(Buffer.from(options.user.id, 'base64url')).toHaveLength(32);
    expect(Buffer.from(options.user.id, 'base64url').toString('utf8')).not.toContain(OWNER.email);
    expect(options.user.id).toBe(t.herald.repos.auth.adminByEmail(OWNER.email)!.webauthnUserId);
    expect(options.authenticatorSelection).toMatchObject({ residentKey: 'required', userVerification: 'required' });
    expect(options.excludeCredentials).toEqual([]);
  });

  it("never renames or removes another member's passkey", async () => {
    const member = await signedIn();
    expect((await member.post(`/account/security/passkeys/${otherPasskey}/rename`, { name: 'Mine now' })).status).toBe(
      404,
    );
    expect((await member.post(`/account/security/passkeys/${otherPasskey}/remove`, {})).status).toBe(404);
    expect(t.herald.repos.passkeys.get(otherPasskey)).toMatchObject({ name: 'Other laptop' });
  });

  it('needs a half-open sign-in for the second-step passkey routes', async () => {
    const browser = new PageClient(t.herald.app);
    expect((await postJson(browser, '/login/verify/passkey/options', {})).status).toBe(401);
    expect((await postJson(browser, '/login/verify/passkey', {})).status).toBe(401);
  });
});

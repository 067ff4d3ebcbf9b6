import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/log.js';
import { linkedinPlatform, linkedInSettings } from '../../src/platforms/linkedin/index.js';
import type { LinkedInPublisher } from '../../src/platforms/linkedin/publisher.js';
import type { ConnectedAccount, PlatformError, PublishResult } from '../../src/platforms/types.js';
import { FakeLinkedIn } from '../fakes/linkedin.js';
import { testAttempt, type TestAttempt } from '../helpers/attempt-context.js';

const REDIRECT = 'https://herald.example.com/auth/linkedin/callback';
const SCOPES = [
  'openid',
  'profile',
  'w_member_social',
  'w_organization_social',
  'r_organization_social',
  'rw_organization_admin',
];
const ORG = 'urn:li:organization:2414183';
const PERSON = 'urn:li:person:jAnE-42';

let li: FakeLinkedIn;
let clock: ManualClock;
let publisher: LinkedInPublisher;
let accounts: ConnectedAccount[];

beforeEach(async () => {
  li = new FakeLinkedIn({
    clientId: 'li-id',
    clientSecret: 'li-secret',
    redirectUris: [REDIRECT],
    scopes: SCOPES,
    refreshTokens: false,
  });
  await li.start();
  clock = new ManualClock(Date.UTC(2026, 10, 30, 9));
  li.now = () => clock.now();
  const built = linkedinPlatform({
    settings: linkedInSettings({
      clientId: 'li-id',
      clientSecret: 'li-secret',
      apiVersion: '202511',
      authUrl: `${li.url}/oauth/v2`,
      apiUrl: li.url,
    }),
    log: createLogger('silent'),
    clock,
    options: { requestTimeoutMs: 5_000, lookupSettleMs: 60_000 },
  });
  publisher = built.publisher;
  const request = { state: 's', redirectUri: REDIRECT, codeVerifier: 'v' };
  const consent = await fetch(await built.connector.authorizationUrl(request), { redirect: 'manual' });
  accounts = [...(await built.connector.complete(new URL(consent.headers.get('location')!), request)).accounts];
});
afterEach(() => li.stop());

function attempt(author: string, caption: string): TestAttempt {
  const account = accounts.find((a) => a.externalId === author)!;
  return testAttempt({
    caption,
    account: {
      id: 'acc',
      platform: 'linkedin',
      externalId: account.externalId,
      name: account.name,
      platformData: account.platformData ?? {},
      accessToken: account.accessToken,
      refreshToken: null,
      tokenExpiresAt: account.tokenExpiresAt,
    },
    now: () => clock.now(),
  });
}

async function published(ctx: TestAttempt): Promise<PublishResult> {
  await publisher.prepare(ctx);
  ctx.sentAt = clock.now();
  await publisher.send(ctx);
  return publisher.confirm(ctx);
}

const caught = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e as PlatformError,
  );

// Reserved in the post's little text; a comment takes them as they are.
const COMMENT = 'Menu (PDF) at https://bakery.example/menu_2026 — #bread @home *fresh* \\o/';

describe('LinkedIn first comment', () => {
  it('comments once as the Page, with the text unescaped, and returns the comment URN', async () => {
    const ctx = attempt(ORG, 'Fresh bread (today)');
    const result = await published(ctx);
    const id = await publisher.firstComment.post(ctx, result, COMMENT);
    expect(li.comments).toHaveLength(1);
    expect(li.comments[0]).toMatchObject({ urn: id, actor: ORG, object: result.externalId, text: COMMENT });
    expect(id).toBe(`urn:li:comment:(${result.externalId},${li.comments[0]!.id})`);
    const call = li.calls(/\/comments$/, 'POST')[0]!;
    expect(call.path).toContain(encodeURIComponent(result.externalId));
    expect(call.headers['linkedin-version']).toBe('202511');
  });

  it('finds the comment after a lost answer, without commenting again', async () => {
    const ctx = attempt(ORG, 'Fresh bread');
    const result = await published(ctx);
    li.loseNextCommentResponse();
    const err = await caught(publisher.firstComment.post(ctx, result, COMMENT));
    expect(err).toMatchObject({ kind: 'unknown_outcome' });
    expect(li.comments).toHaveLength(1);
    expect(await publisher.firstComment.find(ctx, result, COMMENT)).toEqual({
      status: 'found',
      commentId: li.comments[0]!.urn,
    });
    expect(li.comments).toHaveLength(1);
  });

  it('says absent only once the listing has had time; unknown where comments cannot be read', async () => {
    const ctx = attempt(ORG, 'Fresh bread');
    const result = await published(ctx);
    li.inject({ method: 'POST', path: /\/comments$/, fault: { kind: 'reset' } });
    await caught(publisher.firstComment.post(ctx, result, COMMENT));
    expect(li.comments).toHaveLength(0);
    expect(await publisher.firstComment.find(ctx, result, COMMENT)).toMatchObject({ status: 'unknown' });
    // A comment by someone else, or with other text, is not ours.
    const other = attempt(PERSON, 'x');
    await publisher.firstComment.post(other, result, COMMENT);
    await publisher.firstComment.post(ctx, result, 'Another comment');
    clock.advance(2 * 60_000);
    expect(await publisher.firstComment.find(ctx, result, COMMENT)).toMatchObject({ status: 'absent' });
    // A member's own post: LinkedIn keeps its comments' reading for partners.
    const member = attempt(PERSON, 'My own post');
    const mine = await published(member);
    await publisher.firstComment.post(member, mine, COMMENT);
    expect(await publisher.firstComment.find(member, mine, COMMENT)).toMatchObject({ status: 'unknown' });
  });

  it('maps refusals: too long, no role on the Page, a revoked token, throttling', async () => {
    const ctx = attempt(ORG, 'Fresh bread');
    const result = await published(ctx);
    expect(await caught(publisher.firstComment.post(ctx, result, 'x'.repeat(1251)))).toMatchObject({
      kind: 'permanent',
      code: 'comment_too_long',
    });
    li.acls = li.acls.filter((a) => a.organization !== ORG);
    expect(await caught(publisher.firstComment.post(ctx, result, COMMENT))).toMatchObject({
      kind: 'permanent',
      code: 'ACCESS_DENIED',
    });
    li.dailyLimits.member = 0;
    expect(await caught(publisher.firstComment.post(ctx, result, COMMENT))).toMatchObject({ kind: 'rate_limited' });
    li.dailyLimits.member = Number.POSITIVE_INFINITY;
    li.revoke();
    expect(await caught(publisher.firstComment.post(ctx, result, COMMENT))).toMatchObject({ kind: 'auth' });
    expect(li.comments).toHaveLength(0);
  });

  it('the fake refuses what LinkedIn refuses: an unencoded URN, missing fields, another object, no post', async () => {
    const ctx = attempt(ORG, 'Fresh bread');
    const result = await published(ctx);
    const call = (path: string, body: unknown) =>
      fetch(`${li.url}${path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${ctx.account.accessToken}`,
          'linkedin-version': '202511',
          'x-restli-protocol-version': '2.0.0',
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
      });
    const path = `/rest/socialActions/${encodeURIComponent(result.externalId)}/comments`;
    const good = { actor: ORG, object: result.externalId, message: { text: 'hi' } };
    expect((await call(`/rest/socialActions/${result.externalId}/comments`, good)).status).toBe(400);
    expect((await call(path, { object: result.externalId, message: { text: 'hi' } })).status).toBe(422);
    expect((await call(path, { ...good, message: {} })).status).toBe(422);
    expect((await call(path, { ...good, object: 'urn:li:share:1' })).status).toBe(400);
    const none = `/rest/socialActions/${encodeURIComponent('urn:li:share:999')}/comments`;
    expect((await call(none, { ...good, object: 'urn:li:share:999' })).status).toBe(404);
    expect(li.comments).toHaveLength(0);
  });
});

// The members API: list, invite (201 with the link), change role and clients, remove, withdraw an invitation; held
// to the token creator's role (admins never touch owners, editors never reach it) and never without an owner.
import { afterAll, describe, expect, it } from 'vitest';
import { SYSTEM } from '../../src/domain/actor.js';
import { json, makeHerald, seedClient } from '../helpers/herald.js';
import { PageClient } from '../helpers/page-client.js';

const t = await makeHerald({ ADMIN_EMAIL: 'owner@agency.test', ADMIN_PASSWORD: 'the owner password' });
await t.herald.services.auth.ensureConfiguredAdmin();
afterAll(() => t.close());

const owner = t.herald.repos.auth.adminByEmail('owner@agency.test')!;
const acme = seedClient(t).client;
const bravo = seedClient(t, { name: 'Bravo Bikes' }).client;

/** A member of `role` made through an invitation, and an `admin`-scoped token they created. */
async function memberWithToken(email: string, role: string, clientIds: string[] = []) {
  const { url } = t.herald.services.members.invite(SYSTEM, { email, role, clientIds });
  const browser = new PageClient(t.herald.app);
  const path = new URL(url).pathname;
  await browser.get(path);
  const password = 'a long enough password';
  expect((await browser.post(path, { via: 'password', password, confirmPassword: password })).status).toBe(303);
  const member = t.herald.repos.auth.adminByEmail(email)!;
  const { token } = t.herald.services.apiTokens.create({ name: `${role} token`, scope: 'admin' }, member.id);
  return { member, token };
}

function call(token: string, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return t.herald.app.request(`/api/v1${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

const audit = (kind: string) =>
  t.herald.database.sqlite
    .prepare('SELECT actor_kind, target_id, before, after FROM audit_log WHERE kind = ?')
    .all(kind);

describe('the members API', () => {
  it('invites (201 with the link that opens the join page) and lists members and pending invitations', async () => {
    const res = await t.api('POST', '/members', { email: 'Nina@Agency.test', role: 'editor', clientIds: [acme.id] });
    expect(res.status).toBe(201);
    const body = await json(res);
    expect(body).toMatchObject({ email: 'nina@agency.test', role: 'editor', clientIds: [acme.id], emailed: false });
    expect(body.url).toMatch(/^http:\/\/herald\.test\/join\/\S{40,}$/);
    expect(Date.parse(body.expiresAt) - Date.parse(body.createdAt)).toBe(7 * 86_400_000);
    expect((await new PageClient(t.herald.app).get(new URL(body.url).pathname)).res.status).toBe(200);
    expect(audit('member.invite')).toMatchObject([{ actor_kind: 'api', target_id: body.id }]);

    const list = await json(await t.api('GET', '/members'));
    expect(list.data).toEqual([
      expect.objectContaining({
        id: owner.id,
        email: 'owner@agency.test',
        role: 'owner',
        clientIds: null,
        twoFactor: { totp: false, passkeys: 0 },
      }),
    ]);
    expect(list.invites).toEqual([expect.objectContaining({ id: body.id, email: 'nina@agency.test' })]);
    expect(list.nextCursor).toBeNull();

    // Withdrawn through DELETE with the invitation's id: the link stops working.
    expect((await t.api('DELETE', `/members/${body.id}`)).status).toBe(204);
    expect((await new PageClient(t.herald.app).get(new URL(body.url).pathname)).res.status).toBe(404);
    expect((await json(await t.api('GET', '/members'))).invites).toEqual([]);
  });

  it('answers validation_failed with details for bad input, never a 500', async () => {
    const bad = await t.api('POST', '/members', { email: 'nope', role: 'boss', clientIds: 'acme' });
    expect(bad.status).toBe(400);
    const { error } = await json(bad);
    expect(error.code).toBe('validation_failed');
    expect(Object.keys(error.details).sort()).toEqual(['clientIds', 'email', 'role']);
    const unknown = await t.api('POST', '/members', {
      email: 'x@agency.test',
      role: 'viewer',
      clientIds: ['cli_nope'],
    });
    expect((await json(unknown)).error.details).toEqual({ clientIds: ['unknown client: cli_nope'] });
    const existing = await t.api('POST', '/members', { email: 'owner@agency.test', role: 'viewer' });
    expect((await json(existing)).error.details).toEqual({ email: ['is already a team member'] });
    expect((await t.api('PATCH', `/members/${owner.id}`, {})).status).toBe(400);
    const email = await t.api('PATCH', `/members/${owner.id}`, { email: 'new@agency.test' });
    expect((await json(email)).error.details).toEqual({ email: ['cannot be changed; invite the new address instead'] });
    expect((await t.api('PATCH', '/members/adm_nobody', { role: 'viewer' })).status).toBe(404);
  });

  it('changes role and clients with audit entries; keeps the last owner', async () => {
    const { member } = await memberWithToken('vic@agency.test', 'viewer', [acme.id]);
    const res = await t.api('PATCH', `/members/${member.id}`, { role: 'editor', clientIds: [acme.id, bravo.id] });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ role: 'editor', clientIds: [acme.id, bravo.id].sort() });
    expect(audit('member.role')).toContainEqual(
      expect.objectContaining({ target_id: member.id, before: '{"role":"viewer"}', after: '{"role":"editor"}' }),
    );
    expect(audit('member.clients')).toContainEqual(expect.objectContaining({ target_id: member.id }));
    // Made an admin, they see every client: their assignments go.
    const admin = await json(await t.api('PATCH', `/members/${member.id}`, { role: 'admin' }));
    expect(admin.clientIds).toBeNull();
    expect(t.herald.repos.auth.memberClientIds(member.id)).toEqual([]);

    const demote = await t.api('PATCH', `/members/${owner.id}`, { role: 'admin' });
    expect(demote.status).toBe(409);
    expect((await json(demote)).error.message).toContain('only owner');
    expect((await t.api('DELETE', `/members/${owner.id}`)).status).toBe(409);
    expect(t.herald.repos.auth.getAdmin(owner.id)!.role).toBe('owner');
  });

  it("holds a token to its creator's role: admins never touch owners, editors never reach the team", async () => {
    const admin = await memberWithToken('ada@agency.test', 'admin');
    const editor = await memberWithToken('eddie@agency.test', 'editor', [acme.id]);

    expect((await call(admin.token, 'GET', '/members')).status).toBe(200);
    const makeOwner = await call(admin.token, 'POST', '/members', { email: 'boss@agency.test', role: 'owner' });
    expect(makeOwner.status).toBe(403);
    expect((await json(makeOwner)).error).toMatchObject({
      code: 'forbidden',
      message: 'Only an owner may manage owners.',
    });
    expect((await call(admin.token, 'PATCH', `/members/${owner.id}`, { role: 'viewer' })).status).toBe(403);
    expect((await call(admin.token, 'DELETE', `/members/${owner.id}`)).status).toBe(403);
    expect((await call(admin.token, 'PATCH', `/members/${editor.member.id}`, { role: 'owner' })).status).toBe(403);

    // The editor's token is held to `write`: the team needs `admin`.
    expect((await call(editor.token, 'GET', '/members')).status).toBe(403);

    // Removal ends the removed member's own token at once.
    expect((await call(admin.token, 'DELETE', `/members/${editor.member.id}`)).status).toBe(204);
    expect((await call(editor.token, 'GET', '/clients')).status).toBe(401);
    expect(t.herald.repos.auth.getAdmin(editor.member.id)).toBeUndefined();
    expect(audit('member.remove')).toContainEqual(
      expect.objectContaining({ actor_kind: 'api', target_id: editor.member.id }),
    );
  });
});

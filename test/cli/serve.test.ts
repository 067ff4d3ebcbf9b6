import { describe, expect, it } from 'vitest';
import { TEST_SECRET, tempDir } from '../helpers/herald.js';
import { startServe } from '../helpers/serve.js';

describe('herald serve', () => {
  it('starts, reports health and leadership, and stops cleanly on SIGTERM', async () => {
    const dir = tempDir();
    const server = await startServe({ DATA_DIR: dir, SECRET_KEY: TEST_SECRET });
    try {
      let health: Record<string, unknown> = {};
      for (let i = 0; i < 40; i++) {
        health = (await (await fetch(`${server.url}/healthz`)).json()) as Record<string, unknown>;
        if (health.leader) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(health).toMatchObject({ status: 'ok', db: 'ok', leader: true, version: expect.any(String) });
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).toMatch(/herald_leader 1/);
      expect(server.lines.join('\n')).toMatch(/setup code [A-Z0-9]{8}/);
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exit).toBe(0);
    expect(server.lines.join('\n')).toMatch(/"leader":false,"msg":"released"/);
  });

  it('writes no secret into its log', async () => {
    const dir = tempDir();
    const server = await startServe({
      DATA_DIR: dir,
      SECRET_KEY: TEST_SECRET,
      ADMIN_EMAIL: 'boss@agency.com',
      ADMIN_PASSWORD: 'super secret password 1',
    });
    try {
      // A real sign-in, so the password really went through the server (and its log).
      const login = await fetch(`${server.url}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { origin: 'http://localhost:0', 'content-type': 'application/x-www-form-urlencoded' },
        body: 'email=boss%40agency.com&password=super+secret+password+1',
      });
      expect(login.status).toBe(303);
      expect(login.headers.getSetCookie().some((c) => /^herald_session=[^;]+/.test(c))).toBe(true);
    } finally {
      server.child.kill('SIGTERM');
    }
    await server.exit;
    const log = server.lines.join('\n');
    expect(log).not.toContain('super secret password 1');
    expect(log).not.toContain(TEST_SECRET);
  });
});

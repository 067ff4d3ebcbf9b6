import { describe, expect, it } from 'vitest';
import { createLogger, moduleLogger } from '../../src/log.js';
import { FakeMeta } from '../fakes/meta.js';
import { startLiveHerald } from '../helpers/browser.js';

/**
 * The keys that appear more than once in one object, anywhere in a JSON text. JSON.parse keeps
 * the last of repeated keys without a word, so the text is walked here instead.
 */
function repeatedKeys(text: string): string[] {
  let i = 0;
  const repeated: string[] = [];
  const space = () => {
    while (/\s/.test(text[i] ?? '')) i++;
  };
  const string = (): string => {
    const start = i;
    i++;
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (): void => {
    space();
    const c = text[i];
    if (c === '{') {
      i++;
      const keys = new Set<string>();
      space();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        space();
        const key = string();
        if (keys.has(key)) repeated.push(key);
        keys.add(key);
        space();
        i++; // :
        value();
        space();
        if (text[i++] === '}') return;
      }
    }
    if (c === '[') {
      i++;
      space();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        space();
        if (text[i++] === ']') return;
      }
    }
    if (c === '"') {
      string();
      return;
    }
    while (i < text.length && !/[,}\]\s]/.test(text[i]!)) i++;
  };
  JSON.parse(text); // well-formed first
  value();
  return repeated;
}

describe('log lines', () => {
  it('the key finder sees what JSON.parse hides', () => {
    expect(repeatedKeys('{"a":1,"b":{"c":2,"c":[{"d":1,"d":2}]},"a":"x\\"}"}')).toEqual(['c', 'd', 'a']);
    expect(repeatedKeys('{"a":[1,"a"],"b":{},"c":[]}')).toEqual([]);
  });

  it('a logger never writes a key twice, however its children and calls repeat one', () => {
    const lines: string[] = [];
    const root = createLogger('info', { write: (chunk: string) => void lines.push(chunk.trim()) });
    const scheduler = moduleLogger(root, 'scheduler');
    moduleLogger(scheduler, 'job').child({ runId: 'run_1' }).info('module of a module');
    scheduler.info({ module: 'lease', token: 'secret' }, 'a call naming another module');
    moduleLogger(root.child({ reqId: 'r1' }), 'oauth')
      .child({ reqId: 'r2' })
      .warn('request id bound twice');
    scheduler.info('plain');
    expect(lines.map(repeatedKeys)).toEqual([[], [], [], []]);
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toMatchObject([
      { module: 'job', runId: 'run_1' },
      { module: 'lease', token: '[redacted]' },
      { module: 'oauth', reqId: 'r2' },
      { module: 'scheduler', app: 'herald' },
    ]);
  });

  it('every line is JSON with each key once: requests, a publish to Facebook, a job run', async () => {
    const lines: string[] = [];
    const sink = { write: (chunk: string) => void lines.push(...chunk.split('\n').filter(Boolean)) };
    const APP = { appId: '1234567890', appSecret: 'app-secret' };
    const meta = new FakeMeta(APP);
    const graph = await meta.start();
    const env = {
      META_APP_ID: APP.appId,
      META_APP_SECRET: APP.appSecret,
      META_GRAPH_URL: `${graph}/v25.0`,
      META_DIALOG_URL: `${graph}/v25.0/dialog/oauth`,
    };
    const live = await startLiveHerald(env, {
      log: createLogger('debug', sink),
      platformOptions: { meta: { pollIntervalMs: 10, slowDownMaxMs: 20 } },
    });
    try {
      const api = (method: string, path: string, body?: unknown) =>
        fetch(`${live.url}/api/v1${path}`, {
          method,
          headers: { authorization: `Bearer ${live.token}`, 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
      expect((await fetch(`${live.url}/healthz`)).status).toBe(200);
      expect(
        (await fetch(`${live.url}/api/v1/no-such-thing`, { headers: { authorization: `Bearer ${live.token}` } }))
          .status,
      ).toBe(404);
      const signIn = await fetch(`${live.url}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { origin: live.url, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'email=admin%40agency.test&password=wrong+password+here',
      });
      expect(signIn.status).toBeLessThan(500);

      // A publish through Herald's own Meta publisher (it logs every Graph call).
      const { clients, accounts, posts } = live.herald.services;
      const clientId = clients.create({ name: 'Acme Bakery', timezone: 'Europe/Berlin', approvalMode: 'none' }).id;
      const page = meta.addPage({ name: 'Acme Bakery' });
      const accountId = accounts.connect({
        clientId,
        platform: 'facebook',
        externalId: page.pageId,
        name: 'Acme Bakery',
        accessToken: page.pageToken,
        scopes: [],
      }).id;
      const created = await api('POST', '/posts', {
        accountId,
        caption: 'Fresh bread',
        scheduledAt: new Date().toISOString(),
        status: 'scheduled',
      });
      const { id } = (await created.json()) as { id: string };
      live.herald.engine.runDue();
      await live.herald.engine.drain(30_000);
      expect(posts.get(id).status).toBe('published');

      // A job run, asked for over the API and run by the leader's scheduler.
      const run = await api('POST', '/jobs/backup/run');
      expect(run.status).toBe(202);
      const { runId } = (await run.json()) as { runId: string };
      for (let i = 0; i < 100 && live.herald.repos.system.getRun(runId)?.status !== 'ok'; i++)
        await new Promise((r) => setTimeout(r, 100));
      await expect.poll(() => lines.some((l) => l.includes('"msg":"job finished"')), { timeout: 10_000 }).toBe(true);
    } finally {
      await live.close();
      await meta.stop();
    }

    // The lines this test is about were written, each naming its module.
    const messages = lines.map((l) => JSON.parse(l) as { msg?: string; module?: string });
    expect(messages.some((m) => m.msg === 'request')).toBe(true);
    expect(messages.some((m) => m.msg === 'Graph call' && m.module === 'meta')).toBe(true);
    expect(messages.some((m) => m.msg === 'job finished' && m.module === 'job')).toBe(true);
    expect(messages.some((m) => m.msg === 'backup written' && m.module === 'backups')).toBe(true);
    const offending = lines
      .map((line) => ({ line, repeated: repeatedKeys(line) }))
      .filter((l) => l.repeated.length > 0);
    expect(offending).toEqual([]);
  });
});

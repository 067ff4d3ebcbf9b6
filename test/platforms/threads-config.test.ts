import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { tempDir } from '../helpers/herald.js';

// Threads' variables go through the same start-up checks as every other setting.
describe('Threads configuration', () => {
  const load = (env: Record<string, string>) => loadConfig({ DATA_DIR: tempDir(), ...env });

  it('defaults to Meta’s current consent host and the unversioned API host, and is off without credentials', () => {
    expect(load({}).threads).toEqual({
      appId: null,
      appSecret: null,
      authorizeUrl: 'https://threads.com/oauth/authorize',
      graphUrl: 'https://graph.threads.net',
      apiVersion: 'v1.0',
    });
  });

  it('reads the app id, secret and base URLs', () => {
    const c = load({
      THREADS_APP_ID: '990011223344',
      THREADS_APP_SECRET: 'th-secret',
      THREADS_AUTH_URL: 'https://threads.net/oauth/authorize',
      THREADS_GRAPH_URL: 'https://graph.threads.com/',
    }).threads;
    expect(c).toMatchObject({
      appId: '990011223344',
      appSecret: 'th-secret',
      authorizeUrl: 'https://threads.net/oauth/authorize',
      graphUrl: 'https://graph.threads.com',
    });
  });

  it.each([
    [{ THREADS_APP_ID: '990011223344' }, 'THREADS_APP_SECRET', /set together/],
    [{ THREADS_APP_SECRET: 'th-secret' }, 'THREADS_APP_ID', /set together/],
    [{ THREADS_GRAPH_URL: 'https://graph.threads.net/v1.0' }, 'THREADS_GRAPH_URL', /without a version/],
    [{ THREADS_AUTH_URL: 'threads.com/oauth' }, 'THREADS_AUTH_URL', /http/],
  ])('refuses %o naming %s', (env, variable, problem) => {
    let error: unknown;
    try {
      load(env);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(variable);
    expect((error as Error).message).toMatch(problem);
  });
});

import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { tempDir } from '../helpers/herald.js';

// Pinterest's variables go through the same start-up checks as every other setting.
describe('Pinterest configuration', () => {
  const load = (env: Record<string, string>) => loadConfig({ DATA_DIR: tempDir(), ...env });

  it('defaults to the production API and is off without credentials', () => {
    expect(load({}).pinterest).toEqual({
      appId: null,
      appSecret: null,
      authorizeUrl: 'https://www.pinterest.com/oauth/',
      apiUrl: 'https://api.pinterest.com/v5',
    });
  });

  it('reads the app id, secret and the sandbox base for trial apps', () => {
    const c = load({
      PINTEREST_APP_ID: '1500001',
      PINTEREST_APP_SECRET: 'pin-secret',
      PINTEREST_API_URL: 'https://api-sandbox.pinterest.com/v5/',
    }).pinterest;
    expect(c).toMatchObject({ appId: '1500001', apiUrl: 'https://api-sandbox.pinterest.com/v5' });
  });

  it.each([
    [{ PINTEREST_APP_ID: '1500001' }, 'PINTEREST_APP_SECRET', /set together/],
    [{ PINTEREST_APP_SECRET: 'pin-secret' }, 'PINTEREST_APP_ID', /set together/],
    [{ PINTEREST_API_URL: 'https://api.pinterest.com' }, 'PINTEREST_API_URL', /\/v5/],
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

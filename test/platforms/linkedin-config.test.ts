import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { tempDir } from '../helpers/herald.js';

// The LINKEDIN_* variables as src/config.ts reads them through the network's descriptor.

describe('LinkedIn configuration', () => {
  it('is off by default, with LinkedIn’s own endpoints and a served version', () => {
    const config = loadConfig({ DATA_DIR: tempDir() });
    expect(config.linkedin).toEqual({
      clientId: null,
      clientSecret: null,
      authUrl: 'https://www.linkedin.com/oauth/v2',
      apiUrl: 'https://api.linkedin.com',
      apiVersion: '202511',
    });
  });

  it('reads the credentials, base URLs (without a trailing slash) and the version', () => {
    const config = loadConfig({
      DATA_DIR: tempDir(),
      LINKEDIN_CLIENT_ID: 'li-id',
      LINKEDIN_CLIENT_SECRET: 'li-secret',
      LINKEDIN_AUTH_URL: 'http://127.0.0.1:9000/oauth/v2/',
      LINKEDIN_API_URL: 'http://127.0.0.1:9000/',
      LINKEDIN_API_VERSION: '202601',
    });
    expect(config.linkedin).toEqual({
      clientId: 'li-id',
      clientSecret: 'li-secret',
      authUrl: 'http://127.0.0.1:9000/oauth/v2',
      apiUrl: 'http://127.0.0.1:9000',
      apiVersion: '202601',
    });
  });

  it.each<[Record<string, string>, string, RegExp]>([
    [{ LINKEDIN_CLIENT_ID: 'li-id' }, 'LINKEDIN_CLIENT_SECRET', /together/],
    [{ LINKEDIN_CLIENT_SECRET: 'li-secret' }, 'LINKEDIN_CLIENT_ID', /together/],
    [{ LINKEDIN_API_URL: 'api.linkedin.com' }, 'LINKEDIN_API_URL', /URL/],
    [{ LINKEDIN_AUTH_URL: 'ftp://linkedin.com' }, 'LINKEDIN_AUTH_URL', /URL/],
    [{ LINKEDIN_API_VERSION: '2025-11' }, 'LINKEDIN_API_VERSION', /YYYYMM/],
    [{ LINKEDIN_API_VERSION: '202513' }, 'LINKEDIN_API_VERSION', /YYYYMM/],
  ])('refuses %j naming %s', (env, variable, problem) => {
    let error: unknown;
    try {
      loadConfig({ DATA_DIR: tempDir(), ...env });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as Error).message).toMatch(problem);
  });
});

import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { tempDir } from '../helpers/herald.js';

describe('X configuration', () => {
  const load = (env: Record<string, string>) => loadConfig({ DATA_DIR: tempDir(), ...env });

  it('defaults to X’s hosts and the Free tier’s cap, and is off without credentials', () => {
    expect(load({}).x).toEqual({
      clientId: null,
      clientSecret: null,
      authorizeUrl: 'https://x.com/i/oauth2/authorize',
      apiUrl: 'https://api.x.com',
      monthlyPostCap: 500,
      resultsMonthlyReads: 0,
    });
  });

  it('reads the client, the URLs and the cap; 0 switches the cap off', () => {
    const c = load({
      X_CLIENT_ID: 'id',
      X_CLIENT_SECRET: 'secret',
      X_AUTH_URL: 'https://twitter.com/i/oauth2/authorize',
      X_API_URL: 'https://api.twitter.com/',
      X_MONTHLY_POST_CAP: '0',
    }).x;
    expect(c).toEqual({
      clientId: 'id',
      clientSecret: 'secret',
      authorizeUrl: 'https://twitter.com/i/oauth2/authorize',
      apiUrl: 'https://api.twitter.com',
      monthlyPostCap: null,
      resultsMonthlyReads: 0,
    });
    expect(load({ X_MONTHLY_POST_CAP: '1500' }).x.monthlyPostCap).toBe(1500);
    expect(load({ X_RESULTS_MONTHLY_READS: '20000' }).x.resultsMonthlyReads).toBe(20000);
  });

  it('refuses half a client and a cap that is not a number', () => {
    expect(() => load({ X_CLIENT_ID: 'id' })).toThrow(ConfigError);
    expect(() => load({ X_CLIENT_ID: 'id' })).toThrow(/X_CLIENT_SECRET/);
    expect(() => load({ X_MONTHLY_POST_CAP: 'lots' })).toThrow(/X_MONTHLY_POST_CAP/);
  });
});

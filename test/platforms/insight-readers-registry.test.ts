import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { Networks } from '../../src/platforms/registry.js';
import { tempDir } from '../helpers/herald.js';

function networks(env: Record<string, string>): Networks {
  const config = loadConfig({ DATA_DIR: tempDir(), ...env });
  return new Networks({ config, log: createLogger('silent') });
}

const CREDENTIALS = {
  GOOGLE_CLIENT_ID: 'g',
  GOOGLE_CLIENT_SECRET: 'g',
  PINTEREST_APP_ID: 'p',
  PINTEREST_APP_SECRET: 'p',
  X_CLIENT_ID: 'x',
  X_CLIENT_SECRET: 'x',
};

describe('insights readers in the registry', () => {
  it('each network builds its readers in create, beside its publishers; X only with a read budget', () => {
    const off = networks(CREDENTIALS);
    for (const platform of ['youtube', 'google_business', 'pinterest', 'mastodon', 'bluesky'])
      expect(off.insightsReader(platform)?.platform).toBe(platform);
    expect(off.insightsReader('x')).toBeUndefined();
    const on = networks({ ...CREDENTIALS, X_RESULTS_MONTHLY_READS: '5000' });
    expect(on.insightsReader('x')?.batchSize).toBe(100);
    expect(
      on
        .network('x')!
        .usage()
        .map((l) => l.label),
    ).toContain('post reads for results this month');
  });

  it('accounts connected before the read scopes were asked for are missing them', () => {
    const n = networks(CREDENTIALS);
    expect(n.missingInsightScopes('mastodon', 'read:accounts write:statuses write:media')).toEqual(['read:statuses']);
    expect(n.missingInsightScopes('mastodon', 'read:accounts read:statuses write:statuses write:media')).toBeNull();
    expect(n.missingInsightScopes('youtube', 'https://www.googleapis.com/auth/youtube.upload')).toEqual([
      'https://www.googleapis.com/auth/youtube.readonly',
    ]);
    expect(n.missingInsightScopes('bluesky', '')).toBeNull();
    expect(
      n.missingInsightScopes('pinterest', 'boards:read,boards:write,pins:read,pins:write,user_accounts:read'),
    ).toBeNull();
  });
});

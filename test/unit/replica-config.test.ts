import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { TEST_SECRET, tempDir } from '../helpers/herald.js';

const load = (env: Record<string, string>) => loadConfig({ DATA_DIR: tempDir(), SECRET_KEY: TEST_SECRET, ...env });

describe('REPLICA_URL and REPLICA_SYNC_INTERVAL', () => {
  it('off when unset; on with a supported scheme, the URL masked for pages and logs', () => {
    expect(load({}).replication).toBeNull();
    for (const url of [
      's3://bucket/herald',
      'gcs://bucket/x',
      'abs://container/x',
      'sftp://me@host/x',
      'file:///mnt/r',
    ])
      expect(load({ REPLICA_URL: url }).replication).toMatchObject({ url, syncInterval: '1s', syncIntervalMs: 1000 });
    const secret = load({ REPLICA_URL: 'sftp://user:hunter22@host/backups?key=abc', REPLICA_SYNC_INTERVAL: '500ms' });
    expect(secret.replication).toMatchObject({ maskedUrl: 'sftp://***:***@host/backups', syncIntervalMs: 500 });
  });

  it('a bad value stops start-up with one line naming the variable', () => {
    for (const [env, message] of [
      [{ REPLICA_URL: 'http://bucket/x' }, /^REPLICA_URL: must be a replica URL with one of the schemes/],
      [{ REPLICA_URL: 's3:///no-bucket' }, /^REPLICA_URL: must be a replica URL/],
      [{ REPLICA_URL: 'file://' }, /^REPLICA_URL: must be a replica URL/],
      [{ REPLICA_URL: 's3://b/x', REPLICA_SYNC_INTERVAL: 'soon' }, /^REPLICA_SYNC_INTERVAL: must be a duration/],
      [{ REPLICA_URL: 's3://b/x', REPLICA_SYNC_INTERVAL: '10ms' }, /^REPLICA_SYNC_INTERVAL: must be a duration/],
    ] as const) {
      let err: unknown = null;
      try {
        load(env);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(message);
    }
  });
});

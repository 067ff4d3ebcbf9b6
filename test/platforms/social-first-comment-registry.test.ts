import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { Networks } from '../../src/platforms/registry.js';
import { tempDir } from '../helpers/herald.js';

function networks(): Networks {
  const config = loadConfig({
    DATA_DIR: tempDir(),
    LINKEDIN_CLIENT_ID: 'l',
    LINKEDIN_CLIENT_SECRET: 'l',
    THREADS_APP_ID: 't',
    THREADS_APP_SECRET: 't',
    X_CLIENT_ID: 'x',
    X_CLIENT_SECRET: 'x',
  });
  return new Networks({ config, log: createLogger('silent') });
}

describe('first comments of LinkedIn, Threads, Mastodon, Bluesky and X in the registry', () => {
  it('each declares its first comment and its publisher takes one', () => {
    const n = networks();
    const publishers = n.list.flatMap((net) => net.publishers);
    for (const [platform, max] of [
      ['linkedin', 1250],
      ['threads', 500],
      ['mastodon', 500],
      ['bluesky', 300],
      ['x', 280],
    ] as const) {
      expect(n.takesFirstComment(platform, 'feed')).toBe(true);
      expect(publishers.find((p) => p.platform === platform)?.firstComment).toBeDefined();
      expect(n.checkFirstComment(platform, 'feed', 'a'.repeat(max))).toBeNull();
      expect(n.checkFirstComment(platform, 'feed', 'a'.repeat(max + 1))?.firstComment).toHaveLength(1);
    }
  });

  it('an account connected before the reply permissions were asked for is told to reconnect', () => {
    const n = networks();
    const before = ['threads_basic', 'threads_content_publish', 'threads_manage_insights'];
    expect(n.missingCommentScopes('threads', { scopes: before })).toEqual([
      'threads_manage_replies',
      'threads_read_replies',
    ]);
    expect(
      n.missingCommentScopes('threads', { scopes: [...before, 'threads_manage_replies', 'threads_read_replies'] }),
    ).toEqual([]);
    expect(n.missingCommentScopes('mastodon', { scopes: ['read:accounts', 'write:statuses', 'write:media'] })).toEqual([
      'read:statuses',
    ]);
    // Mastodon's broad `read` and `write` grants cover their narrower scopes.
    expect(n.missingCommentScopes('mastodon', { scopes: ['read', 'write'] })).toEqual([]);
    expect(n.missingCommentScopes('x', { scopes: ['tweet.read', 'tweet.write', 'users.read'] })).toEqual([]);
    expect(n.missingCommentScopes('bluesky', { scopes: ['com.atproto.appPass'] })).toEqual([]);
    expect(n.missingCommentScopes('linkedin', { scopes: ['w_member_social'] })).toEqual([]);
  });
});

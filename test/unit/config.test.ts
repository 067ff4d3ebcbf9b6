import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { tempDir } from '../helpers/herald.js';

describe('configuration', () => {
  it('has the documented defaults', () => {
    const dir = tempDir();
    const config = loadConfig({ DATA_DIR: dir });
    expect(config).toMatchObject({
      port: 3000,
      host: '0.0.0.0',
      publicUrl: 'http://localhost:3000',
      logLevel: 'info',
      secureCookies: false,
      publishConcurrency: 8,
      leaseTtlMs: 15_000,
      publishMaxAttempts: 5,
      missedGraceMs: 3_600_000,
      trustProxy: 0,
      mediaFetchHosts: ['replicate.delivery'],
      admin: null,
      oidc: null,
    });
    expect(config.meta.graphUrl).toBe('https://graph.facebook.com/v25.0');
    expect(config.meta.dialogUrl).toBe('https://www.facebook.com/v25.0/dialog/oauth');
    expect(config.tiktok).toMatchObject({
      apiUrl: 'https://open.tiktokapis.com',
      authUrl: 'https://www.tiktok.com/v2/auth/authorize/',
      audited: false,
      verifiedUrlPrefix: null,
    });
    expect(config.groq).toMatchObject({ apiKey: null, requestsPerMinute: 30 });
    expect(config.replicate).toMatchObject({
      baseUrl: 'https://api.replicate.com/v1',
      imageModel: 'black-forest-labs/flux-schnell',
    });
    expect(config.dbPath).toBe(join(dir, 'herald.db'));
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('derives PUBLIC_URL from PORT and strips a trailing slash', () => {
    expect(loadConfig({ DATA_DIR: tempDir(), PORT: '8080' }).publicUrl).toBe('http://localhost:8080');
    const c = loadConfig({ DATA_DIR: tempDir(), PUBLIC_URL: 'https://herald.agency.com/' });
    expect(c.publicUrl).toBe('https://herald.agency.com');
    expect(c.secureCookies).toBe(true);
  });

  it('generates the secret key file once, mode 0600, and reuses it', () => {
    const dir = tempDir();
    const first = loadConfig({ DATA_DIR: dir });
    const path = join(dir, 'secret.key');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);
    expect(loadConfig({ DATA_DIR: dir }).secretKey.equals(first.secretKey)).toBe(true);
  });

  it('accepts SECRET_KEY as 32 bytes in hex or base64 (standard or URL-safe, padded or not)', () => {
    const key = Buffer.from(Array.from({ length: 32 }, (_, i) => 250 - i * 7));
    const forms = [
      key.toString('hex'),
      key.toString('hex').toUpperCase(),
      key.toString('base64'),
      key.toString('base64').replace(/=$/, ''),
      key.toString('base64url'),
      `${key.toString('base64url')}=`,
    ];
    // The forms differ in the characters that tell the alphabets apart.
    expect(forms[2]).toMatch(/[+/]/);
    expect(forms[4]).toMatch(/[-_]/);
    for (const SECRET_KEY of forms) {
      expect(loadConfig({ DATA_DIR: tempDir(), SECRET_KEY }).secretKey.equals(key)).toBe(true);
    }
  });

  it.each<[string, string]>([
    ['a passphrase', 'correct horse battery staple'],
    ['a long passphrase', 'this is a very long passphrase that is certainly longer than thirty-two bytes'],
    ['31 bytes of hex', 'ab'.repeat(31)],
    ['33 bytes of hex', 'ab'.repeat(33)],
    ['48 bytes of base64', Buffer.alloc(48, 1).toString('base64')],
    ['31 bytes of base64', Buffer.alloc(31, 7).toString('base64')],
    [
      'base64 with a stray character',
      Buffer.alloc(32, 9)
        .toString('base64')
        .replace(/^(.{20})./, '$1!'),
    ],
    ['base64 with doubled padding', `${Buffer.alloc(32, 9).toString('base64')}=`],
  ])('refuses %s as SECRET_KEY with one line saying how to make one', (_, SECRET_KEY) => {
    let error: unknown;
    try {
      loadConfig({ DATA_DIR: tempDir(), SECRET_KEY });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      'SECRET_KEY: must be exactly 32 bytes written as 64 hex characters or as base64; ' +
        'generate one with `openssl rand -hex 32`',
    );
  });

  it('refuses a damaged secret.key file, naming it, instead of running with another key', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'secret.key'), 'half a key\n', { mode: 0o600 });
    expect(() => loadConfig({ DATA_DIR: dir })).toThrow(`${join(dir, 'secret.key')}: must be exactly 32 bytes`);
  });

  it.each<[Record<string, string>, string, RegExp]>([
    [{ PORT: 'eighty' }, 'PORT', /whole number/],
    [{ PORT: '70000' }, 'PORT', /between 0 and 65535/],
    [{ PUBLIC_URL: 'herald.example.com' }, 'PUBLIC_URL', /http/],
    [{ SECRET_KEY: 'short' }, 'SECRET_KEY', /32 bytes/],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL', /one of/],
    [{ TIKTOK_AUDITED: 'maybe' }, 'TIKTOK_AUDITED', /true or false/],
    [{ PUBLISH_CONCURRENCY: '0' }, 'PUBLISH_CONCURRENCY', /between/],
    [{ LEASE_TTL_SECONDS: '1' }, 'LEASE_TTL_SECONDS', /between/],
    [{ ADMIN_EMAIL: 'boss@agency.com' }, 'ADMIN_PASSWORD', /together/],
    [{ ADMIN_EMAIL: 'not-an-email', ADMIN_PASSWORD: 'long enough pw' }, 'ADMIN_EMAIL', /email/],
    [{ META_APP_ID: '123' }, 'META_APP_SECRET', /together/],
    [{ META_GRAPH_URL: 'graph.facebook.com' }, 'META_GRAPH_URL', /URL/],
    [{ MEDIA_FETCH_HOSTS: 'good.host, bad host' }, 'MEDIA_FETCH_HOSTS', /not a host/],
    [{ REPLICATE_IMAGE_MODEL: 'flux' }, 'REPLICATE_IMAGE_MODEL', /owner\/name/],
    [{ GROQ_REQUESTS_PER_MINUTE: '-3' }, 'GROQ_REQUESTS_PER_MINUTE', /whole number/],
    [{ TRUST_PROXY: 'yes' }, 'TRUST_PROXY', /whole number/],
    [{ TRUST_PROXY: '11' }, 'TRUST_PROXY', /between 0 and 10/],
  ])('refuses %j naming %s', (env, variable, problem) => {
    let error: unknown;
    try {
      loadConfig({ DATA_DIR: tempDir(), ...env });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as Error).message).toMatch(new RegExp(`^${variable}: `));
    expect((error as Error).message).toMatch(problem);
    expect((error as Error).message).not.toContain('\n');
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ DATA_DIR: tempDir(), PORT: '', GROQ_API_KEY: '' }).port).toBe(3000);
  });
});

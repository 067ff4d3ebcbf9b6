import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { createHerald, type Herald, type HeraldOptions } from '../../src/main.js';

export const TEST_SECRET = 'a'.repeat(64);
export const TEST_ORIGIN = 'http://herald.test';

export function tempDir(prefix = 'herald-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface TestHerald {
  herald: Herald;
  config: Config;
  dataDir: string;
  /** A bearer token with full API access. */
  token: string;
  /** Calls the JSON API in-process through app.request(). */
  api(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

export interface MakeHeraldOptions extends Omit<HeraldOptions, 'config'> {
  dataDir?: string;
}

/** A Herald on a fresh SQLite file in a temp dir, migrated exactly as in production. */
export async function makeHerald(
  env: Record<string, string> = {},
  options: MakeHeraldOptions = {},
): Promise<TestHerald> {
  const dataDir = options.dataDir ?? tempDir();
  const config = loadConfig({
    DATA_DIR: dataDir,
    SECRET_KEY: TEST_SECRET,
    PUBLIC_URL: TEST_ORIGIN,
    LOG_LEVEL: 'silent',
    ...env,
  });
  const { dataDir: _ignored, ...rest } = options;
  const herald = createHerald({ log: createLogger(config.logLevel), ...rest, config });
  const { token } = herald.services.apiTokens.create({ name: 'tests', scope: 'admin' });
  return {
    herald,
    config,
    dataDir,
    token,
    api(method, path, body, headers = {}) {
      const init: RequestInit = { method, headers: { authorization: `Bearer ${token}`, ...headers } };
      if (body !== undefined) {
        init.body = typeof body === 'string' || body instanceof FormData ? body : JSON.stringify(body);
        if (!(body instanceof FormData))
          (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
      }
      return Promise.resolve(herald.app.request(`/api/v1${path}`, init));
    },
    async close() {
      await herald.stop();
      // A media derivative still being written as the server stops makes one rmdir find the directory not yet
      // empty (ENOTEMPTY): retry briefly, as rm -rf would be retried by hand.
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
    },
  };
}

export async function json<T = any>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

/** A client with one connected account per platform, through the same services OAuth uses. */
export function seedClient(t: TestHerald, overrides: Record<string, unknown> = {}) {
  const { clients, accounts } = t.herald.services;
  const client = clients.create({ name: 'Acme Bakery', timezone: 'Europe/Berlin', approvalMode: 'none', ...overrides });
  const connect = (platform: 'facebook' | 'instagram' | 'tiktok', externalId: string, name: string) =>
    accounts.connect({
      clientId: client.id,
      platform,
      externalId,
      name,
      accessToken: `token-${platform}-${externalId}`,
      refreshToken: platform === 'tiktok' ? `refresh-${externalId}` : null,
      tokenExpiresAt: null,
      scopes: [],
    });
  return {
    client: clients.get(client.id),
    facebook: connect('facebook', `fb-${client.id}`, 'Acme Page'),
    instagram: connect('instagram', `ig-${client.id}`, 'acme.bakery'),
    tiktok: connect('tiktok', `tt-${client.id}`, 'acmebakes'),
  };
}

/** An ISO time `hours` from now (negative for the past). */
export const hoursFromNow = (hours: number, now = Date.now()) => new Date(now + hours * 3_600_000).toISOString();

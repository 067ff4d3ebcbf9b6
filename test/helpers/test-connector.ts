import { PlatformError, type Connector, type RefreshedTokens } from '../../src/platforms/types.js';

/**
 * A Facebook connector for engine tests whose refresh is one HTTP call to a FakePlatform's
 * `POST /refresh`: 200 `{accessToken}` gives a new token, 401 refuses (reconnect), and the test
 * can make it hang to kill the process during the check.
 */
export class TestConnector implements Connector {
  readonly id = 'test';
  readonly label = 'Test';
  readonly platforms = ['facebook'] as const;
  constructor(private readonly baseUrl: string) {}

  async refresh(_account: unknown, options: { signal: AbortSignal }): Promise<RefreshedTokens | null> {
    const res = await fetch(`${this.baseUrl}/refresh`, { method: 'POST', signal: options.signal });
    if (res.status === 401) throw new PlatformError('auth', 'The refresh token was revoked.', '401');
    if (!res.ok) throw new PlatformError('transient', `The platform answered ${res.status}.`, String(res.status));
    const { accessToken } = (await res.json()) as { accessToken: string };
    return { accessToken, tokenExpiresAt: null };
  }
}

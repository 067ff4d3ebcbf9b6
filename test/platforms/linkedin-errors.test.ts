import { describe, expect, it } from 'vitest';
import { NetworkError } from '../../src/platforms/http.js';
import { linkedInError, networkFailure } from '../../src/platforms/linkedin/errors.js';

const none = new Headers();
const at = Date.UTC(2026, 10, 30, 12);

describe('linkedInError', () => {
  it('gives each documented status a kind and plain words, keeping LinkedIn’s code', () => {
    const e401 = linkedInError(
      401,
      { message: 'The token used in the request has been revoked by the user', status: 401 },
      none,
      false,
      at,
    );
    expect(e401).toMatchObject({ kind: 'auth', message: expect.stringMatching(/reconnect LinkedIn.*revoked/) });
    expect(linkedInError(403, { message: 'x', code: 'ACCESS_DENIED' }, none, true, at)).toMatchObject({
      kind: 'permanent',
      code: 'ACCESS_DENIED',
    });
    expect(
      linkedInError(422, { message: 'commentary too long', code: 'FIELD_LENGTH_TOO_LONG' }, none, true, at),
    ).toMatchObject({
      kind: 'permanent',
      message: expect.stringMatching(/refused the post's content.*commentary too long/),
    });
    expect(linkedInError(426, { code: 'NONEXISTENT_VERSION' }, none, false, at).message).toMatch(
      /LINKEDIN_API_VERSION/,
    );
  });

  it('429: Retry-After in seconds or as a date, else a quarter of an hour', () => {
    expect(linkedInError(429, null, new Headers({ 'retry-after': '30' }), true, at).retryAfterMs).toBe(30_000);
    const date = new Headers({ 'retry-after': new Date(at + 90_000).toUTCString() });
    expect(linkedInError(429, null, date, true, at).retryAfterMs).toBe(90_000);
    expect(linkedInError(429, null, none, true, at)).toMatchObject({ kind: 'rate_limited', retryAfterMs: 15 * 60_000 });
  });

  it('5xx and lost connections are unknown outcomes only once the post may have been sent', () => {
    expect(linkedInError(500, null, none, false, at).kind).toBe('transient');
    expect(linkedInError(502, null, none, true, at).kind).toBe('unknown_outcome');
    expect(networkFailure(new NetworkError('timeout', 'no answer'), true).kind).toBe('unknown_outcome');
    expect(networkFailure(new NetworkError('connection', 'connect ECONNREFUSED 127.0.0.1:1'), true).kind).toBe(
      'transient',
    );
    expect(networkFailure(new NetworkError('timeout', 'no answer'), false).kind).toBe('transient');
  });
});

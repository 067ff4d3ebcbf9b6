/**
 * A person's words for a browser from its User-Agent header ("Firefox on Windows"), enough to recognise their own
 * devices in a list of sessions. Not detection for any other purpose: the header is whatever the browser says.
 */
export function describeDevice(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device';
  const ua = userAgent;
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /OPR\/|Opera/.test(ua)
      ? 'Opera'
      : /Firefox\//.test(ua)
        ? 'Firefox'
        : /HeadlessChrome\//.test(ua)
          ? 'Headless Chrome'
          : /Chrome\/|Chromium\//.test(ua)
            ? 'Chrome'
            : /Safari\//.test(ua)
              ? 'Safari'
              : /curl\//.test(ua)
                ? 'curl'
                : null;
  const system = /iPhone|iPad/.test(ua)
    ? 'iOS'
    : /Android/.test(ua)
      ? 'Android'
      : /Windows/.test(ua)
        ? 'Windows'
        : /Mac OS X|Macintosh/.test(ua)
          ? 'macOS'
          : /CrOS/.test(ua)
            ? 'ChromeOS'
            : /Linux/.test(ua)
              ? 'Linux'
              : null;
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? system ?? ua.slice(0, 60);
}

/** How a session was signed in to, in words. */
export function describeAuthMethod(method: string | null): string {
  switch (method) {
    case 'password':
      return 'Password';
    case 'passkey':
      return 'Passkey';
    case 'sso':
      return 'Single sign-on';
    case 'password+totp':
      return 'Password and authenticator app';
    case 'password+recovery':
      return 'Password and recovery code';
    case 'password+passkey':
      return 'Password and passkey';
    default:
      return 'Password (before two-factor sign-in)';
  }
}

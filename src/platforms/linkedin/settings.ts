// What the LinkedIn code needs to know, passed in by whoever builds it (the registry reads
// LINKEDIN_* from the configuration). Base URLs are settings so tests can point them at a fake.

export interface LinkedInSettings {
  readonly clientId: string | null;
  readonly clientSecret: string | null;
  /**
   * `LINKEDIN_API_VERSION`: `LinkedIn-Version` as YYYYMM; each month is served for at least a year
   * (docs/platforms/linkedin.md#versions).
   */
  readonly apiVersion: string;
  /** `LINKEDIN_AUTH_URL`, `https://www.linkedin.com/oauth/v2`: `/authorization` and `/accessToken` live under it. */
  readonly authUrl: string;
  /** `LINKEDIN_API_URL`, `https://api.linkedin.com`: `/rest/*` (versioned) and `/v2/userinfo`. */
  readonly apiUrl: string;
}

export const LINKEDIN_DEFAULTS = {
  apiVersion: '202511',
  authUrl: 'https://www.linkedin.com/oauth/v2',
  apiUrl: 'https://api.linkedin.com',
} as const;

export function linkedInSettings(
  values: Partial<LinkedInSettings> & Pick<LinkedInSettings, 'clientId' | 'clientSecret'>,
): LinkedInSettings {
  return {
    apiVersion: values.apiVersion || LINKEDIN_DEFAULTS.apiVersion,
    authUrl: (values.authUrl || LINKEDIN_DEFAULTS.authUrl).replace(/\/+$/, ''),
    apiUrl: (values.apiUrl || LINKEDIN_DEFAULTS.apiUrl).replace(/\/+$/, ''),
    clientId: values.clientId,
    clientSecret: values.clientSecret,
  };
}

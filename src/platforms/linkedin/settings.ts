// What the LinkedIn code needs to know, passed in by whoever builds it (the registry reads
// LINKEDIN_* from the configuration). Base URLs are settings so tests can point them at a fake.

export interface LinkedInSettings {
  readonly clientId: string | null;
  readonly clientSecret: string | null;
  /** `LinkedIn-Version` as YYYYMM (docs/platforms/linkedin.md#versions); each month lives at least a year. */
  readonly apiVersion: string;
  /** `https://www.linkedin.com/oauth`: the authorize and token endpoints live under `/v2/`. */
  readonly oauthUrl: string;
  /** `https://api.linkedin.com`: `/rest/*` (versioned) and `/v2/userinfo`. */
  readonly apiUrl: string;
}

export const LINKEDIN_DEFAULTS = {
  apiVersion: '202511',
  oauthUrl: 'https://www.linkedin.com/oauth',
  apiUrl: 'https://api.linkedin.com',
} as const;

export function linkedInSettings(
  values: Partial<LinkedInSettings> & Pick<LinkedInSettings, 'clientId' | 'clientSecret'>,
): LinkedInSettings {
  return {
    apiVersion: values.apiVersion || LINKEDIN_DEFAULTS.apiVersion,
    oauthUrl: (values.oauthUrl || LINKEDIN_DEFAULTS.oauthUrl).replace(/\/+$/, ''),
    apiUrl: (values.apiUrl || LINKEDIN_DEFAULTS.apiUrl).replace(/\/+$/, ''),
    clientId: values.clientId,
    clientSecret: values.clientSecret,
  };
}

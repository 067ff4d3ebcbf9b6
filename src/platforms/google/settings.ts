// What the Google connection needs from the server: the OAuth client and the base URL of each Google
// API it calls (docs/platforms/google-business.md#hosts). Passed in as options so tests can point every
// base at a fake; the configuration loader fills them in production.

/** The Google products one OAuth client can serve; each asks for its own scopes. */
export type GoogleProduct = 'business' | 'youtube';

export interface GoogleSettings {
  readonly clientId: string | null;
  readonly clientSecret: string | null;
  /** `https://accounts.google.com/o/oauth2/v2/auth` (the consent page). */
  readonly authUrl: string;
  /** `https://oauth2.googleapis.com/token` (codes and refresh tokens → access tokens). */
  readonly tokenUrl: string;
  /** `https://mybusinessaccountmanagement.googleapis.com` (accounts). */
  readonly accountManagementUrl: string;
  /** `https://mybusinessbusinessinformation.googleapis.com` (locations). */
  readonly businessInformationUrl: string;
  /** `https://mybusiness.googleapis.com` (My Business API v4: local posts). */
  readonly myBusinessUrl: string;
  /** `https://www.googleapis.com` (YouTube Data API `/youtube/v3` and uploads `/upload/youtube/v3`). */
  readonly youtubeUrl: string;
  /** `https://youtubeanalytics.googleapis.com` (YouTube Analytics `/v2/reports`: watch time). */
  readonly youtubeAnalyticsUrl: string;
  /** `https://businessprofileperformance.googleapis.com` (a location's daily metrics). */
  readonly performanceUrl: string;
  /** The products this server connects; only their scopes are asked for. */
  readonly products: readonly GoogleProduct[];
}

export const GOOGLE_DEFAULTS: Omit<GoogleSettings, 'clientId' | 'clientSecret'> = {
  authUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
  tokenUrl: 'https://oauth2.googleapis.com/token',
  accountManagementUrl: 'https://mybusinessaccountmanagement.googleapis.com',
  businessInformationUrl: 'https://mybusinessbusinessinformation.googleapis.com',
  myBusinessUrl: 'https://mybusiness.googleapis.com',
  youtubeUrl: 'https://www.googleapis.com',
  youtubeAnalyticsUrl: 'https://youtubeanalytics.googleapis.com',
  performanceUrl: 'https://businessprofileperformance.googleapis.com',
  products: ['business'],
};

/**
 * Scopes per product (docs/platforms/google-business.md#scopes). YouTube's scopes join this table
 * when YouTube is added, so a server that only wants Business Profile never asks for them.
 */
export const GOOGLE_SCOPES: Readonly<Record<GoogleProduct, readonly string[]>> = {
  business: ['https://www.googleapis.com/auth/business.manage'],
  // Upload for videos.insert; readonly for channels, videos and playlistItems, which do not accept
  // the upload scope (docs/platforms/youtube.md#scopes).
  youtube: ['https://www.googleapis.com/auth/youtube.upload', 'https://www.googleapis.com/auth/youtube.readonly'],
};

export const BUSINESS_MANAGE = 'https://www.googleapis.com/auth/business.manage';
export const YOUTUBE_READONLY = 'https://www.googleapis.com/auth/youtube.readonly';
/**
 * Asked for with YouTube but not required: without it results have no watch time
 * (docs/platforms/youtube.md#results).
 */
export const YT_ANALYTICS_READONLY = 'https://www.googleapis.com/auth/yt-analytics.readonly';
const OPTIONAL_SCOPES: Readonly<Record<GoogleProduct, readonly string[]>> = {
  business: [],
  youtube: [YT_ANALYTICS_READONLY],
};

export function scopesFor(products: readonly GoogleProduct[]): string[] {
  return [...new Set(products.flatMap((p) => [...GOOGLE_SCOPES[p], ...OPTIONAL_SCOPES[p]]))];
}

export function googleSettings(
  values: Partial<GoogleSettings> & Pick<GoogleSettings, 'clientId' | 'clientSecret'>,
): GoogleSettings {
  const trim = (url: string) => url.replace(/\/+$/, '');
  const s = { ...GOOGLE_DEFAULTS, ...values };
  return {
    ...s,
    accountManagementUrl: trim(s.accountManagementUrl),
    businessInformationUrl: trim(s.businessInformationUrl),
    myBusinessUrl: trim(s.myBusinessUrl),
    youtubeUrl: trim(s.youtubeUrl),
    youtubeAnalyticsUrl: trim(s.youtubeAnalyticsUrl),
    performanceUrl: trim(s.performanceUrl),
  };
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** When tokens are refreshed: before publishes, and by the 6-hourly job with a margin to spare. */
export const REFRESH_POLICY = {
  /** Before a publish, a token expiring within this is refreshed first. */
  beforePublishMs: HOUR,
  /** The job runs every 6 hours; anything expiring in the next 7 is refreshed now. */
  accessAheadMs: 7 * HOUR,
  /** Refresh tokens (TikTok) and Meta's long-lived user token: renewed a week ahead. */
  refreshAheadMs: 7 * DAY,
  /** Tokens that do not expire (Meta page tokens) are checked once a day. */
  checkEveryMs: DAY,
} as const;

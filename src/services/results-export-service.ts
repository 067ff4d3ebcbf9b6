import { csvRow } from '../domain/csv.js';
import { engagementsOf } from '../domain/metrics.js';
import type { ServiceDeps } from './deps.js';
import type { resultsService } from './results-service.js';

/** Rows read per piece: a two-year export streams in pieces this size, never all at once. */
const PAGE = 500;

const iso = (ms: number) => new Date(ms).toISOString();

/** A CSV export: its file name and its text, piece by piece (each piece one bounded query). */
export interface CsvExport {
  readonly filename: string;
  readonly chunks: Iterable<string>;
}

/** Results as CSV for a client and period (README.md#results): post snapshots and account days. */
export function resultsExportService(
  deps: ServiceDeps,
  results: Pick<ReturnType<typeof resultsService>, 'parsePeriod'>,
) {
  const { repos } = deps;

  return {
    /** Every snapshot (each horizon) of the posts published in the period. */
    postMetrics(clientId: string, input: { from?: string | undefined; to?: string | undefined }): CsvExport {
      const period = results.parsePeriod(clientId, input);
      function* chunks() {
        yield csvRow([
          'post_id',
          'published_at',
          'platform',
          'account',
          'horizon',
          'collected_at',
          'views',
          'reach',
          'likes',
          'comments',
          'shares',
          'saves',
          'clicks',
          'follows',
          'watch_time_ms',
          'engagements',
          'error',
          'permalink',
          'caption',
        ]);
        let after = null;
        for (;;) {
          const rows = repos.exports.snapshots(clientId, period.from, period.to, after, PAGE);
          if (!rows.length) return;
          yield rows
            .map((r) =>
              csvRow([
                r.postId,
                iso(r.publishedAt),
                r.platform,
                r.accountName,
                r.horizon,
                iso(r.collectedAt),
                r.views,
                r.reach,
                r.likes,
                r.comments,
                r.shares,
                r.saves,
                r.clicks,
                r.follows,
                r.watchTimeMs,
                r.error ? null : engagementsOf(r),
                r.error,
                r.permalink,
                r.caption,
              ]),
            )
            .join('');
          after = rows[rows.length - 1]!;
        }
      }
      return { filename: `post-metrics-${period.fromDay}-to-${period.toDay}.csv`, chunks: chunks() };
    },

    /** Every account day in the period (days in the client's zone). */
    accountMetrics(clientId: string, input: { from?: string | undefined; to?: string | undefined }): CsvExport {
      const period = results.parsePeriod(clientId, input);
      function* chunks() {
        yield csvRow(['day', 'platform', 'account', 'account_id', 'followers', 'views', 'reach', 'engagements']);
        let after = null;
        for (;;) {
          const rows = repos.exports.accountDays(clientId, period.fromDay, period.toDay, after, PAGE);
          if (!rows.length) return;
          yield rows
            .map((r) =>
              csvRow([r.day, r.platform, r.accountName, r.accountId, r.followers, r.views, r.reach, r.engagements]),
            )
            .join('');
          after = rows[rows.length - 1]!;
        }
      }
      return { filename: `account-metrics-${period.fromDay}-to-${period.toDay}.csv`, chunks: chunks() };
    },
  };
}

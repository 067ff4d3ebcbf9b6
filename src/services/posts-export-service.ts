import { csvRow } from '../domain/csv.js';
import { NotFoundError } from '../domain/errors.js';
import { postFilterSchema } from '../domain/post.js';
import { POST_CSV_COLUMNS } from '../domain/post-csv.js';
import type { PostStatus } from '../domain/post-status.js';
import { parseInput } from '../domain/validation.js';
import { dayInZone, isoInZone } from '../lib/zoned-time.js';
import type { ServiceDeps } from './deps.js';
import { heldClients } from './list-scope.js';
import type { Scope } from './posts-service.js';
import type { CsvExport } from './results-export-service.js';

/** Posts read per piece: an export of 100,000 posts holds one page of them at a time, never the file. */
const PAGE = 500;

/** Which posts an export holds (the pipeline's and `GET /posts`' filters); times in ms. */
export interface PostExportFilter {
  readonly clientId?: string | undefined;
  /** Only these clients' posts (a member's assigned clients). */
  readonly clientIds?: readonly string[] | undefined;
  readonly accountId?: string | undefined;
  readonly status?: readonly PostStatus[] | undefined;
  readonly from?: number | undefined;
  readonly to?: number | undefined;
  readonly labelIds?: readonly string[] | undefined;
  readonly groupId?: string | undefined;
}

/**
 * What the import makes of the row (docs/planning.md#export): scheduled for a post that is
 * scheduled or awaiting approval, draft for every other, so importing an export never publishes
 * again by surprise.
 */
function importStatusOf(status: PostStatus): 'scheduled' | 'draft' {
  return status === 'scheduled' || status === 'pending_approval' ? 'scheduled' : 'draft';
}

// A vendor's error text can echo what was sent (a token in a URL, an Authorization header): the
// history file is for reading and sharing, so anything shaped like a credential is blanked.
const CREDENTIAL_PAIR =
  /\b(\w*(?:token|secret|password|passwd|api_?key|signature)\w*)(["']?\s*[:=]\s*["']?)[^\s"'&,;}]+/gi;
const AUTH_HEADER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;

function redactCredentials(text: string): string {
  return text.replace(AUTH_HEADER, '$1 [redacted]').replace(CREDENTIAL_PAIR, '$1$2[redacted]');
}

/** A name safe in a Content-Disposition file name. */
function slug(name: string): string {
  return (
    name
      .normalize('NFKD')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'client'
  );
}

/** Posts as the import reads them back, and a client's publishing history (docs/planning.md#export). */
export function postsExportService(deps: ServiceDeps) {
  const { repos, clock, config } = deps;

  function clientOf(id: string) {
    const client = repos.clients.get(id);
    if (!client) throw new NotFoundError('Client');
    return client;
  }

  function postChunks(filter: PostExportFilter): Iterable<string> {
    function* chunks() {
      yield csvRow(POST_CSV_COLUMNS);
      const labelNames = new Map(repos.labels.list().map((l) => [l.id, l.name]));
      let cursor: string | undefined;
      for (;;) {
        const page = repos.posts.list({ ...filter, cursor, limit: PAGE });
        if (!page.data.length) return;
        const posts = repos.posts.describe(page.data);
        const labelsOf = repos.labels.ofPosts(posts.map((p) => p.id));
        const keys = new Map(
          repos.media.getMany([...new Set(posts.flatMap((p) => p.mediaIds))]).map((m) => [m.id, m.key]),
        );
        yield posts
          .map((p) => {
            const when = (ms: number | null) => (ms === null ? null : isoInZone(ms, p.clientTimezone));
            const media = p.mediaIds.flatMap((id) => {
              const key = keys.get(id);
              return key ? [`${config.publicUrl}/media/${key}`] : [];
            });
            const labels = (labelsOf.get(p.id) ?? []).flatMap((id) => labelNames.get(id) ?? []);
            return csvRow([
              p.accountId,
              p.platform,
              p.accountName,
              when(p.scheduledAt),
              p.caption,
              media.join(' '),
              p.firstComment,
              labels.join('|'),
              p.surface,
              importStatusOf(p.status),
              p.id,
              p.status,
              when(p.publishedAt),
              p.permalink,
              p.lastError,
            ]);
          })
          .join('');
        if (!page.nextCursor) return;
        cursor = page.nextCursor;
      }
    }
    return chunks();
  }

  /** The posts a filter picks, across clients when it names none (the pipeline's export). */
  function posts(filter: PostExportFilter): CsvExport {
    const client = filter.clientId ? clientOf(filter.clientId) : null;
    const zone = client?.timezone ?? 'UTC';
    return {
      filename: `posts-${client ? slug(client.name) : 'all-clients'}-${dayInZone(clock.now(), zone)}.csv`,
      chunks: postChunks(filter),
    };
  }

  return {
    posts,

    /** `GET /posts.csv`: the query of `GET /posts` (ISO instants), checked before anything is written. */
    postsFromQuery(query: Record<string, string | undefined>, scope: Scope = {}): CsvExport {
      const f = parseInput(postFilterSchema, query);
      if (scope.clientId && f.clientId && f.clientId !== scope.clientId) throw new NotFoundError('Client');
      return posts({
        clientId: scope.clientId ?? f.clientId,
        clientIds: heldClients(scope, f.clientId),
        accountId: f.accountId,
        status: f.status,
        from: f.from === undefined ? undefined : Date.parse(f.from),
        to: f.to === undefined ? undefined : Date.parse(f.to),
        labelIds: f.labelId ? [f.labelId] : undefined,
        groupId: f.groupId,
      });
    },

    /**
     * Every line of the client's posts' publishing history, oldest first: time, step, level,
     * message and code. Request bodies and attempt ids stay out; credentials in messages are blanked.
     */
    logs(clientId: string): CsvExport {
      const client = clientOf(clientId);
      function* chunks() {
        yield csvRow(['time', 'post_id', 'network', 'account_name', 'step', 'level', 'message', 'code']);
        let after = 0;
        for (;;) {
          const rows = repos.postLogsExport.page(client.id, after, PAGE);
          if (!rows.length) return;
          yield rows
            .map((r) =>
              csvRow([
                isoInZone(r.createdAt, client.timezone),
                r.postId,
                r.platform,
                r.accountName,
                r.step,
                r.level,
                redactCredentials(r.message),
                r.code === null ? null : redactCredentials(r.code),
              ]),
            )
            .join('');
          after = rows[rows.length - 1]!.id;
        }
      }
      return {
        filename: `publishing-history-${slug(client.name)}-${dayInZone(clock.now(), client.timezone)}.csv`,
        chunks: chunks(),
      };
    },
  };
}

import { setImmediate as breather } from 'node:timers/promises';
import { describeActor, type Actor } from '../domain/actor.js';
import type { Surface } from '../domain/composer.js';
import { ConflictError, HeraldError, NotFoundError, ValidationError, type FieldErrors } from '../domain/errors.js';
import { SCHEDULE_PAST_TOLERANCE_MS } from '../domain/post.js';
import { csvRow } from '../domain/csv.js';
import { POST_CSV_IMPORT_COLUMNS } from '../domain/post-csv.js';
import { decodeCsv, readHeader, readRow, type CsvRowFields, type ImportStatus } from '../domain/post-csv-read.js';
import type { AccountRow, ClientRow, PostWithMedia } from '../db/repos/index.js';
import type { ImportRowWritten, PostImportRow } from '../db/repos/imports-repo.js';
import { newId } from '../lib/ids.js';
import { addDays, dayInZone } from '../lib/zoned-time.js';
import { recordAudit } from './audit.js';
import type { ServiceDeps } from './deps.js';
import { downloadImportMedia, readCsvRecords } from './import-files.js';
import type { MediaService } from './media-service.js';
import { notices } from './notices.js';
import type { PostsService, Scope } from './posts-service.js';

/** What a checked row becomes at commit (ids resolved, media downloaded). */
interface ImportedPost {
  accountId: string;
  /** The post's options as the platform's schema gave them at the dry run. */
  options: Record<string, unknown> | null;
  scheduledAt: number | null;
  caption: string;
  mediaIds: string[];
  /** Where each medium came from (the report names the files it kept). */
  mediaUrls: string[];
  firstComment: string;
  labelIds: string[];
  surface: Surface;
  status: ImportStatus;
}

/** One row as the dry run stored it: its line in the file, and either its post or its errors. */
/**
 * Rows per commit transaction: each holds the database for tens of milliseconds at most, so a
 * 10,000-row file never stops publishing or the pages for seconds.
 */
const COMMIT_CHUNK = 25;

interface StoredRow {
  line: number;
  errors: FieldErrors | null;
  post: ImportedPost | null;
}

export interface ImportRowView {
  line: number;
  ok: boolean;
  errors?: FieldErrors;
  postId?: string;
  /** What the row says, for the page's table. */
  summary?: { account: string; time: number | null; caption: string; status: ImportStatus };
}

export interface ImportView {
  id: string;
  clientId: string;
  fileName: string;
  committed: boolean;
  /** Rows written so far (a commit cut off part-way shows fewer than rows.length; committing again resumes). */
  imported: number;
  rows: ImportRowView[];
  createdAt: number;
  committedAt: number | null;
}

/** An earlier import, as the page lists it. */
export interface ImportSummary {
  id: string;
  fileName: string;
  createdAt: number;
  rows: number;
  committed: boolean;
}

/** Places a post in its account's next free posting time (the queue service). */
export interface QueuePlacer {
  place(postId: string, actor: Actor, options?: { front?: boolean }): unknown;
}

/** Rows checked between two breaths of the event loop (pages keep answering during a large dry run). */
const ROWS_PER_BREATH = 100;

/** Field names of the posts' checks, as the CSV's columns. */
const COLUMN_OF: Record<string, string> = { mediaIds: 'media_urls', firstComment: 'first_comment' };

const summarise = (errors: FieldErrors) =>
  Object.entries(errors)
    .map(([field, messages]) => `${field}: ${messages.join('; ')}`)
    .join('; ');

/**
 * CSV import of posts: a dry run reads, checks and stores every row (downloading media through the
 * outbound rules as link previews do), then the commit writes every post in one transaction through
 * the posts service's own paths (approval mode, history, events), or nothing.
 */
export function importsService(deps: ServiceDeps, posts: PostsService, media: MediaService, queue: QueuePlacer) {
  const { repos, clock, database, networks } = deps;
  const notice = notices(deps);

  function load(id: string, scope: Scope = {}): PostImportRow {
    const row = repos.imports.get(id);
    if (!row || (scope.clientId && row.clientId !== scope.clientId)) throw new NotFoundError('Import');
    return row;
  }

  function view(row: PostImportRow): ImportView {
    const written = new Map(repos.imports.written(row.id).map((r) => [r.line, r]));
    const accounts = new Map(repos.accounts.listByClient(row.clientId).map((a) => [a.id, a]));
    return {
      id: row.id,
      clientId: row.clientId,
      fileName: row.fileName,
      committed: row.status === 'committed',
      imported: written.size,
      createdAt: row.createdAt,
      committedAt: row.committedAt,
      rows: (row.rows as StoredRow[]).map((r) => {
        const account = r.post ? accounts.get(r.post.accountId) : undefined;
        const summary = r.post && {
          account: account ? `${networks.label(account.platform)} · ${account.name}` : r.post.accountId,
          time: r.post.scheduledAt,
          caption: r.post.caption,
          status: r.post.status,
        };
        const postId = written.get(r.line)?.postId;
        return {
          line: r.line,
          ok: !r.errors,
          ...(r.errors ? { errors: r.errors } : {}),
          ...(postId ? { postId } : {}),
          ...(summary ? { summary } : {}),
        };
      }),
    };
  }

  /** The account a row names, among the client's own. */
  function accountOf(fields: CsvRowFields, accounts: readonly AccountRow[]): AccountRow | string {
    if (fields.accountId) {
      const byId = accounts.find((a) => a.id === fields.accountId);
      // An exported file names both: brought to another client (or after the account was connected
      // again), the network and name still say which account is meant.
      if (byId || !(fields.network && fields.accountName))
        return byId ?? `no account ${fields.accountId} for this client`;
    }
    if (!networks.platform(fields.network as AccountRow['platform'])) return `unknown network "${fields.network}"`;
    const name = fields.accountName.replace(/^@/, '').toLowerCase();
    const found = accounts.filter(
      (a) => a.platform === fields.network && a.name.replace(/^@/, '').toLowerCase() === name,
    );
    if (found.length === 1) return found[0]!;
    return found.length
      ? `the client has ${found.length} ${fields.network} accounts named "${fields.accountName}"; use account_id`
      : `the client has no ${networks.label(fields.network as AccountRow['platform'])} account "${fields.accountName}"`;
  }

  return {
    get(id: string, scope: Scope = {}): ImportView {
      return view(load(id, scope));
    },

    /**
     * The template: the import's columns and two examples written for this client (its accounts,
     * tomorrow at 09:00 in its zone, the agency's labels), formula-guarded as the export writes cells.
     */
    template(clientId: string): string {
      const client = repos.clients.get(clientId);
      if (!client) throw new NotFoundError('Client');
      const [first, second] = repos.accounts.listByClient(clientId);
      const tomorrow = addDays(dayInZone(clock.now(), client.timezone), 1);
      const labels = repos.labels
        .list()
        .slice(0, 2)
        .map((l) => l.name)
        .join('|');
      const one = first ?? { platform: 'instagram', name: 'your.account' };
      const two = second ?? first ?? { platform: 'facebook', name: 'Your Page' };
      return [
        csvRow([...POST_CSV_IMPORT_COLUMNS]),
        csvRow([
          '',
          one.platform,
          one.name,
          `${tomorrow} 09:00`,
          'Fresh rye this morning, still warm.\nCome early!',
          'https://example.com/photo.jpg',
          '#bread #bakery',
          labels,
          'feed',
          'scheduled',
        ]),
        csvRow(['', two.platform, two.name, '', 'Our winter opening hours start on Monday.', '', '', '', '', 'draft']),
      ].join('');
    },

    /** A client's latest imports, newest first. */
    recent(clientId: string, limit = 10): ImportSummary[] {
      return repos.imports.listByClient(clientId, limit).map((r) => ({
        id: r.id,
        fileName: r.fileName,
        createdAt: r.createdAt,
        rows: r.rows.length,
        committed: r.status === 'committed',
      }));
    },

    /**
     * The dry run: reads the file, checks every row as the API would and stores the rows with their
     * results. Writes no post; media named by URL are downloaded now, so the commit needs no network.
     */
    async dryRun(input: { clientId: string; fileName: string; bytes: Uint8Array }, actor: Actor): Promise<ImportView> {
      const client = repos.clients.get(input.clientId);
      if (!client) throw ValidationError.field('clientId', input.clientId ? 'no such client' : 'is required');
      if (client.status === 'archived')
        throw new ConflictError('This client is archived; restore it before importing posts.');
      const found = await readCsvRecords(decodeCsv(input.bytes));
      const [head, ...body] = found;
      if (!head) throw new ValidationError({ file: ['has no header row'] }, 'The file has no header row.');
      const header = readHeader(head.cells);
      if (body.length === 0) throw new ValidationError({ file: ['has no rows'] }, 'The file has a header but no rows.');
      const accounts = repos.accounts.listByClient(client.id);
      const labelsByName = new Map(repos.labels.list().map((l) => [l.name.toLowerCase(), l.id]));
      const now = clock.now();

      const read: Array<{ line: number; fields: CsvRowFields; errors: FieldErrors; account: AccountRow | null }> = [];
      for (const [i, { line, cells }] of body.entries()) {
        if (i % ROWS_PER_BREATH === ROWS_PER_BREATH - 1) await breather();
        const { fields, errors } = readRow(cells, header, head.cells.length, client.timezone);
        const add = (field: string, message: string) => (errors[field] ??= []).push(message);
        const account = accountOf(fields, accounts);
        if (typeof account === 'string') add('account', account);
        const unknown = fields.labelNames.filter((n) => !labelsByName.has(n.toLowerCase()));
        if (unknown.length) add('labels', `unknown labels: ${unknown.join(', ')}`);
        if (fields.status === 'scheduled') {
          if (fields.scheduledAt === null && !errors.time) add('time', 'is required to schedule a post');
          else if (fields.scheduledAt !== null && fields.scheduledAt < now - SCHEDULE_PAST_TOLERANCE_MS)
            add('time', 'is in the past');
        }
        // As POST /posts {queue: true}: the queue picks the time.
        if (fields.status === 'queue' && fields.scheduledAt !== null)
          add('time', 'must be empty: the queue picks the time');
        if (fields.status === 'queue' && typeof account !== 'string' && account.postingTimes.length === 0)
          add('status', `queue: ${account.name} has no posting times; set them on its account page first`);
        read.push({ line, fields, errors, account: typeof account === 'string' ? null : account });
      }

      const urls = [...new Set(read.flatMap((r) => (r.errors.media_urls ? [] : r.fields.mediaUrls)))];
      const downloaded = await downloadImportMedia(deps, media, client.id, urls);

      const rows: StoredRow[] = [];
      for (const [i, r] of read.entries()) {
        if (i % ROWS_PER_BREATH === ROWS_PER_BREATH - 1) await breather();
        const { fields, errors } = r;
        const mediaIds: string[] = [];
        for (const url of r.errors.media_urls ? [] : fields.mediaUrls) {
          const got = downloaded.get(url);
          if (typeof got === 'string') mediaIds.push(got);
          else (errors.media_urls ??= []).push(`${url}: ${got?.message ?? 'not downloaded'}`);
        }
        let options: Record<string, unknown> | null = null;
        if (r.account && !errors.media_urls) {
          const checked = posts.contentErrors(r.account, { ...fields, mediaIds, options: undefined });
          options = checked.options;
          for (const [field, messages] of Object.entries(checked.errors ?? {}))
            (errors[COLUMN_OF[field] ?? field] ??= []).push(...messages);
        }
        const ok = Object.keys(errors).length === 0;
        rows.push({
          line: r.line,
          errors: ok ? null : errors,
          post: r.account
            ? {
                accountId: r.account.id,
                options,
                scheduledAt: fields.scheduledAt,
                caption: fields.caption,
                mediaIds,
                mediaUrls: fields.mediaUrls,
                firstComment: fields.firstComment,
                labelIds: fields.labelNames.map((n) => labelsByName.get(n.toLowerCase())!).filter(Boolean),
                surface: fields.surface,
                status: fields.status,
              }
            : null,
        });
      }
      const row: PostImportRow = {
        id: newId('imp', now),
        clientId: client.id,
        fileName: input.fileName.slice(0, 255),
        status: 'dry_run',
        rows,
        createdBy: describeActor(actor),
        report: null,
        createdAt: now,
        committedAt: null,
      };
      repos.imports.insert(row);
      return view(row);
    },

    /**
     * Writes every row of a clean dry run: each post through the posts service (approval mode,
     * history), queued rows through the queue. The rows go in transactions of COMMIT_CHUNK, each
     * recording which lines it wrote, so a 10,000-row file never holds the server for seconds
     * (publishing and pages go on between them) and a commit cut off by a crash or a failing row is
     * resumed by committing again: the lines already written are never written twice, and the page
     * and the API say how far it got (docs/planning.md#import).
     */
    async commit(id: string, actor: Actor, scope: Scope = {}): Promise<ImportView> {
      const stored = load(id, scope);
      if (stored.status === 'committed') throw new ConflictError('This import was committed already.');
      const rows = stored.rows as StoredRow[];
      const bad = rows.filter((r) => r.errors);
      if (bad.length)
        throw new ConflictError(
          `${bad.length} of ${rows.length} rows have errors (first on line ${bad[0]!.line}); ` +
            'correct the file and upload it again.',
        );
      const client = repos.clients.get(stored.clientId)!;
      if (client.status === 'archived')
        throw new ConflictError('This client is archived; restore it before importing posts.');
      for (;;) {
        let finished: boolean;
        try {
          finished = database.immediate(() => {
            const done = commitChunk(id, rows, client, actor);
            // The last chunk completes the import: its entry commits with it.
            if (done)
              recordAudit(deps, actor, {
                kind: 'import.commit',
                clientId: client.id,
                targetId: id,
                summary: `Imported ${rows.length} posts for ${client.name} from ${stored.fileName}`,
              });
            return done;
          });
        } catch (err) {
          const written = repos.imports.writtenCount(id);
          if (err instanceof ConflictError && written > 0 && written < rows.length)
            throw new ConflictError(
              `${err.message} ${written} of ${rows.length} rows were imported before it; ` +
                'commit again to import the rest.',
            );
          throw err;
        }
        if (finished) break;
        // Let publishing, the delivery loop and the pages run between chunks.
        await new Promise((resolve) => setImmediate(resolve));
      }
      return view(load(id));
    },
  };

  /**
   * One chunk of a commit, inside its transaction: re-reads which lines are written (so two commits
   * at once, or a resumed one, never write a line twice), writes the next COMMIT_CHUNK, and records
   * them. True when the whole file is in.
   */
  function commitChunk(id: string, rows: readonly StoredRow[], client: ClientRow, actor: Actor): boolean {
    if (repos.imports.status(id) === 'committed') return true;
    // Lines are written in file order, so the count says where to go on.
    const done = repos.imports.writtenCount(id);
    const todo = rows.slice(done, done + COMMIT_CHUNK);
    const written: ImportRowWritten[] = [];
    // The dry run checked each row's content; the media it kept and the labels it named are held by
    // foreign keys, so a file deleted since makes the chunk fail rather than write a broken post.
    const accounts = new Map(repos.accounts.listByClient(client.id).map((a) => [a.id, a]));
    const chunkWaiting: PostWithMedia[] = [];
    for (const { line, post } of todo) {
      const p = post!;
      const at = (message: string) => new ConflictError(`Line ${line}: ${message} Upload the file again.`);
      const account = accounts.get(p.accountId);
      if (!account) throw at('its account is no longer connected.');
      const queued = p.status === 'queue';
      let created: PostWithMedia;
      try {
        created = posts.insertPost(
          account,
          client,
          {
            ...p,
            labels: p.labelIds,
            status: queued ? 'draft' : p.status === 'scheduled' ? 'scheduled' : 'draft',
            scheduledAt: queued ? null : p.scheduledAt,
          },
          actor,
          { announce: false, note: ' from a CSV import' },
        );
        if (queued) queue.place(created.id, actor);
      } catch (err) {
        if (err instanceof ValidationError) throw at(`${summarise(err.fields)}.`);
        if (err instanceof HeraldError) throw at(err.message);
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY')
          throw at('a label or media file it names was deleted since the dry run.');
        throw err;
      }
      const waiting = created.status === 'pending_approval';
      if (waiting) chunkWaiting.push(created);
      written.push({
        importId: id,
        line,
        postId: created.id,
        mediaIds: p.mediaIds,
        waiting,
        waitingAt: waiting ? created.scheduledAt : null,
      });
    }
    notice.logApprovalRequested(client.id, chunkWaiting);
    repos.imports.addWritten(written);
    const finished = done + written.length === rows.length;
    if (finished) {
      // The reviewers hear once about the whole file, not once per row or chunk.
      const waiting = repos.imports
        .written(id)
        .flatMap((w) => (w.waiting ? [{ id: w.postId, scheduledAt: w.waitingAt }] : []));
      notice.approvalRequested(client.id, waiting, { logged: true });
      repos.imports.markCommitted(id, clock.now());
    }
    return finished;
  }
}

import { and, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { aiUsage, jobRuns, leases, rateLimits, settings } from '../schema/index.js';
import { selectList } from './columns.js';

export type JobRunRow = typeof jobRuns.$inferSelect;
export type LeaseRow = typeof leases.$inferSelect;
export type RateLimitRow = typeof rateLimits.$inferSelect;

export function systemRepo(database: Database) {
  const { db, sqlite, stmt } = database;
  const RUN_COLUMNS = selectList(jobRuns, 'r');
  const RATE_LIMIT_COLUMNS = selectList(rateLimits, 'l');
  return {
    getSetting(key: string): string | undefined {
      return (stmt('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined)?.value;
    },
    putSetting(key: string, value: string, at: number): void {
      db.insert(settings)
        .values({ key, value, updatedAt: at })
        .onConflictDoUpdate({ target: settings.key, set: { value, updatedAt: at } })
        .run();
    },
    deleteSetting(key: string): void {
      db.delete(settings).where(eq(settings.key, key)).run();
    },

    getLease(name: string): LeaseRow | undefined {
      return db.select().from(leases).where(eq(leases.name, name)).get();
    },
    ensureLease(name: string): void {
      db.insert(leases).values({ name }).onConflictDoNothing().run();
    },
    /** Takes the lease if it is free or expired; the epoch goes up by one on every takeover. */
    acquireLease(name: string, holder: string, now: number, ttlMs: number): boolean {
      return (
        db
          .update(leases)
          .set({ holder, epoch: sql`${leases.epoch} + 1`, expiresAt: now + ttlMs, acquiredAt: now })
          .where(and(eq(leases.name, name), lt(leases.expiresAt, now)))
          .run().changes === 1
      );
    },
    /** Extends our own lease; false means it was lost (expired and taken, or released). */
    renewLease(name: string, holder: string, epoch: number, now: number, ttlMs: number): boolean {
      return (
        sqlite
          .prepare('UPDATE leases SET expires_at = ? WHERE name = ? AND holder = ? AND epoch = ? AND expires_at >= ?')
          .run(now + ttlMs, name, holder, epoch, now).changes === 1
      );
    },
    releaseLease(name: string, holder: string, epoch: number): void {
      sqlite
        .prepare('UPDATE leases SET expires_at = 0 WHERE name = ? AND holder = ? AND epoch = ?')
        .run(name, holder, epoch);
    },

    insertRun(row: JobRunRow): void {
      db.insert(jobRuns).values(row).run();
    },
    updateRun(id: string, patch: Partial<JobRunRow>): void {
      db.update(jobRuns).set(patch).where(eq(jobRuns.id, id)).run();
    },
    getRun(id: string): JobRunRow | undefined {
      return db.select().from(jobRuns).where(eq(jobRuns.id, id)).get();
    },
    /** Any run request waiting? Asked every second before taking the write lock for one. */
    hasQueuedRun(): boolean {
      return stmt("SELECT 1 FROM job_runs WHERE status = 'queued' LIMIT 1").get() !== undefined;
    },
    /** Run requests of `job` not yet started, oldest first. */
    queuedRunsOf(job: string): JobRunRow[] {
      return db
        .select()
        .from(jobRuns)
        .where(and(eq(jobRuns.status, 'queued'), eq(jobRuns.job, job)))
        .orderBy(jobRuns.requestedAt)
        .all();
    },
    /** Takes the oldest queued run request of any of `jobs` (leader only, inside a transaction). */
    takeQueuedRun(jobs: readonly string[], holder: string, now: number): JobRunRow | undefined {
      const run = db
        .select()
        .from(jobRuns)
        .where(and(eq(jobRuns.status, 'queued'), inArray(jobRuns.job, [...jobs])))
        .orderBy(jobRuns.requestedAt)
        .limit(1)
        .get();
      if (!run) return undefined;
      db.update(jobRuns).set({ status: 'running', startedAt: now, holder }).where(eq(jobRuns.id, run.id)).run();
      return { ...run, status: 'running', startedAt: now, holder };
    },
    recentRuns(limit: number, job?: string): JobRunRow[] {
      return db
        .select()
        .from(jobRuns)
        .where(job ? eq(jobRuns.job, job) : undefined)
        .orderBy(desc(jobRuns.requestedAt), desc(jobRuns.id))
        .limit(limit)
        .all();
    },
    /** The newest run of each of these jobs (one index probe each: job_runs grows all day). */
    lastRunPerJob(jobs: readonly string[]): JobRunRow[] {
      const query = stmt(
        `SELECT ${RUN_COLUMNS} FROM job_runs r WHERE r.job = ? ORDER BY r.requested_at DESC, r.id DESC LIMIT 1`,
      );
      return jobs.flatMap((job) => {
        const row = query.get(job) as
          | (Omit<JobRunRow, 'counts' | 'params'> & { counts: string | null; params: string | null })
          | undefined;
        return row
          ? [
              {
                ...row,
                counts: row.counts === null ? null : (JSON.parse(row.counts) as Record<string, number>),
                params: row.params === null ? null : (JSON.parse(row.params) as Record<string, string>),
              },
            ]
          : [];
      });
    },
    /** Runs left `running` by a process that died: mark them so they do not look alive forever. */
    abandonRunningRuns(holderOtherThan: string, now: number): number {
      return db
        .update(jobRuns)
        .set({ status: 'error', error: 'the process running it stopped', finishedAt: now })
        .where(and(eq(jobRuns.status, 'running'), sql`coalesce(${jobRuns.holder}, '') != ${holderOtherThan}`))
        .run().changes;
    },
    /** Prunes finished runs older than `before`, and the per-second due runs older than `dueBefore`. */
    deleteRunsBefore(before: number, dueBefore: number): number {
      return (
        db
          .delete(jobRuns)
          .where(and(lt(jobRuns.requestedAt, before), sql`${jobRuns.status} != 'queued'`))
          .run().changes +
        db
          .delete(jobRuns)
          .where(
            and(lt(jobRuns.requestedAt, dueBefore), eq(jobRuns.trigger, 'due'), sql`${jobRuns.status} != 'running'`),
          )
          .run().changes
      );
    },

    getRateLimit(scope: string): RateLimitRow | undefined {
      return db.select().from(rateLimits).where(eq(rateLimits.scope, scope)).get();
    },
    putRateLimit(row: RateLimitRow): void {
      db.insert(rateLimits).values(row).onConflictDoUpdate({ target: rateLimits.scope, set: row }).run();
    },
    /** Asked every second by the due check: prepared once. */
    activeRateLimits(now: number): RateLimitRow[] {
      return stmt(`SELECT ${RATE_LIMIT_COLUMNS} FROM rate_limits l WHERE l.until > ?`).all(now) as RateLimitRow[];
    },

    insertAiUsage(row: Omit<typeof aiUsage.$inferInsert, 'id'>): void {
      db.insert(aiUsage).values(row).run();
    },
    aiUsageByClient(
      since: number,
    ): Array<{ clientId: string; requests: number; promptTokens: number; completionTokens: number; images: number }> {
      return db
        .select({
          clientId: aiUsage.clientId,
          requests: sql<number>`sum(case when ${aiUsage.kind} = 'text' then 1 else 0 end)`,
          promptTokens: sql<number>`sum(${aiUsage.promptTokens})`,
          completionTokens: sql<number>`sum(${aiUsage.completionTokens})`,
          images: sql<number>`sum(case when ${aiUsage.kind} = 'image' then 1 else 0 end)`,
        })
        .from(aiUsage)
        .where(sql`${aiUsage.createdAt} >= ${since}`)
        .groupBy(aiUsage.clientId)
        .all();
    },

    databaseStats(): { pageCount: number; pageSize: number; freePages: number } {
      return {
        pageCount: sqlite.pragma('page_count', { simple: true }) as number,
        pageSize: sqlite.pragma('page_size', { simple: true }) as number,
        freePages: sqlite.pragma('freelist_count', { simple: true }) as number,
      };
    },
    ping(): boolean {
      return (sqlite.prepare('SELECT 1 AS ok').get() as { ok: number }).ok === 1;
    },
  };
}

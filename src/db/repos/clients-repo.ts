import { and, asc, eq, gt, inArray, isNull, like, or, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../client.js';
import { accounts, clients, invites, posts } from '../schema/index.js';
import { type ClientIds, inClients, inClientsSql } from './client-scope.js';
import { frozen } from './frozen.js';
import { decodeCursor, toPage, type Page } from './pagination.js';

export type ClientRow = typeof clients.$inferSelect;
export type InviteRow = typeof invites.$inferSelect;

export interface ClientFilter {
  status?: ClientRow['status'] | undefined;
  /** With no status filter: leave archived clients out (the pages' default). */
  excludeArchived?: boolean;
  /** Case-insensitive substring of the name. */
  q?: string | undefined;
  /** Only these clients (a member's assigned clients). */
  ids?: ClientIds;
  /** API lists in creation order; the pages list by name. */
  order?: 'created' | 'name';
  cursor?: string | undefined;
  limit: number;
}

export function clientsRepo({ db, stmt, memo }: Database) {
  return {
    insert(row: ClientRow): void {
      db.insert(clients).values(row).run();
    },
    update(id: string, patch: Partial<ClientRow>): void {
      db.update(clients).set(patch).where(eq(clients.id, id)).run();
    },
    get(id: string): ClientRow | undefined {
      return db.select().from(clients).where(eq(clients.id, id)).get();
    },
    list(filter: ClientFilter): Page<ClientRow> {
      const where: SQL[] = [];
      if (filter.status) where.push(eq(clients.status, filter.status));
      else if (filter.excludeArchived) where.push(sql`${clients.status} != 'archived'`);
      if (filter.ids) where.push(inClients(clients.id, filter.ids)!);
      if (filter.q) where.push(like(clients.name, `%${filter.q.replace(/[%_\\]/g, (c) => `\\${c}`)}%`));
      const byName = filter.order === 'name';
      const after = decodeCursor(filter.cursor);
      if (after) {
        if (byName) {
          const key = String(after.key);
          where.push(or(gt(clients.name, key), and(eq(clients.name, key), gt(clients.id, after.id))) as SQL);
        } else {
          where.push(gt(clients.id, after.id));
        }
      }
      const rows = db
        .select()
        .from(clients)
        .where(where.length ? and(...where) : undefined)
        .orderBy(...(byName ? [asc(clients.name), asc(clients.id)] : [asc(clients.id)]))
        .limit(filter.limit + 1)
        .all();
      return toPage(rows, filter.limit, (r) => [byName ? r.name : null, r.id]);
    },
    /** Account and approval counts for a page of clients (one grouped query each). */
    statsFor(clientIds: readonly string[]): Map<string, { accounts: number; needsReauth: number; pending: number }> {
      const map = new Map(clientIds.map((id) => [id, { accounts: 0, needsReauth: 0, pending: 0 }]));
      if (clientIds.length === 0) return map;
      const ids = [...clientIds];
      for (const row of db
        .select({
          clientId: accounts.clientId,
          n: sql<number>`count(*)`,
          broken: sql<number>`sum(case when ${accounts.status} = 'needs_reauth' then 1 else 0 end)`,
        })
        .from(accounts)
        .where(inArray(accounts.clientId, ids))
        .groupBy(accounts.clientId)
        .all()) {
        const s = map.get(row.clientId)!;
        s.accounts = row.n;
        s.needsReauth = row.broken;
      }
      for (const row of db
        .select({ clientId: posts.clientId, n: sql<number>`count(*)` })
        .from(posts)
        .where(and(inArray(posts.clientId, ids), eq(posts.status, 'pending_approval')))
        .groupBy(posts.clientId)
        .all()) {
        map.get(row.clientId)!.pending = row.n;
      }
      return map;
    },
    countByStatus(ids?: ClientIds): Record<string, number> {
      const rows = db
        .select({ status: clients.status, n: sql<number>`count(*)` })
        .from(clients)
        .where(inClients(clients.id, ids))
        .groupBy(clients.status)
        .all();
      return Object.fromEntries(rows.map((r) => [r.status, r.n]));
    },
    /** Id and name of every client that is not archived (of `ids` only, when given), for pickers. */
    options(ids?: ClientIds): ReadonlyArray<Readonly<{ id: string; name: string; timezone: string }>> {
      // Every page with a client picker reads this: kept until the database changes.
      return memo(`clients.options:${ids ? JSON.stringify(ids) : '*'}`, () => {
        const held = ids ? inClientsSql('id', ids) : null;
        return frozen(
          stmt(
            `SELECT id, name, timezone FROM clients WHERE status != 'archived' ${held ? `AND ${held.where} ` : ''}` +
              'ORDER BY name',
          ).all(...(held ? [held.param] : [])) as Array<{ id: string; name: string; timezone: string }>,
        );
      });
    },
    insertInvite(row: InviteRow): void {
      db.insert(invites).values(row).run();
    },
    inviteByHash(tokenHash: string): InviteRow | undefined {
      return db.select().from(invites).where(eq(invites.tokenHash, tokenHash)).get();
    },
    getInvite(id: string): InviteRow | undefined {
      return db.select().from(invites).where(eq(invites.id, id)).get();
    },
    invitesOf(clientId: string): InviteRow[] {
      return db
        .select()
        .from(invites)
        .where(eq(invites.clientId, clientId))
        .orderBy(sql`${invites.createdAt} desc`)
        .all();
    },
    updateInvite(id: string, patch: Partial<InviteRow>): void {
      db.update(invites).set(patch).where(eq(invites.id, id)).run();
    },
    /** Revokes every invite of a client that is not revoked yet. */
    revokeInvitesOf(clientId: string, at: number): number {
      return db
        .update(invites)
        .set({ revokedAt: at })
        .where(and(eq(invites.clientId, clientId), isNull(invites.revokedAt)))
        .run().changes;
    },
  };
}

import { and, asc, eq, inArray, isNotNull, lte } from 'drizzle-orm';
import type { Database } from '../client.js';
import { accounts } from '../schema/index.js';
import { type ClientIds, inClientsSql } from './client-scope.js';
import { selectList } from './columns.js';
import { frozen } from './frozen.js';

export type AccountRow = typeof accounts.$inferSelect;

/** An account as the page filters offer it. */
export interface AccountOption {
  id: string;
  name: string;
  platform: AccountRow['platform'];
  clientId: string;
  status: AccountRow['status'];
}

export function accountsRepo(database: Database) {
  const { db, stmt, memo } = database;
  const ACCOUNT_COLUMNS = selectList(accounts, 'a');
  return {
    insert(row: AccountRow): void {
      db.insert(accounts).values(row).run();
    },
    update(id: string, patch: Partial<AccountRow>): void {
      db.update(accounts).set(patch).where(eq(accounts.id, id)).run();
    },
    delete(id: string): void {
      db.delete(accounts).where(eq(accounts.id, id)).run();
    },
    get(id: string): AccountRow | undefined {
      return db.select().from(accounts).where(eq(accounts.id, id)).get();
    },
    getMany(ids: readonly string[]): AccountRow[] {
      if (ids.length === 0) return [];
      return db
        .select()
        .from(accounts)
        .where(inArray(accounts.id, [...ids]))
        .all();
    },
    find(clientId: string, platform: AccountRow['platform'], externalId: string): AccountRow | undefined {
      return db
        .select()
        .from(accounts)
        .where(
          and(eq(accounts.clientId, clientId), eq(accounts.platform, platform), eq(accounts.externalId, externalId)),
        )
        .get();
    },
    listByClient(clientId: string): AccountRow[] {
      return db
        .select()
        .from(accounts)
        .where(eq(accounts.clientId, clientId))
        .orderBy(asc(accounts.platform), asc(accounts.name))
        .all();
    },
    /** Accounts that need a person: reconnect, with their client's name. */
    needingAttention(limit: number, clientIds?: ClientIds): Array<AccountRow & { clientName: string }> {
      const held = clientIds ? inClientsSql('a.client_id', clientIds) : null;
      return stmt(
        `SELECT ${ACCOUNT_COLUMNS}, c.name AS clientName FROM accounts a JOIN clients c ON c.id = a.client_id ` +
          "WHERE a.status = 'needs_reauth' AND c.status != 'archived' " +
          (held ? `AND ${held.where} ` : '') +
          'ORDER BY a.updated_at LIMIT ?',
      ).all(...(held ? [held.param] : []), limit) as Array<AccountRow & { clientName: string }>;
    },
    /** Connected accounts whose token expires before `before` (refresh candidates). */
    expiringBefore(before: number): AccountRow[] {
      return db
        .select()
        .from(accounts)
        .where(
          and(
            eq(accounts.status, 'connected'),
            isNotNull(accounts.tokenExpiresAt),
            lte(accounts.tokenExpiresAt, before),
          ),
        )
        .all();
    },
    listConnected(): AccountRow[] {
      return db.select().from(accounts).where(eq(accounts.status, 'connected')).all();
    },
    /** For the page filters: every account with its client's name. */
    options(clientId?: string): ReadonlyArray<Readonly<AccountOption>> {
      return memo(`accounts.options:${clientId ?? '*'}`, () =>
        frozen(
          stmt(
            'SELECT id, name, platform, client_id AS clientId, status FROM accounts ' +
              `${clientId ? 'WHERE client_id = ? ' : ''}ORDER BY name`,
          ).all(...(clientId ? [clientId] : [])) as AccountOption[],
        ),
      );
    },
  };
}

import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Database } from '../client.js';
import { accounts, clients, ruleAccounts, rules } from '../schema/index.js';
import { type ClientIds, inClients } from './client-scope.js';

export type RuleRow = typeof rules.$inferSelect;
export type RuleWithAccounts = RuleRow & { accountIds: string[] };

export function rulesRepo({ db }: Database) {
  /** Every (active rule of an active client, account) pair, with names, in one query (of `clientIds` only). */
  function activeRuleAccounts(clientIds?: ClientIds) {
    return db
      .select({
        ruleId: rules.id,
        ruleName: rules.name,
        media: rules.media,
        clientId: clients.id,
        clientName: clients.name,
        account: accounts,
      })
      .from(rules)
      .innerJoin(clients, eq(clients.id, rules.clientId))
      .innerJoin(ruleAccounts, eq(ruleAccounts.ruleId, rules.id))
      .innerJoin(accounts, eq(accounts.id, ruleAccounts.accountId))
      .where(and(eq(rules.active, true), eq(clients.status, 'active'), inClients(rules.clientId, clientIds)))
      .all();
  }
  function withAccounts(rows: RuleRow[]): RuleWithAccounts[] {
    if (rows.length === 0) return [];
    const links = db
      .select()
      .from(ruleAccounts)
      .where(
        inArray(
          ruleAccounts.ruleId,
          rows.map((r) => r.id),
        ),
      )
      .all();
    return rows.map((r) => ({
      ...r,
      accountIds: links
        .filter((l) => l.ruleId === r.id)
        .map((l) => l.accountId)
        .sort(),
    }));
  }
  return {
    activeRuleAccounts,
    insert(row: RuleRow, accountIds: readonly string[]): void {
      db.insert(rules).values(row).run();
      if (accountIds.length)
        db.insert(ruleAccounts)
          .values(accountIds.map((accountId) => ({ ruleId: row.id, accountId })))
          .run();
    },
    update(id: string, patch: Partial<RuleRow>, accountIds?: readonly string[]): void {
      if (Object.keys(patch).length) db.update(rules).set(patch).where(eq(rules.id, id)).run();
      if (accountIds) {
        db.delete(ruleAccounts).where(eq(ruleAccounts.ruleId, id)).run();
        if (accountIds.length)
          db.insert(ruleAccounts)
            .values(accountIds.map((accountId) => ({ ruleId: id, accountId })))
            .run();
      }
    },
    delete(id: string): void {
      db.delete(rules).where(eq(rules.id, id)).run();
    },
    get(id: string): RuleWithAccounts | undefined {
      const row = db.select().from(rules).where(eq(rules.id, id)).get();
      return row ? withAccounts([row])[0] : undefined;
    },
    listByClient(clientId: string): RuleWithAccounts[] {
      return withAccounts(
        db.select().from(rules).where(eq(rules.clientId, clientId)).orderBy(asc(rules.name), asc(rules.id)).all(),
      );
    },
    /** Active rules of active clients: what generation works through. */
    listRunnable(): Array<RuleWithAccounts & { client: typeof clients.$inferSelect }> {
      const rows = db
        .select({ rule: rules, client: clients })
        .from(rules)
        .innerJoin(clients, eq(clients.id, rules.clientId))
        .where(and(eq(rules.active, true), eq(clients.status, 'active')))
        .orderBy(asc(rules.id))
        .all();
      const withLinks = withAccounts(rows.map((r) => r.rule));
      return withLinks.map((r, i) => ({ ...r, client: rows[i]!.client }));
    },
  };
}

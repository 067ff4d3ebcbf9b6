import { and, asc, desc, eq, isNull, lt, ne, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { admins, apiTokens, loginFailures, memberClients, sessions } from '../schema/index.js';
import { selectList } from './columns.js';

export type AdminRow = typeof admins.$inferSelect;
export type SessionRow = typeof sessions.$inferSelect;
export type ApiTokenRow = typeof apiTokens.$inferSelect;
export type LoginFailureRow = typeof loginFailures.$inferSelect;

export function authRepo(database: Database) {
  const { db, stmt } = database;
  // Every page request reads its session and admin: hand-written, prepared once.
  const SESSION_COLUMNS = selectList(sessions, 's');
  const ADMIN_COLUMNS = selectList(admins, 'a');
  return {
    countAdmins(): number {
      return db.select({ n: sql<number>`count(*)` }).from(admins).get()?.n ?? 0;
    },
    insertAdmin(row: AdminRow): void {
      db.insert(admins).values(row).run();
    },
    adminByEmail(email: string): AdminRow | undefined {
      return db.select().from(admins).where(eq(admins.email, email)).get();
    },
    adminBySubject(subject: string): AdminRow | undefined {
      return db.select().from(admins).where(eq(admins.oidcSubject, subject)).get();
    },
    getAdmin(id: string): AdminRow | undefined {
      const row = stmt(`SELECT ${ADMIN_COLUMNS} FROM admins a WHERE a.id = ?`).get(id) as AdminRow | undefined;
      // Hand-written SQL returns the JSON column as its text: decode it as drizzle would.
      if (row && typeof row.recoveryCodes === 'string') row.recoveryCodes = JSON.parse(row.recoveryCodes) as string[];
      return row;
    },
    /** The clients an editor or viewer is assigned to (owners and admins have none: they see all). */
    memberClientIds(adminId: string): string[] {
      const rows = stmt('SELECT client_id AS clientId FROM member_clients WHERE admin_id = ? ORDER BY client_id').all(
        adminId,
      ) as Array<{ clientId: string }>;
      return rows.map((r) => r.clientId);
    },
    /** Replaces the clients assigned to a member with these (all rows: none kept from before). */
    setMemberClients(adminId: string, clientIds: readonly string[]): void {
      database.immediate(() => {
        db.delete(memberClients).where(eq(memberClients.adminId, adminId)).run();
        const rows = [...new Set(clientIds)].map((clientId) => ({ adminId, clientId }));
        if (rows.length) db.insert(memberClients).values(rows).run();
      });
    },
    /** The editors and viewers assigned to a client (one probe of member_clients' client index). */
    membersOfClient(clientId: string): string[] {
      const rows = stmt('SELECT admin_id AS adminId FROM member_clients WHERE client_id = ?').all(clientId) as Array<{
        adminId: string;
      }>;
      return rows.map((r) => r.adminId);
    },
    listAdmins(): AdminRow[] {
      return db.select().from(admins).orderBy(asc(admins.email)).all();
    },
    updateAdmin(id: string, patch: Partial<AdminRow>): void {
      db.update(admins).set(patch).where(eq(admins.id, id)).run();
    },
    /** Its sessions go with it (the foreign key cascades). */
    deleteAdmin(id: string): boolean {
      return db.delete(admins).where(eq(admins.id, id)).run().changes === 1;
    },

    insertSession(row: SessionRow): void {
      db.insert(sessions).values(row).run();
    },
    getSession(idHash: string): SessionRow | undefined {
      const row = stmt(`SELECT ${SESSION_COLUMNS} FROM sessions s WHERE s.id_hash = ?`).get(idHash) as
        | SessionRow
        | undefined;
      if (row) row.mfaPending = (row.mfaPending as unknown) === 1 || row.mfaPending === true;
      return row;
    },
    touchSession(idHash: string, lastSeenAt: number, expiresAt: number): void {
      db.update(sessions).set({ lastSeenAt, expiresAt }).where(eq(sessions.idHash, idHash)).run();
    },
    deleteSession(idHash: string): void {
      db.delete(sessions).where(eq(sessions.idHash, idHash)).run();
    },
    deleteExpiredSessions(now: number): number {
      return db.delete(sessions).where(lt(sessions.expiresAt, now)).run().changes;
    },
    deleteSessionsOfAdmin(adminId: string): number {
      return db.delete(sessions).where(eq(sessions.adminId, adminId)).run().changes;
    },
    /** A member's sessions, the most recently used first. */
    sessionsOfAdmin(adminId: string): SessionRow[] {
      return db.select().from(sessions).where(eq(sessions.adminId, adminId)).orderBy(desc(sessions.lastSeenAt)).all();
    },
    /** Ends one of this member's sessions (never another member's). */
    deleteSessionOfAdmin(adminId: string, idHash: string): boolean {
      return (
        db
          .delete(sessions)
          .where(and(eq(sessions.adminId, adminId), eq(sessions.idHash, idHash)))
          .run().changes === 1
      );
    },
    deleteOtherSessionsOfAdmin(adminId: string, keepIdHash: string): number {
      return db
        .delete(sessions)
        .where(and(eq(sessions.adminId, adminId), ne(sessions.idHash, keepIdHash)))
        .run().changes;
    },
    deleteSessionsOfInvite(inviteId: string): void {
      db.delete(sessions).where(eq(sessions.inviteId, inviteId)).run();
    },
    /** The client portal sessions of one client (admin sessions have no client). */
    deleteSessionsOfClient(clientId: string): number {
      return db.delete(sessions).where(eq(sessions.clientId, clientId)).run().changes;
    },

    getFailure(key: string): LoginFailureRow | undefined {
      return db.select().from(loginFailures).where(eq(loginFailures.key, key)).get();
    },
    putFailure(row: LoginFailureRow): void {
      db.insert(loginFailures).values(row).onConflictDoUpdate({ target: loginFailures.key, set: row }).run();
    },
    clearFailure(key: string): void {
      db.delete(loginFailures).where(eq(loginFailures.key, key)).run();
    },
    deleteStaleFailures(before: number): number {
      return db
        .delete(loginFailures)
        .where(and(lt(loginFailures.firstAt, before), lt(loginFailures.blockedUntil, before)))
        .run().changes;
    },

    insertToken(row: ApiTokenRow): void {
      db.insert(apiTokens).values(row).run();
    },
    tokenByHash(tokenHash: string): ApiTokenRow | undefined {
      return db
        .select()
        .from(apiTokens)
        .where(and(eq(apiTokens.tokenHash, tokenHash), isNull(apiTokens.revokedAt)))
        .get();
    },
    touchToken(id: string, at: number): void {
      db.update(apiTokens).set({ lastUsedAt: at }).where(eq(apiTokens.id, id)).run();
    },
    listTokens(): ApiTokenRow[] {
      return db.select().from(apiTokens).orderBy(asc(apiTokens.createdAt)).all();
    },
    revokeToken(id: string, at: number): boolean {
      return (
        db
          .update(apiTokens)
          .set({ revokedAt: at })
          .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
          .run().changes === 1
      );
    },
  };
}

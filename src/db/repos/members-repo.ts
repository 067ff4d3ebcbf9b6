import { and, asc, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { admins, apiTokens, memberClients, memberInvites, passkeys, sessions } from '../schema/index.js';

export type MemberInviteRow = typeof memberInvites.$inferSelect;

/** The team around the `admins` table: invitations, owner counts, and what each member holds open. */
export function membersRepo({ db }: Database) {
  return {
    insertInvite(row: MemberInviteRow): void {
      db.insert(memberInvites).values(row).run();
    },
    getInvite(id: string): MemberInviteRow | undefined {
      return db.select().from(memberInvites).where(eq(memberInvites.id, id)).get();
    },
    inviteByHash(tokenHash: string): MemberInviteRow | undefined {
      return db.select().from(memberInvites).where(eq(memberInvites.tokenHash, tokenHash)).get();
    },
    /** Invitations neither accepted, revoked nor expired, newest first. */
    pendingInvites(now: number): MemberInviteRow[] {
      return db
        .select()
        .from(memberInvites)
        .where(and(isNull(memberInvites.acceptedAt), isNull(memberInvites.revokedAt), gt(memberInvites.expiresAt, now)))
        .orderBy(desc(memberInvites.createdAt))
        .all();
    },
    updateInvite(id: string, patch: Partial<Pick<MemberInviteRow, 'acceptedAt' | 'revokedAt'>>): boolean {
      return db.update(memberInvites).set(patch).where(eq(memberInvites.id, id)).run().changes === 1;
    },
    /** Ends the other open invitations to one address once it has joined. */
    revokeOpenInvitesOf(email: string, at: number): number {
      return db
        .update(memberInvites)
        .set({ revokedAt: at })
        .where(and(eq(memberInvites.email, email), isNull(memberInvites.acceptedAt), isNull(memberInvites.revokedAt)))
        .run().changes;
    },
    countOwners(): number {
      return db.select({ n: sql<number>`count(*)` }).from(admins).where(eq(admins.role, 'owner')).get()?.n ?? 0;
    },
    /** Every member's assigned clients, by member id (one query for the team page). */
    assignments(): Map<string, string[]> {
      const rows = db.select().from(memberClients).orderBy(asc(memberClients.clientId)).all();
      const out = new Map<string, string[]>();
      for (const row of rows) out.set(row.adminId, [...(out.get(row.adminId) ?? []), row.clientId]);
      return out;
    },
    passkeyCount(adminId: string): number {
      return db.select({ n: sql<number>`count(*)` }).from(passkeys).where(eq(passkeys.adminId, adminId)).get()?.n ?? 0;
    },
    /** What a member holds open: browser sessions and live API tokens (both end with the member). */
    holdings(adminId: string): { sessions: number; tokens: number } {
      const count = (n: { n: number } | undefined) => n?.n ?? 0;
      return {
        sessions: count(
          db.select({ n: sql<number>`count(*)` }).from(sessions).where(eq(sessions.adminId, adminId)).get(),
        ),
        tokens: count(
          db
            .select({ n: sql<number>`count(*)` })
            .from(apiTokens)
            .where(and(eq(apiTokens.createdBy, adminId), isNull(apiTokens.revokedAt)))
            .get(),
        ),
      };
    },
  };
}

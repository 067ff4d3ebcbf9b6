import { eq, lt } from 'drizzle-orm';
import type { Database } from '../client.js';
import { oauthStates } from '../schema/index.js';

export type OAuthStateRow = typeof oauthStates.$inferSelect;

export function oauthRepo({ db }: Database) {
  return {
    insert(row: OAuthStateRow): void {
      db.insert(oauthStates).values(row).run();
    },
    get(stateHash: string): OAuthStateRow | undefined {
      return db.select().from(oauthStates).where(eq(oauthStates.stateHash, stateHash)).get();
    },
    markUsed(stateHash: string, at: number): void {
      db.update(oauthStates).set({ usedAt: at }).where(eq(oauthStates.stateHash, stateHash)).run();
    },
    deleteExpired(before: number): number {
      return db.delete(oauthStates).where(lt(oauthStates.expiresAt, before)).run().changes;
    },
  };
}

import { and, asc, eq, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { snippets } from '../schema/index.js';

export type SnippetRow = typeof snippets.$inferSelect;

/** Each client's named snippets (hashtag sets, signatures, calls to action). */
export function snippetsRepo({ db }: Database) {
  return {
    listByClient(clientId: string): SnippetRow[] {
      return db
        .select()
        .from(snippets)
        .where(eq(snippets.clientId, clientId))
        .orderBy(asc(sql`lower(${snippets.name})`))
        .all();
    },
    /** The snippets the AI is given as the client's standard hashtags and sign-offs. */
    forAi(clientId: string): SnippetRow[] {
      return db
        .select()
        .from(snippets)
        .where(and(eq(snippets.clientId, clientId), eq(snippets.forAi, true)))
        .orderBy(asc(sql`lower(${snippets.name})`))
        .all();
    },
    get(id: string): SnippetRow | undefined {
      return db.select().from(snippets).where(eq(snippets.id, id)).get();
    },
    byName(clientId: string, name: string): SnippetRow | undefined {
      return db
        .select()
        .from(snippets)
        .where(and(eq(snippets.clientId, clientId), sql`lower(${snippets.name}) = lower(${name})`))
        .get();
    },
    insert(row: SnippetRow): void {
      db.insert(snippets).values(row).run();
    },
    update(id: string, patch: Partial<Pick<SnippetRow, 'name' | 'text' | 'kind' | 'forAi' | 'updatedAt'>>): void {
      db.update(snippets).set(patch).where(eq(snippets.id, id)).run();
    },
    delete(id: string): void {
      db.delete(snippets).where(eq(snippets.id, id)).run();
    },
  };
}

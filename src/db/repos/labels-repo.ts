import { eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { labels, postLabels, ruleLabels } from '../schema/index.js';
import { selectList } from './columns.js';
import { frozen } from './frozen.js';

export type LabelRow = typeof labels.$inferSelect;

/** The agency's labels, and which posts and rules carry them. */
export function labelsRepo({ db, stmt, memo }: Database) {
  const COLUMNS = selectList(labels, 'l');
  return {
    /** Every label by name; pages with label chips and filters read it on every visit, so it is memoised. */
    list(): ReadonlyArray<Readonly<LabelRow>> {
      return memo('labels.list', () =>
        frozen(stmt(`SELECT ${COLUMNS} FROM labels l ORDER BY lower(l.name)`).all() as LabelRow[]),
      );
    },
    get(id: string): LabelRow | undefined {
      return db.select().from(labels).where(eq(labels.id, id)).get();
    },
    byName(name: string): LabelRow | undefined {
      return db.select().from(labels).where(sql`lower(${labels.name}) = lower(${name})`).get();
    },
    getMany(ids: readonly string[]): LabelRow[] {
      if (!ids.length) return [];
      return db
        .select()
        .from(labels)
        .where(inArray(labels.id, [...ids]))
        .all();
    },
    insert(row: LabelRow): void {
      db.insert(labels).values(row).run();
    },
    update(id: string, patch: Partial<Pick<LabelRow, 'name' | 'color' | 'updatedAt'>>): void {
      db.update(labels).set(patch).where(eq(labels.id, id)).run();
    },
    delete(id: string): void {
      db.delete(labels).where(eq(labels.id, id)).run();
    },
    /** How many posts carry each label, by label id. */
    postCounts(): Map<string, number> {
      const rows = db
        .select({ labelId: postLabels.labelId, n: sql<number>`count(*)` })
        .from(postLabels)
        .groupBy(postLabels.labelId)
        .all();
      return new Map(rows.map((r) => [r.labelId, r.n]));
    },
    /** The label ids of each post, by post id (posts without labels left out). */
    ofPosts(postIds: readonly string[]): Map<string, string[]> {
      const out = new Map<string, string[]>();
      if (!postIds.length) return out;
      // One prepared statement for any number of posts (a list page asks with 50 to a few hundred).
      const rows = stmt(
        'SELECT post_id AS postId, label_id AS labelId FROM post_labels ' +
          'WHERE post_id IN (SELECT value FROM json_each(?))',
      ).all(JSON.stringify(postIds)) as Array<{ postId: string; labelId: string }>;
      for (const r of rows) {
        const list = out.get(r.postId) ?? [];
        list.push(r.labelId);
        out.set(r.postId, list);
      }
      return out;
    },
    /** Replaces a post's labels (call inside the transaction that writes the post). */
    setForPost(postId: string, labelIds: readonly string[]): void {
      db.delete(postLabels).where(eq(postLabels.postId, postId)).run();
      if (labelIds.length)
        db.insert(postLabels)
          .values([...new Set(labelIds)].map((labelId) => ({ postId, labelId })))
          .run();
    },
    ofRule(ruleId: string): string[] {
      return db
        .select({ labelId: ruleLabels.labelId })
        .from(ruleLabels)
        .where(eq(ruleLabels.ruleId, ruleId))
        .all()
        .map((r) => r.labelId);
    },
    /** Replaces a rule's labels (call inside the transaction that writes the rule). */
    setForRule(ruleId: string, labelIds: readonly string[]): void {
      db.delete(ruleLabels).where(eq(ruleLabels.ruleId, ruleId)).run();
      if (labelIds.length)
        db.insert(ruleLabels)
          .values([...new Set(labelIds)].map((labelId) => ({ ruleId, labelId })))
          .run();
    },
  };
}

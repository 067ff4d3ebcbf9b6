// The engine asks "which posts are ready, oldest due first?" every time a slot frees. In a burst
// thousands of posts fall due at the same instant; the answer must come off the index in order
// (the first few rows), not from sorting every due post on each ask.
import { afterEach, describe, expect, it } from 'vitest';
import { READY_POSTS } from '../../src/db/repos/publishing-repo.js';
import { makeHerald, seedClient, type TestHerald } from '../helpers/herald.js';

let t: TestHerald | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('the ready-posts query', () => {
  it('reads posts due at one instant in (due, id) order straight off posts_due_idx', async () => {
    t = await makeHerald();
    const { facebook, instagram } = seedClient(t);
    const sqlite = t.herald.database.sqlite;
    const at = Date.now() - 1000;
    const insert = sqlite.prepare(
      'INSERT INTO posts (id, client_id, account_id, status, caption, scheduled_at, due_at, attempts, source, ' +
        "version, created_at, updated_at) VALUES (?, ?, ?, 'scheduled', 'burst', ?, ?, 0, 'manual', 1, ?, ?)",
    );
    sqlite.transaction(() => {
      for (let i = 0; i < 500; i++) {
        const account = i % 2 ? facebook : instagram;
        insert.run(`post_burst_${String(999 - i).padStart(4, '0')}`, account.clientId, account.id, at, at, at, at);
      }
    })();
    sqlite.exec('ANALYZE');

    const plan = (
      sqlite.prepare(`EXPLAIN QUERY PLAN ${READY_POSTS}`).all(at, at, '[]', '[]', 8) as Array<{
        detail: string;
      }>
    ).map((r) => r.detail);
    expect(plan.join('\n')).toContain('USING INDEX posts_due_idx');
    expect(plan.join('\n')).not.toContain('TEMP B-TREE');

    const ready = t.herald.repos.publishing.ready(at, [], [], 3);
    expect(ready.map((p) => p.id)).toEqual(['post_burst_0500', 'post_burst_0501', 'post_burst_0502']);
    const busy = t.herald.repos.publishing.ready(at, [], [instagram.id], 2);
    expect(busy.map((p) => p.id)).toEqual(['post_burst_0500', 'post_burst_0502']);
  });
});

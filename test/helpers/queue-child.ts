// A Herald process on a shared database file that queues the posts it is given as soon as the
// test says go (a file appears), so two of them queue at the same moment: the queue's
// no-double-booking guarantee across processes (test/api/queue-api.test.ts).
// Prints "ready", then one JSON line: [{id, at} | {id, error}].
import { existsSync } from 'node:fs';
import { loadConfig } from '../../src/config.js';
import { createHerald } from '../../src/main.js';

const env = process.env;
const herald = createHerald({ config: loadConfig(env) });
const ids = (env.QUEUE_POST_IDS ?? '').split(',').filter(Boolean);
const front = env.QUEUE_FRONT === 'true';
const go = env.QUEUE_GO_FILE ?? '';
process.stdout.write('ready\n');
while (!existsSync(go)) {
  // Spin rather than sleep: both processes begin within a fraction of a millisecond.
}
const out: Array<{ id: string; at?: number | null; error?: string }> = [];
for (const id of ids) {
  try {
    out.push({ id, at: herald.services.queue.place(id, { kind: 'system', job: 'test' }, { front }).scheduledAt });
  } catch (err) {
    out.push({ id, error: (err as Error).message });
  }
}
process.stdout.write(`${JSON.stringify(out)}\n`);
await herald.stop();

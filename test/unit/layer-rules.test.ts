import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appPath } from '../../src/paths.js';
import { tempDir } from '../helpers/herald.js';

// The layer checker of `npm run lint`, run on small trees that break (or keep) one rule each.
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tree(files: Record<string, string>): string {
  const root = tempDir('herald-layers-');
  dirs.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

function check(root: string) {
  const run = spawnSync(process.execPath, [appPath('scripts/check-layers.mjs'), root], { encoding: 'utf8' });
  return { status: run.status, output: run.stdout + run.stderr };
}

const CLEAN = {
  'src/domain/post.ts': "import { z } from 'zod';\nexport const post = z.object({});\n",
  'src/db/repos/index.ts': "import Database from 'better-sqlite3';\nexport type Row = { id: string };\nexport const open = () => new Database(':memory:');\n",
  'src/http/app.tsx': "import { Hono } from 'hono';\nimport { platforms } from '../platforms/index.js';\nexport const app = new Hono();\nexport const p = platforms;\n",
  'src/platforms/index.ts': "import { meta } from './meta/index.js';\nexport const platforms = [meta];\n",
  'src/platforms/meta/index.ts': 'export const meta = 1;\n',
  'views/page.tsx': "import type { Child } from 'hono/jsx';\nimport type { Row } from '../src/db/repos/index.js';\nexport const Page = (p: { row: Row; children: Child }) => <p>{p.row.id}</p>;\n",
};

describe('layer rules', () => {
  it('passes a tree that keeps every rule (type-only imports of rows into views are allowed)', () => {
    const result = check(tree(CLEAN));
    expect(result.output).toContain('no violations');
    expect(result.status).toBe(0);
  });

  it.each([
    ['domain-is-pure', { 'src/domain/post.ts': "import { Cron } from 'croner';\nexport const c = Cron;\n" }],
    ['domain-is-pure', { 'src/domain/post.ts': "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n" }],
    ['domain-is-pure', { 'src/domain/post.ts': "import type { Row } from '../db/repos/index.js';\nexport type R = Row;\n" }],
    ['hono-only-in-http', { 'src/services/posts.ts': "import type { Context } from 'hono';\nexport type C = Context;\n" }],
    ['views-use-only-hono-jsx', { 'views/x.tsx': "import { html } from 'hono/html';\nexport const h = html;\n" }],
    ['database-only-in-db', { 'src/services/posts.ts': "import { eq } from 'drizzle-orm';\nexport const e = eq;\n" }],
    ['views-do-no-io', { 'views/x.tsx': "import { open } from '../src/db/repos/index.js';\nexport const o = open;\n" }],
    ['vendors-through-the-registry', { 'src/services/posts.ts': "export { meta } from '../platforms/meta/index.js';\n" }],
    ['jsx-only-in-views-and-http', { 'src/services/card.tsx': 'export const Card = () => <p />;\n' }],
    ['no-cycles', { 'src/lib/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n", 'src/lib/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n" }],
  ])('refuses a tree that breaks %s', (rule, files) => {
    const result = check(tree({ ...CLEAN, ...files }));
    expect(result.output).toContain(`[${rule}]`);
    expect(result.status).toBe(1);
  });
});

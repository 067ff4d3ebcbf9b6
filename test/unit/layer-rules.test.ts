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

const lines = (...parts: string[]) => `${parts.join('\n')}\n`;

const CLEAN = {
  'src/domain/post.ts': lines("import { z } from 'zod';", 'export const post = z.object({});'),
  'src/db/repos/index.ts': lines(
    "import Database from 'better-sqlite3';",
    'export type Row = { id: string };',
    "export const open = () => new Database(':memory:');",
  ),
  'src/http/app.tsx': lines(
    "import { Hono } from 'hono';",
    "import { platforms } from '../platforms/index.js';",
    'export const app = new Hono();',
    'export const p = platforms;',
  ),
  'src/platforms/index.ts': lines("import { meta } from './meta/index.js';", 'export const platforms = [meta];'),
  'src/platforms/meta/index.ts': lines('export const meta = 1;'),
  'views/page.tsx': lines(
    "import type { Child } from 'hono/jsx';",
    "import type { Row } from '../src/db/repos/index.js';",
    'export const Page = (p: { row: Row; children: Child }) => <p>{p.row.id}</p>;',
  ),
};

describe('layer rules', () => {
  it('passes a tree that keeps every rule (type-only imports of rows into views are allowed)', () => {
    const result = check(tree(CLEAN));
    expect(result.output).toContain('no violations');
    expect(result.status).toBe(0);
  });

  it.each([
    ['domain-is-pure', { 'src/domain/post.ts': lines("import { Cron } from 'croner';", 'export const c = Cron;') }],
    [
      'domain-is-pure',
      { 'src/domain/post.ts': lines("import { readFileSync } from 'node:fs';", 'export const r = 1;') },
    ],
    [
      'domain-is-pure',
      { 'src/domain/post.ts': lines("import type { Row } from '../db/repos/index.js';", 'export type R = Row;') },
    ],
    [
      'hono-only-in-http',
      { 'src/services/posts.ts': lines("import type { Context } from 'hono';", 'export type C = Context;') },
    ],
    [
      'views-use-only-hono-jsx',
      { 'views/x.tsx': lines("import { html } from 'hono/html';", 'export const h = html;') },
    ],
    [
      'database-only-in-db',
      { 'src/services/posts.ts': lines("import { eq } from 'drizzle-orm';", 'export const e = eq;') },
    ],
    [
      'views-do-no-io',
      { 'views/x.tsx': lines("import { open } from '../src/db/repos/index.js';", 'export const o = open;') },
    ],
    [
      'vendors-through-the-registry',
      { 'src/services/posts.ts': lines("export { meta } from '../platforms/meta/index.js';") },
    ],
    ['jsx-only-in-views-and-http', { 'src/services/card.tsx': lines('export const Card = () => <p />;') }],
    [
      'no-cycles',
      {
        'src/lib/a.ts': lines("import { b } from './b.js';", 'export const a = () => b;'),
        'src/lib/b.ts': lines("import { a } from './a.js';", 'export const b = () => a;'),
      },
    ],
  ])('refuses a tree that breaks %s', (rule, files) => {
    const result = check(tree({ ...CLEAN, ...files }));
    expect(result.output).toContain(`[${rule}]`);
    expect(result.status).toBe(1);
  });
});

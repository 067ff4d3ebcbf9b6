import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The app root is the folder holding package.json: `src/` under tsx, `dist/src/` when compiled.
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the Herald app folder (no package.json above src/)');
    dir = parent;
  }
  return dir;
}

let root: string | undefined;

/** An absolute path inside the installed app (migrations/, public/, package.json). */
export function appPath(...parts: string[]): string {
  root ??= findRoot();
  return join(root, ...parts);
}

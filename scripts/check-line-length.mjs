#!/usr/bin/env node
// Lines are at most 120 columns. Biome's formatter keeps code within that width but cannot split a long
// string or comment, so those are checked here: every tracked TypeScript/JavaScript file of the code, its
// tests and tools, and the config files at the root (tracked, or new and not ignored). Generated files
// (migrations, builds) are left out.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAX = 120;
// The repository by default; a tree given as the first argument.
const ROOT = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
const FOLDERS = ['src', 'views', 'test', 'bench', 'scripts'];
const CODE = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;
const GENERATED = /(^|\/)(migrations|dist|node_modules|vendor)\//;

function tracked() {
  try {
    const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out.split('\0').filter(Boolean);
  } catch {
    // Not a git checkout (an exported tree): the files on disk instead.
    const entries = [
      ...readdirSync(ROOT, { withFileTypes: true }),
      ...FOLDERS.flatMap((folder) => {
        try {
          return readdirSync(join(ROOT, folder), { recursive: true, withFileTypes: true });
        } catch {
          return [];
        }
      }),
    ];
    return entries
      .filter((entry) => entry.isFile())
      .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)).split('\\').join('/'));
  }
}

const files = tracked().filter(
  (file) => CODE.test(file) && !GENERATED.test(file) && (!file.includes('/') || FOLDERS.includes(file.split('/')[0])),
);

let long = 0;
for (const file of files) {
  let text;
  try {
    text = readFileSync(join(ROOT, file), 'utf8');
  } catch {
    continue; // tracked but deleted in the working tree
  }
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    if (line.length <= MAX) continue;
    // Columns are characters, not UTF-16 units: "→" is one column, an emoji too.
    const columns = [...line].length;
    if (columns > MAX) {
      console.error(`${file}:${i + 1}: ${columns} columns`);
      long++;
    }
  }
}
if (long > 0) {
  console.error(
    `${long} line${long === 1 ? '' : 's'} longer than ${MAX} columns: split the string or rewrap the comment.`,
  );
  process.exit(1);
}
console.log(`line length: ${files.length} files, none over ${MAX} columns`);

#!/usr/bin/env node
// Builds Herald: copies the pinned browser assets into public/vendor and compiles src/ + views/
// into dist/. `--if-stale` skips the compile when dist/ is newer than every source file, so
// `npm start` stays fast on a built checkout. `--assets` copies the assets only (tests use it).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const quiet = args.has('--quiet');
const say = (line) => {
  if (!quiet) process.stderr.write(`${line}\n`);
};

// Browser assets come from the installed packages, pinned by package-lock.json, never from a CDN.
const assets = [
  ['node_modules/htmx.org/dist/htmx.min.js', 'public/vendor/htmx.min.js'],
  ['node_modules/@picocss/pico/css/pico.min.css', 'public/vendor/pico.min.css'],
  // Passkeys: the browser half of the WebAuthn ceremony (public/passkeys.js drives it).
  ['node_modules/@simplewebauthn/browser/dist/bundle/index.umd.min.js', 'public/vendor/simplewebauthn-browser.min.js'],
];

export function copyAssets() {
  mkdirSync(join(root, 'public/vendor'), { recursive: true });
  for (const [from, to] of assets) copyFileSync(join(root, from), join(root, to));
}

function newestMtime(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

function isStale() {
  const stamp = join(root, 'dist/.build-stamp');
  if (!existsSync(stamp)) return true;
  const inputs = ['src', 'views', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];
  const newest = Math.max(
    ...inputs
      .map((p) => join(root, p))
      .filter(existsSync)
      .map(newestMtime),
  );
  return newest > statSync(stamp).mtimeMs;
}

function compile() {
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  if (!existsSync(tsc)) {
    say('herald: dist/ is missing or stale and TypeScript is not installed; run `npm ci` first');
    process.exit(1);
  }
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
  const stamp = join(root, 'dist/.build-stamp');
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
  const now = new Date();
  utimesSync(stamp, now, now);
}

copyAssets();
if (args.has('--assets')) process.exit(0);
if (!args.has('--if-stale') || isStale()) {
  say('herald: building…');
  compile();
}

#!/usr/bin/env node
// Runs before `npm test`: the browser tests drive Debian's chromium. If it is missing, install it
// when we can (root with apt-get), otherwise stop with one line saying what to install.
import { execSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

if (existsSync(CHROMIUM)) process.exit(0);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;

if (isRoot && hasApt) {
  process.stderr.write('Browser tests need chromium; installing it with apt-get…\n');
  try {
    execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium', {
      stdio: 'inherit',
    });
  } catch {
    // fall through to the check below
  }
  if (existsSync(CHROMIUM)) process.exit(0);
}

process.stderr.write(
  `Browser tests need Chromium at ${CHROMIUM}: install it with "apt-get install -y chromium" (or set CHROMIUM_PATH).\n`,
);
process.exit(1);

#!/usr/bin/env node
// Runs before `npm test`: the browser tests drive Debian's chromium and one outbound-fetch test
// makes a throwaway certificate with the openssl command. If either is missing, install it when
// we can (root with apt-get), otherwise stop with one line saying what to install.
import { execSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const onPath = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;

/** Debian package → whether what the tests need from it is here. */
const needs = [
  { pkg: 'chromium', present: () => existsSync(CHROMIUM), hint: `Chromium at ${CHROMIUM} (or set CHROMIUM_PATH)` },
  { pkg: 'openssl', present: () => onPath('openssl'), hint: 'the openssl command' },
];

let missing = needs.filter((need) => !need.present());
if (missing.length === 0) process.exit(0);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (isRoot && onPath('apt-get')) {
  const pkgs = missing.map((need) => need.pkg).join(' ');
  process.stderr.write(`The tests need ${pkgs}; installing with apt-get…\n`);
  try {
    execSync(`apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${pkgs}`, {
      stdio: 'inherit',
    });
  } catch {
    // fall through to the check below
  }
  missing = missing.filter((need) => !need.present());
  if (missing.length === 0) process.exit(0);
}

const what = missing.map((need) => need.hint).join(' and ');
const install = missing.map((need) => need.pkg).join(' ');
process.stderr.write(`The tests need ${what}: install with "apt-get install -y ${install}".\n`);
process.exit(1);
